"""Field-by-field checks of a run record as it is read.

A record edited by hand, written by another tool, or half-understood by an older version must
not crash `emergent history` or a CI run. What makes a record unusable (not an object, no
results list, a newer schema) skips the file; a result without a capability, model or known
status is left out; any other field of the wrong type is dropped, the rest of the record kept.
Every drop is named (file, `results[3].score`) in one warning per file.
"""

from __future__ import annotations

import math
from typing import Any

from ..outcomes import Change, Status
from ..results import SCHEMA_VERSION
from .cases import clean_cases

_STATUSES = {s.value for s in Status}
_CHANGES = {c.value for c in Change}


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _optional(check):
    return lambda value: value is None or check(value)


def _interval(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2 and all(_number(v) for v in value)


def _one_of(names: set[str]):
    """A check that `value` is one of `names` (a list or map from a hand-edited file is not hashable)."""
    return lambda value: isinstance(value, str) and value in names


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


# Field → (check, what is expected), for the optional fields of a result.
RESULT_FIELDS: dict[str, tuple[Any, str]] = {
    "nodeid": (lambda v: isinstance(v, str), "a string"),
    "score": (_optional(_number), "a number or null"),
    "threshold": (_optional(_number), "a number or null"),
    "metrics": (lambda v: isinstance(v, dict), "an object"),
    "declared": (lambda v: isinstance(v, dict), "an object"),
    "reason": (lambda v: isinstance(v, str), "a string"),
    "duration": (_number, "a number"),
    "model_header": (_optional(lambda v: isinstance(v, dict)), "an object or null"),
    "n": (_optional(_count), "a non-negative integer or null"),
    "interval": (_optional(_interval), "[low, high] or null"),
    "stderr": (_optional(lambda v: _number(v) and v >= 0), "a non-negative number or null"),
    "fingerprint": (_optional(lambda v: isinstance(v, str)), "a string or null"),
    "change": (_optional(_one_of(_CHANGES)), f"one of {', '.join(sorted(_CHANGES))}"),
    "chance": (_optional(lambda v: _number(v) and 0 <= v < 1), "a pass rate in [0, 1) or null"),
    "tau": (_optional(lambda v: _number(v) and 0 < v <= 1), "a number in (0, 1] or null"),
    "change_note": (lambda v: isinstance(v, str), "a string"),
    "baseline": (_optional(lambda v: isinstance(v, dict)), "an object or null"),
    "significance": (_optional(lambda v: isinstance(v, dict)), "an object or null"),
    "nondeterministic": (lambda v: isinstance(v, bool), "true or false"),
    "first_run": (_optional(lambda v: isinstance(v, dict)), "an object or null"),
}

MODEL_FIELDS: dict[str, tuple[Any, str]] = {
    "family": (_optional(lambda v: isinstance(v, str)), "a string or null"),
    "fingerprint": (_optional(lambda v: isinstance(v, str)), "a string or null"),
    "revision": (_optional(lambda v: isinstance(v, str)), "a string or null"),
    "traits": (lambda v: isinstance(v, list), "a list"),
    "scale": (lambda v: isinstance(v, dict), "an object"),
    "info": (lambda v: isinstance(v, dict), "an object"),
}


def _clean_fields(entry: dict[str, Any], fields: dict[str, tuple[Any, str]], where: str, problems: list[str]) -> None:
    for name, (check, expected) in fields.items():
        if name in entry and not check(entry[name]):
            problems.append(f"{where}.{name} is {entry[name]!r:.40}, not {expected}; ignored")
            del entry[name]


def _clean_scale(model: dict[str, Any], where: str, problems: list[str]) -> None:
    scale = model.get("scale")
    if not isinstance(scale, dict):
        return
    for key, value in list(scale.items()):
        if value is not None and not (_number(value) and math.isfinite(value)):
            problems.append(f"{where}.scale.{key} is {value!r:.40}, not a number or null; ignored")
            scale[key] = None


def check_header(data: Any) -> str | None:
    """Why `data` cannot be a run record at all, or None."""
    if not isinstance(data, dict):
        return f"expected a JSON object, got {type(data).__name__}"
    version = data.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        return "no integer 'schema_version'"
    if version > SCHEMA_VERSION:
        return f"schema_version {version} is newer than this pytest-emergent reads ({SCHEMA_VERSION}); upgrade it"
    if not isinstance(data.get("results"), list):
        return "no 'results' list"
    if not isinstance(data.get("models", []), list):
        return "'models' is not a list"
    return None


def clean_record(data: dict[str, Any]) -> list[str]:
    """Drop (in place) what cannot be read; return what was dropped, one line per field or entry.

    Call after `check_header` found nothing wrong.
    """
    problems: list[str] = []
    kept = []
    for i, result in enumerate(data["results"]):
        where = f"results[{i}]"
        if not isinstance(result, dict) or not isinstance(result.get("capability"), str) \
                or not isinstance(result.get("model"), str):
            problems.append(f"{where} lacks a string 'capability' or 'model'; the result is ignored")
            continue
        if not _one_of(_STATUSES)(result.get("status")):
            problems.append(f"{where} has unknown status {result.get('status')!r:.40}; the result is ignored")
            continue
        _clean_fields(result, RESULT_FIELDS, where, problems)
        if "cases" in result:  # a JSON report (or an older record) carries its cases inline
            result["cases"], dropped = clean_cases(result["cases"], f"{where}.cases")
            problems.extend(dropped)
        kept.append(result)
    data["results"] = kept
    models = []
    for i, model in enumerate(data.get("models", [])):
        where = f"models[{i}]"
        if not isinstance(model, dict) or not isinstance(model.get("name"), str):
            problems.append(f"{where} has no string 'name'; ignored")
            continue
        _clean_fields(model, MODEL_FIELDS, where, problems)
        _clean_scale(model, where, problems)
        models.append(model)
    if "models" in data:
        data["models"] = models
    for name in ("run_id", "started"):
        if name in data and data[name] is not None and not isinstance(data[name], str):
            problems.append(f"{name} is {data[name]!r:.40}, not a string; ignored")
            del data[name]
    run_id = data.get("run_id")
    if isinstance(run_id, str) and (not run_id or "/" in run_id or "\\" in run_id or run_id.startswith(".")):
        # The run id names the cases file beside the record: it must not lead out of the ledger.
        problems.append(f"run_id {run_id!r:.60} cannot name a file; the file's name is used instead")
        del data["run_id"]
    return problems
