"""Rendering an entry's templates for every case and format, once, at collection.

Rendering early turns a misspelt variable or a bad expression into a collection error that
names the case, instead of a failure in the middle of a model's run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...checks.types import CHECK_OPTIONS, Case, Check
from ...models.framing import FORMATS
from .cases import CaseSource, choose_shots
from .templates import TemplateProblem, compile_template, render


class RenderProblem(ValueError):
    """A template that fails for some case; `case` is its index when one case is at fault."""

    def __init__(self, field: str, message: str, case: int | None = None):
        self.field, self.case = field, case
        super().__init__(message if case is None else f"case {case}: {message}")


def _per_format(raw: Mapping[str, Any], name: str, formats: list[str], default: Any = None) -> dict[str, Any]:
    """A field given once or as {format: value, default: value} → one value per format."""
    value = raw.get(name, default)
    if not isinstance(value, dict):
        return {f: value for f in formats}
    for key in value:
        if key not in (*FORMATS, "default"):
            raise RenderProblem(name, f"unknown format {key!r} in a per-format map; expected {', '.join(FORMATS)} or default")
    missing = [f for f in formats if f not in value and "default" not in value]
    if missing:
        raise RenderProblem(name, f"no value for format {missing[0]!r}; give {name}.{missing[0]} or {name}.default")
    return {f: value.get(f, value.get("default")) for f in formats}


def _templates(name: str, value: Any) -> list[str] | None:
    if value is None:
        return None
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if not isinstance(item, (str, int, float)) or isinstance(item, bool):
            raise RenderProblem(name, f"expected a template string, got {item!r}")
        out.append(str(item))
        try:
            compile_template(str(item))
        except TemplateProblem as exc:
            raise RenderProblem(name, str(exc)) from None
    return out


# BIG-bench's own example prefixes, for a task file that names none (bigbench/api/json_task.py).
BIGBENCH_INPUT_PREFIX, BIGBENCH_OUTPUT_PREFIX = "\nQ: ", "\nA: "


def _default_prompt(source: CaseSource, format: str) -> str | None:
    """A task file's prompt: its input, in `raw` between the file's example prefixes (BIG-bench's
    `Q: `/`A: ` when it names none), so that an answer follows a cue, never the last option line;
    the other framings add their own cue (qa: "Q: …\nA:")."""
    if not source.bigbench:
        return None
    if format != "raw":
        return "{{ input }}"
    head = (source.input_prefix if source.input_prefix is not None else BIGBENCH_INPUT_PREFIX).lstrip("\n")
    tail = (source.output_prefix if source.output_prefix is not None else BIGBENCH_OUTPUT_PREFIX).rstrip()
    return f"{head}{{{{ input }}}}{tail}"


def _as_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]


def _expected_of(case: Mapping[str, Any], templates: list[str] | None, i: int) -> tuple[str, ...]:
    if templates is not None:
        return tuple(_render("expected", t, case, i) for t in templates)
    for key in ("expected", "targets", "target"):
        if key in case and case[key] is not None:
            return tuple(_as_list(case[key]))
    return ()


def _render(field: str, template: str, variables: Mapping[str, Any], case: int) -> str:
    try:
        return render(template, variables)
    except TemplateProblem as exc:
        raise RenderProblem(field, str(exc), case) from None


def _correct(case: Mapping[str, Any], choices: tuple[str, ...], expected: tuple[str, ...], from_case: bool,
             i: int) -> tuple[int, ...]:
    if from_case and isinstance(case.get("correct"), list):
        return tuple(int(k) for k in case["correct"])
    wanted = {e.strip() for e in expected}
    found = tuple(k for k, c in enumerate(choices) if c.strip() in wanted)
    if not found:
        raise RenderProblem("expected", f"the expected answer {expected[0] if expected else None!r} "
                                        f"is not one of the choices {list(choices)!r}", i)
    return found


def render_entry(raw: Mapping[str, Any], source: CaseSource, formats: list[str], check: Check,
                 seed: int) -> tuple[dict[str, tuple[Case, ...]], tuple[tuple[int, ...], ...]]:
    """Every case in every format, plus the few-shot indices of each case."""
    prompts = _per_format(raw, "prompt", formats) if "prompt" in raw else \
        {f: _default_prompt(source, f) for f in formats}
    per_format_prompt = isinstance(raw.get("prompt"), dict)
    for f, template in prompts.items():
        if template is None:
            raise RenderProblem("prompt", "missing; give a template such as 'What is {{ a }} + {{ b }}?'")
        _templates("prompt", template)
        if f == "t5" and not per_format_prompt and not raw.get("t5_prefix"):
            raise RenderProblem("t5_prefix", "the t5 format needs a task prefix such as 'cola sentence' "
                                             "(or a prompt.t5 template written out)")
    expected = {f: _templates("expected", v) for f, v in _per_format(raw, "expected", formats).items()}
    choices = {f: _templates("choices", v) for f, v in _per_format(raw, "choices", formats).items()}
    extras = {k: str(v) for k, v in check.options.items() if CHECK_OPTIONS[check.type][k][2]}
    for template in extras.values():
        _templates("check", template)
    rendered: dict[str, list[Case]] = {f: [] for f in formats}
    for i, case in enumerate(source.cases):
        extra = {k: _render("check", t, case, i) for k, t in extras.items()}
        for f in formats:
            text = _render("prompt", prompts[f], case, i)
            if f == "t5" and not per_format_prompt:
                text = f"{raw['t5_prefix']}: {text}"
            want = _expected_of(case, expected[f], i)
            options: tuple[str, ...] = ()
            correct: tuple[int, ...] = ()
            if check.type == "choice":
                from_case = choices[f] is None
                options = tuple(_as_list(case.get("choices", []))) if from_case else \
                    tuple(_render("choices", t, case, i) for t in choices[f] or [])
                if not options:
                    raise RenderProblem("choices", "no choices for this case", i)
                correct = _correct(case, options, want, from_case, i)
            rendered[f].append(Case(text, want, options, correct, extra, case))
    first = rendered[formats[0]]
    shots = choose_shots([r.prompt for r in first], int(raw.get("shots", 0) or 0), seed, str(raw.get("id")))
    return {f: tuple(rs) for f, rs in rendered.items()}, shots
