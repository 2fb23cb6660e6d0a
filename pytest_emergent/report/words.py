"""How every report words a score, its error bar and a change, so the formats agree."""

from __future__ import annotations

from typing import Any

# The change values (docs/design.md §4), newest first, with the label reports show.
CHANGE_LABELS = {
    "regressed": "▼ regressed",
    "dropped": "↓ dropped",
    "within-noise": "≈ within noise",
    "lit-up": "▲ lit up",
    "redefined": "≠ redefined",
}
NEWS = (  # (change, section title), in the order reports show them
    ("regressed", "Regressed"),
    ("dropped", "Dropped (a significant drop, still passing)"),
    ("lit-up", "Lit up"),
    ("within-noise", "Flipped within noise (not significant)"),
    ("redefined", "Redefined (the capability changed: not compared)"),
)


def number(value: Any) -> str:
    return f"{value:.3g}" if isinstance(value, (int, float)) and not isinstance(value, bool) else ""


def error_bar(result: dict[str, Any]) -> str:
    """`[0.41, 0.80] n=20`: the 95% interval and the number of cases, where known."""
    interval, n = result.get("interval"), result.get("n")
    parts = []
    if isinstance(interval, (list, tuple)) and len(interval) == 2:
        parts.append(f"[{number(interval[0])}, {number(interval[1])}]")
    if isinstance(n, int) and not isinstance(n, bool):
        parts.append(f"n={n}")
    return " ".join(parts)


def score(result: dict[str, Any], *, bar: bool = True) -> str:
    """`pass 0.62 [0.41, 0.80] n=20` without the status: the score and, with `bar`, its error bar."""
    text = number(result.get("score"))
    extra = error_bar(result) if bar else ""
    return " ".join(p for p in (text, extra) if p)


def baseline(result: dict[str, Any], name: Any = str) -> str:
    """The baseline as reports show it: status, score, model and run; `name` escapes the model's
    name and the run id (they come from configuration) for the report's format."""
    base = result.get("baseline")
    if not base:
        return ""
    run = f", run {name(str(base.get('run_id') or '')[:19])}" if base.get("run_id") else ""
    shown = " ".join(p for p in (str(base.get("status")), number(base.get("score")), error_bar(base)) if p)
    return f"{shown} ({name(base.get('model'))}{run})"
