"""Reading one spec file into validated `Spec` records, with errors that point at the mistake.

Each problem names the file (and line where YAML gives one), the entry id, the field and what
was expected. A file with any problem is one collection error listing them all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NoReturn

from ...checks.types import CHECK_OPTIONS, CHECKS, NEEDS_EXPECTED, Case, Check, Normalize
from ...config.defaults import MAX_GENERATED_CASES
from ...hints import did_you_mean
from ...models.framing import FORMATS
from ...scale import ScaleError, ScaleRequirement, build_requirement
from .cases import BIGBENCH_CHECKS, CaseProblem, CaseSource, from_data, from_examples, from_generate, read_exemplars
from .entry import Spec
from .layout import FieldProblem, read_layout, read_stop
from .levels import levels
from .render import RenderProblem, render_entry
from .resolve import resolve_check
from .schema import ENTRY_FIELDS, NORMALIZE_OPTIONS, REQUIRED, SCALE_DIMENSIONS
from .strategies import StrategyProblem
from .yamlio import SpecError, line_of, load_yaml

_ID = re.compile(ENTRY_FIELDS["id"][0]["pattern"])
_KINDS = {"string": (str,), "number": (int, float), "integer": (int,), "boolean": (bool,)}
_MISSING = object()


class SpecFileError(Exception):
    """All problems of one file, shown as one collection error."""

    def __init__(self, errors: list[SpecError]):
        self.errors = errors
        super().__init__("\n".join(e.render() for e in errors))


class _Entry:
    """One entry being read: every failure carries file, entry id, field and line."""

    def __init__(self, raw: Mapping[str, Any], shown: str, label: str):
        self.raw, self.shown, self.label = raw, shown, label

    def fail(self, field: str | None, message: str, line: int | None = None) -> NoReturn:
        raise SpecError(self.shown, message, entry=self.label, field=field,
                        line=line or (line_of(self.raw, field) if field else line_of(self.raw)))

    def get(self, name: str, kind: str | tuple[str, ...], default: Any = _MISSING) -> Any:
        if name not in self.raw:
            if default is _MISSING:
                self.fail(name, "missing; it is required")
            return default
        value = self.raw[name]
        kinds = (kind,) if isinstance(kind, str) else kind
        if not _is(value, kinds):
            self.fail(name, f"expected {' or '.join(_article(k) for k in kinds)}, got {_describe(value)}")
        return value


def _is(value: Any, kinds: tuple[str, ...]) -> bool:
    for kind in kinds:
        if kind == "list" and isinstance(value, list):
            return True
        if kind == "map" and isinstance(value, dict):
            return True
        if kind in _KINDS and isinstance(value, _KINDS[kind]) and (kind == "boolean" or not isinstance(value, bool)):
            return True
    return False


def _article(kind: str) -> str:
    return {"integer": "a whole number", "map": "a map", "list": "a list", "boolean": "true or false",
            "string": "a string", "number": "a number"}[kind]


def _describe(value: Any) -> str:
    kind = {bool: "a boolean", int: "a number", float: "a number", str: "a string"}.get(type(value))
    if isinstance(value, dict):
        kind = "a map"
    elif isinstance(value, list):
        kind = "a list"
    shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
    return f"{kind or type(value).__name__} {shown}" if kind else shown


def _scale(e: _Entry, tiers: Mapping[str, ScaleRequirement]) -> ScaleRequirement:
    value = e.get("requires_scale", ("string", "number", "map"), None)
    if value is None:
        return ScaleRequirement()
    dims = dict(value) if isinstance(value, dict) else {"params": value}
    for dim in dims:
        if dim not in SCALE_DIMENSIONS:
            e.fail("requires_scale", f"unknown dimension {dim!r}; expected {', '.join(SCALE_DIMENSIONS)}")
    try:
        return build_requirement(**dims, tiers=tiers)
    except ScaleError as exc:
        e.fail("requires_scale", str(exc))
    except TypeError as exc:
        e.fail("requires_scale", f"expected a scale like '7B' or 7e9: {exc}")


def _normalize(e: _Entry, value: Any, field: str) -> Normalize:
    if value is None:
        return Normalize()
    if not isinstance(value, dict):
        e.fail(field, f"expected a map of {', '.join(NORMALIZE_OPTIONS)}, got {_describe(value)}")
    for key, flag in value.items():
        if key not in NORMALIZE_OPTIONS:
            e.fail(field, f"unknown option {key!r}; expected {', '.join(NORMALIZE_OPTIONS)}{did_you_mean(key, NORMALIZE_OPTIONS)}")
        if not isinstance(flag, bool):
            e.fail(field, f"{key}: expected true or false, got {_describe(flag)}")
    return Normalize(**value)


def _check(e: _Entry, default: str) -> Check:
    raw = e.get("check", ("string", "map"), default)
    options = dict(raw) if isinstance(raw, dict) else {"type": raw}
    name = options.pop("type", None)
    if not isinstance(name, str):
        e.fail("check", f"expected a check name or a map with 'type'; checks: {', '.join(CHECKS)}")
    if name not in CHECKS:
        e.fail("check", f"unknown check {name!r}; expected one of {', '.join(CHECKS)}{did_you_mean(name, CHECKS)}")
    normalize = _normalize(e, options.pop("normalize", None) or e.raw.get("normalize"),
                           "check" if isinstance(raw, dict) and "normalize" in raw else "normalize")
    known = CHECK_OPTIONS[name]
    for key, value in options.items():
        if key not in known:
            allowed = ", ".join(known) or "none besides normalize"
            e.fail("check", f"unknown option {key!r} of check {name!r}; options: {allowed}{did_you_mean(key, known)}")
        kind = known[key][0]
        if not _is(value, (kind,)):
            e.fail("check", f"{name}.{key}: expected {_article(kind)}, got {_describe(value)}")
    for key, (_kind, required, _t, text) in known.items():
        if required and key not in options:
            e.fail("check", f"check {name!r} needs option {key!r}: {text}")
    if name == "python" and not re.fullmatch(r"[\w.]+:\w+", options["function"]):
        e.fail("check", f"python.function: expected 'module:function', got {options['function']!r}")
    return Check(name, options, normalize)


def _source(e: _Entry, base: Path, data_root: Path | None) -> tuple[CaseSource, str]:
    given = [k for k in ("examples", "data", "generate") if k in e.raw]
    if len(given) != 1:
        e.fail(given[1] if given else None, "give exactly one source of cases: examples, data or generate"
               + (f" (found {', '.join(given)})" if given else ""))
    field = given[0]
    count = e.get("count", "integer", None)
    if count is not None and count < 1:
        e.fail("count", f"expected a whole number ≥ 1, got {count}")
    if field == "generate" and (count or 0) > MAX_GENERATED_CASES:
        e.fail("count", f"{count} cases: at most {MAX_GENERATED_CASES} can be drawn for one entry (each takes "
                        "milliseconds, at every collection without a cache); keep more cases in a data: file")
    seed = e.get("seed", "integer", 0)
    try:
        if field == "examples":
            source = from_examples(e.raw["examples"])
        elif field == "data":
            source = from_data(e.raw["data"], base, root=data_root)
        else:
            source = from_generate(e.raw["generate"], count or 20, seed)
    except CaseProblem as exc:
        e.fail(exc.field, str(exc))
    except StrategyProblem as exc:
        e.fail("generate", f"{exc}", line=_strategy_line(e.raw["generate"], exc.path))
    if count is not None and field != "generate":
        source = CaseSource(source.cases[:count], source.bigbench, source.metric, source.prefix,
                            source.input_prefix, source.output_prefix, source.lines[:count])
    return source, field


def _strategy_line(generate: Any, path: str) -> int | None:
    head = path.split(".", 1)[0].split("[", 1)[0]
    return line_of(generate, head) if isinstance(generate, dict) else line_of(generate)


def _entry(raw: Any, index: int, shown: str, base: Path, tiers: Mapping[str, ScaleRequirement], file: Path,
           data_root: Path | None = None) -> Spec:
    """One entry into a Spec. Independent parts are checked one after another and every part's
    first problem is kept, so one run shows all of an entry's mistakes (raised together as a
    SpecFileError); parts that need an earlier one's value are skipped once that one failed."""
    if not isinstance(raw, dict):
        raise SpecError(shown, f"entry {index}: expected a map with id, description, ...; got {_describe(raw)}",
                        line=None)
    label = raw.get("id") if isinstance(raw.get("id"), str) else f"#{index}"
    e = _Entry(raw, shown, label)
    problems: list[SpecError] = []

    def part(read: Any, fallback: Any = None) -> Any:
        try:
            return read()
        except SpecError as exc:
            problems.append(exc)
            return fallback

    for key in raw:
        if key not in ENTRY_FIELDS:
            part(lambda key=key: e.fail(str(key), f"unknown field{did_you_mean(key, ENTRY_FIELDS)}; "
                                                  f"known fields: {', '.join(ENTRY_FIELDS)}"))
    part(lambda: _identity(e))
    scale = part(lambda: _scale(e, tiers), ScaleRequirement())
    traits = part(lambda: _words(e, "requires_traits", "expected a list of words (instruct, chat, base, code...)"), [])
    prerequisites = part(lambda: _words(e, "requires_capabilities", "expected a list of capability ids"), [])
    found = part(lambda: _source(e, base, data_root))
    source = found[0] if found else None
    formats = part(lambda: _formats(e, source), ["raw"])
    has_choices = "choices" in raw or (source is not None and all("choices" in c for c in source.cases))
    default_check = (BIGBENCH_CHECKS[source.metric] if source is not None and source.metric
                     else "choice" if "choices" in raw else "exact")
    check = part(lambda: _check(e, default_check))
    if check is not None and source is not None:
        part(lambda: _check_needs(e, check, source, has_choices))
    threshold, chance, tau = part(lambda: _threshold(e), (1.0, None, None))
    shots = part(lambda: _whole(e, "shots", 0, 0), 0)
    max_new = part(lambda: _whole(e, "max_new_tokens", 32, 1), 32)
    stop = part(lambda: _read(e, read_stop, e.raw.get("stop"), formats), {})
    layout = part(lambda: _read(e, read_layout, e.raw.get("layout")))
    for name in ("t5_prefix", "prefix", "system"):
        part(lambda name=name: e.get(name, "string", None))
    seed = part(lambda: e.get("seed", "integer", 0), 0)
    exemplars = part(lambda: _exemplars(e, base, data_root)) if "shots_from" in raw else None
    if problems:
        raise problems[0] if len(problems) == 1 else SpecFileError(sorted(problems, key=lambda p: p.line or 0))
    try:
        rendered = render_entry(raw, source, formats, check, seed, exemplars)
        resolve_check(check, rendered.cases, base)
    except RenderProblem as exc:
        case_line = source.lines[exc.case] if exc.case is not None and exc.case < len(source.lines) else None
        e.fail(exc.field, str(exc), line=case_line)
    if tau is not None and chance is None:
        chance = _chance_of_cases(check, rendered.cases)
        threshold = chance + tau * (1 - chance)
    return Spec(
        id=raw["id"], description=raw["description"].strip(), file=file, line=line_of(raw),
        scale=scale, traits=tuple(traits), formats=tuple(formats), check=check, threshold=float(threshold),
        shots=shots, max_new_tokens=max_new,
        stop=stop, layout=layout,
        system=raw.get("system"), prefix=raw.get("prefix", source.prefix or (exemplars and exemplars.prefix)),
        metric_name=source.metric, rendered=rendered.cases, shot_indices=rendered.shot_indices,
        exemplars=rendered.exemplars, levels={f: levels(check, cases) for f, cases in rendered.cases.items()},
        prerequisites=tuple(prerequisites), chance=chance, tau=tau,
    )


def _identity(e: _Entry) -> None:
    for key in REQUIRED:
        e.get(key, "string")
    if not _ID.match(e.raw["id"]):
        e.fail("id", f"expected letters, digits and _ . / : - (no spaces or brackets), got {e.raw['id']!r}")
    if not e.raw["description"].strip():
        e.fail("description", "expected a description that says what is tested and where its scale comes from")


def _words(e: _Entry, field: str, expected: str) -> list[str]:
    words = e.get(field, "list", [])
    if not all(isinstance(w, str) and w for w in words):
        e.fail(field, expected)
    return words


def _formats(e: _Entry, source: CaseSource | None) -> list[str]:
    bigbench = source is not None and source.bigbench
    prefixed = source is not None and (source.input_prefix or source.output_prefix)
    formats = e.get("formats", ("string", "list"), ["raw"] if prefixed else ["qa"] if bigbench else ["raw"])
    formats = [formats] if isinstance(formats, str) else list(formats)
    for f in formats:
        if f not in FORMATS:
            e.fail("formats", f"unknown format {f!r}; expected {', '.join(FORMATS)}{did_you_mean(f, FORMATS)}")
    if len(set(formats)) != len(formats):
        e.fail("formats", "a format is listed twice")
    return formats


def _check_needs(e: _Entry, check: Check, source: CaseSource, has_choices: bool) -> None:
    if check.type == "choice" and not has_choices:
        e.fail("choices", "the choice check needs choices (a list here, or 'choices' in every case)")
    if check.type in NEEDS_EXPECTED and "expected" not in e.raw and not all(
            any(k in c for k in ("expected", "target", "targets")) for c in source.cases):
        e.fail("expected", f"missing; the {check.type} check compares the output with an expected answer")


def _threshold(e: _Entry) -> tuple[float, float | None, float | None]:
    """(threshold, chance, tau): a pass rate, or {tau, chance} relative to chance (chance None: from the cases)."""
    threshold = e.raw.get("threshold", 1.0)
    if not _is(threshold, ("number", "map")):
        e.fail("threshold", f"expected a pass rate like 0.8, or {{tau: 0.25}} relative to chance; got "
                            f"{_describe(threshold)}")
    if isinstance(threshold, dict):
        unknown = sorted(str(k) for k in threshold if k not in ("tau", "chance"))
        tau, chance = threshold.get("tau"), threshold.get("chance")
        if unknown or not _is(tau, ("number",)) or not 0 < tau <= 1:
            e.fail("threshold", "expected {tau: T} or {tau: T, chance: C}: T in (0, 1], the share of the way from "
                                f"chance to a perfect score{f'; unknown {unknown[0]!r}' if unknown else ''}")
        if chance is not None and (not _is(chance, ("number",)) or not 0 <= chance < 1):
            e.fail("threshold", f"chance: expected the pass rate of guessing, in [0, 1), got {chance!r}")
        return (chance or 0.0) + tau * (1 - (chance or 0.0)), chance, tau
    if not 0 <= threshold <= 1:
        e.fail("threshold", f"expected a pass rate between 0 and 1, got {threshold}")
    return threshold, None, None


def _chance_of_cases(check: Check, rendered: Mapping[str, tuple[Case, ...]]) -> float:
    """What guessing scores: the mean of 1/choices over the cases of a choice check; 0 for the others."""
    cases = next(iter(rendered.values()), ())
    if check.type != "choice" or not cases or not all(c.choices for c in cases):
        return 0.0
    return sum(1.0 / len(c.choices) for c in cases) / len(cases)


def _whole(e: _Entry, name: str, default: int, least: int) -> int:
    value = e.get(name, "integer", default)
    if value < least:
        e.fail(name, f"expected a whole number ≥ {least}, got {value}")
    return value


def _exemplars(e: _Entry, base: Path, data_root: Path | None) -> CaseSource:
    try:
        return read_exemplars(e.raw["shots_from"], base, data_root)
    except CaseProblem as exc:
        e.fail(exc.field, str(exc))


def _read(e: _Entry, reader: Any, *args: Any) -> Any:
    """A field read by a helper module, its problem reported at the field."""
    try:
        return reader(*args)
    except FieldProblem as exc:
        e.fail(exc.field, str(exc))


def load_specs(path: Path, shown: str, tiers: Mapping[str, ScaleRequirement] | None = None, *,
               data_root: Path | None = None) -> list[Spec]:
    """Every entry of one spec file; raises SpecFileError listing each broken entry. A `data:` file
    must lie inside `data_root` (the rootdir) unless it is None."""
    document = load_yaml(path, shown)
    if isinstance(document, dict) and set(document) == {"capabilities"}:
        document = document["capabilities"]
    if not isinstance(document, list) or not document:
        raise SpecFileError([SpecError(shown, "expected a list of capability entries (or {capabilities: [...]})",
                                       line=line_of(document) if document is not None else None)])
    specs: list[Spec] = []
    errors: list[SpecError] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(document):
        try:
            spec = _entry(raw, index, shown, path.parent, tiers or {}, path, data_root)
        except (SpecError, SpecFileError) as exc:
            for one in exc.errors if isinstance(exc, SpecFileError) else [exc]:
                if one.line is None:
                    one = SpecError(one.file, one.message, entry=one.entry, field=one.field, line=line_of(document, index))
                errors.append(one)
            continue
        if spec.id in seen:
            errors.append(SpecError(shown, f"duplicate id; first used by entry {seen[spec.id]}", entry=spec.id,
                                    field="id", line=spec.line))
        seen[spec.id] = index
        specs.append(spec)
    if errors:
        raise SpecFileError(errors)
    return specs
