"""Rendering an entry's templates for every case and format, once, at collection.

Rendering early turns a misspelt variable or a bad expression into a collection error that
names the case, instead of a failure in the middle of a model's run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...checks.types import CHECK_OPTIONS, Case, Check
from ...models.framing import FORMATS
from .cases import CaseSource, choose_shots
from .templates import TemplateProblem, compile_template, evaluate, render


class RenderProblem(ValueError):
    """A template that fails for some case; `case` is its index when one case is at fault."""

    def __init__(self, field: str, message: str, case: int | None = None):
        self.field, self.case, self.message = field, case, message
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


@dataclass(frozen=True)
class Rendered:
    """An entry's cases per format, the few-shot indices of each case, and the fixed exemplars of
    `shots_from` per format (empty without it)."""

    cases: dict[str, tuple[Case, ...]]
    shot_indices: tuple[tuple[int, ...], ...]
    exemplars: dict[str, tuple[Case, ...]]


def _options(spec: Any, case: Mapping[str, Any], i: int) -> tuple[str, ...]:
    """A case's options: a list of templates (one rendering to nothing is no option), or one
    template of the case (its lines, or the list a single `{{ expression }}` gives)."""
    if isinstance(spec, list):
        return tuple(o for o in (_render("choices", t, case, i) for t in spec) if o != "")
    try:
        value = evaluate(spec, case)
    except TemplateProblem as exc:
        raise RenderProblem("choices", str(exc), i) from None
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value if str(v) != "")
    return tuple(line for line in str(value).splitlines() if line.strip())


def _choice_templates(value: Any) -> Any:
    """`choices` of one format: a list of templates, or one template that gives the case's options."""
    if isinstance(value, str):
        _templates("choices", value)
        return value
    return _templates("choices", value)


class _Templates:
    """An entry's templates per format, compiled once, and how one case renders with them."""

    def __init__(self, raw: Mapping[str, Any], source: CaseSource, formats: list[str], check: Check):
        self.raw, self.formats, self.check = raw, formats, check
        self.prompts = _per_format(raw, "prompt", formats) if "prompt" in raw else \
            {f: _default_prompt(source, f) for f in formats}
        self.per_format_prompt = isinstance(raw.get("prompt"), dict)
        for f, template in self.prompts.items():
            if template is None:
                raise RenderProblem("prompt", "missing; give a template such as 'What is {{ a }} + {{ b }}?'")
            _templates("prompt", template)
            if f == "t5" and not self.per_format_prompt and not raw.get("t5_prefix"):
                raise RenderProblem("t5_prefix", "the t5 format needs a task prefix such as 'cola sentence' "
                                                 "(or a prompt.t5 template written out)")
        self.expected = {f: _templates("expected", v) for f, v in _per_format(raw, "expected", formats).items()}
        self.choices = {f: _choice_templates(v) if v is not None else None
                        for f, v in _per_format(raw, "choices", formats).items()}
        self.extras = {k: str(v) for k, v in check.options.items() if CHECK_OPTIONS[check.type][k][2]}
        for template in self.extras.values():
            _templates("check", template)

    def case(self, case: Mapping[str, Any], i: int, format: str) -> Case:
        extra = {k: _render("check", t, case, i) for k, t in self.extras.items()}
        text = _render("prompt", self.prompts[format], case, i)
        if format == "t5" and not self.per_format_prompt:
            text = f"{self.raw['t5_prefix']}: {text}"
        want = _expected_of(case, self.expected[format], i)
        options: tuple[str, ...] = ()
        correct: tuple[int, ...] = ()
        if self.check.type == "choice":
            from_case = self.choices[format] is None
            options = tuple(_as_list(case.get("choices", []))) if from_case else _options(self.choices[format], case, i)
            if not options:
                raise RenderProblem("choices", "no choices for this case", i)
            correct = _correct(case, options, want, from_case, i)
        return Case(text, want, options, correct, extra, case)


def render_entry(raw: Mapping[str, Any], source: CaseSource, formats: list[str], check: Check, seed: int,
                 exemplars: CaseSource | None = None) -> Rendered:
    """Every case in every format, the few-shot indices of each case (drawn from the other cases),
    or the fixed exemplars (`shots_from`: the first `shots` of them, all by default)."""
    templates = _Templates(raw, source, formats, check)
    rendered = {f: tuple(templates.case(case, i, f) for i, case in enumerate(source.cases)) for f in formats}
    shots = raw.get("shots")
    if exemplars is None:
        first = rendered[formats[0]]
        indices = choose_shots([r.prompt for r in first], int(shots or 0), seed, str(raw.get("id")))
        return Rendered(rendered, indices, {})
    chosen = exemplars.cases if shots is None else exemplars.cases[:int(shots)]
    if shots is not None and int(shots) > len(exemplars.cases):
        raise RenderProblem("shots", f"{shots} shots asked, but shots_from has {len(exemplars.cases)} exemplars")
    fixed: dict[str, tuple[Case, ...]] = {}
    for f in formats:
        try:
            fixed[f] = tuple(templates.case(example, k, f) for k, example in enumerate(chosen))
        except RenderProblem as exc:
            raise RenderProblem(exc.field, f"shots_from exemplar {exc.case}: {exc.message}") from None
        prompts = {c.prompt: k for k, c in enumerate(fixed[f])}
        for i, case in enumerate(rendered[f]):
            if case.prompt in prompts:
                raise RenderProblem("shots_from", f"exemplar {prompts[case.prompt]} is also a case: that case would "
                                                  "be shown its own answer; leave it out of one of them", i)
    return Rendered(rendered, tuple(() for _ in source.cases), fixed)
