"""The spec fields that shape the text around a case's prompt: `layout` (the separators of a
few-shot prompt) and `stop` (per format, like `prompt`).

A benchmark is reproduced only when its prompt is, byte for byte; these fields let a spec say
the joins a harness uses instead of accepting ours.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from ...hints import did_you_mean
from ...models.framing import FORMATS, Layout

LAYOUT_FIELDS = {
    "shot_separator": 'between one few-shot example and the next, and before the case (default "\\n\\n")',
    "answer_separator": 'between a prompt and its answer (default " ", left out where whitespace is already there)',
    "prefix_separator": "after the prefix (default: the shot separator, left out after whitespace)",
}
assert set(LAYOUT_FIELDS) == {f.name for f in fields(Layout)}


class FieldProblem(ValueError):
    """A field that does not read; `field` is the spec field at fault."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


def read_layout(value: Any) -> Layout:
    """`layout: {shot_separator, answer_separator, prefix_separator}`, each a string (may be empty)."""
    if value is None:
        return Layout()
    if not isinstance(value, dict):
        raise FieldProblem("layout", f"expected a map of {', '.join(LAYOUT_FIELDS)}, got {value!r}")
    for key, text in value.items():
        if key not in LAYOUT_FIELDS:
            raise FieldProblem("layout", f"unknown separator {key!r}; expected {', '.join(LAYOUT_FIELDS)}"
                                         f"{did_you_mean(str(key), LAYOUT_FIELDS)}")
        if not isinstance(text, str):
            raise FieldProblem("layout", f"{key}: expected a string (quote it: \"\\n\\n\"), got {text!r}")
    return Layout(**value)


def _stops(value: Any, where: str) -> tuple[str, ...]:
    stops = [value] if isinstance(value, str) else value
    if not isinstance(stops, list) or not all(isinstance(s, str) and s for s in stops):
        raise FieldProblem("stop", f"{where}expected a non-empty string or a list of them, got {value!r}")
    return tuple(stops)


def read_stop(value: Any, formats: list[str]) -> dict[str, tuple[str, ...] | None]:
    """Stop strings per format: one value for all, or {format: value, default: value}; a format
    without one keeps its framing's default (None)."""
    if value is None:
        return {f: None for f in formats}
    if not isinstance(value, dict):
        stops = _stops(value, "")
        return {f: stops for f in formats}
    for key in value:
        if key not in (*FORMATS, "default"):
            raise FieldProblem("stop", f"unknown format {key!r} in a per-format map; expected "
                                       f"{', '.join(FORMATS)} or default{did_you_mean(str(key), FORMATS)}")
    per_format = {key: _stops(v, f"{key}: ") for key, v in value.items()}
    return {f: per_format.get(f, per_format.get("default")) for f in formats}
