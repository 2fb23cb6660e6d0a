"""Per-case evidence beside each run record: `<run_id>.cases.json.gz`.

A capability's cases (prompt, output, expected answer, verdict, metrics) are what a person
reads when a result changed, and what the paired significance test needs; they are also most
of a run's bytes. So they live in a compressed file of their own next to the record, written
atomically like it, and are read only when asked for: listing runs or drawing history never
opens them, and a paired test opens the baseline run's file once.
"""

from __future__ import annotations

import gzip
import json
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .files import LedgerWarning, write_atomically

SUFFIX = ".cases.json.gz"

# Field → (accepted types, what the warning says is expected). `id` is required.
_CASE_FIELDS: dict[str, tuple[tuple[type, ...], str]] = {
    "passed": ((bool, type(None)), "true, false or null"),
    "prompt": ((str,), "a string"),
    "output": ((str, type(None)), "a string or null"),
    "expected": ((list,), "a list of strings"),
    "choices": ((list, type(None)), "a list of strings or null"),
    "scores": ((list, type(None)), "a list of numbers or null"),
    "metrics": ((dict,), "an object"),
    "detail": ((str,), "a string"),
}


def _field_ok(name: str, value: Any) -> bool:
    types, _ = _CASE_FIELDS[name]
    if not isinstance(value, types):
        return False
    if name in ("expected", "choices") and isinstance(value, list):
        return all(isinstance(v, str) for v in value)
    if name == "scores" and isinstance(value, list):
        return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    return True


def clean_cases(cases: Any, where: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The readable cases of one result, and what was dropped (`where[3].passed: …`).

    A case without a string `id` cannot be matched across runs and is dropped; a wrongly typed
    field is dropped from its case, the rest of the case kept.
    """
    if not isinstance(cases, list):
        return [], [f"{where} is not a list of cases"]
    kept, problems = [], []
    for i, case in enumerate(cases):
        if not isinstance(case, dict) or not isinstance(case.get("id"), str):
            problems.append(f"{where}[{i}] has no string 'id'; the case is ignored")
            continue
        clean = {"id": case["id"]}
        for name, value in case.items():
            if name == "id":
                continue
            if name in _CASE_FIELDS and not _field_ok(name, value):
                problems.append(f"{where}[{i}].{name} is {type(value).__name__}, not {_CASE_FIELDS[name][1]}; ignored")
                continue
            clean[name] = value
        kept.append(clean)
    return kept, problems


def _key(result: dict[str, Any]) -> tuple[str, str]:
    return (str(result.get("capability")), str(result.get("model")))


def _jsonable(value: Any) -> Any:
    """NaN and infinities become null: strict JSON has no spelling for them."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def cases_path(folder: Path, run_id: str) -> Path:
    return folder / f"{run_id}{SUFFIX}"


def write_cases(folder: Path, run_id: str, results: list[dict[str, Any]]) -> Path | None:
    """Store the `cases` of every result that has them; None when no result has any.

    Same discipline as the record: a temporary file in the folder, flushed to disk, renamed.
    """
    entries = [{"capability": r.get("capability"), "model": r.get("model"), "nodeid": r.get("nodeid"),
                "cases": _jsonable(r["cases"])}
               for r in results if isinstance(r.get("cases"), list) and r["cases"]]
    if not entries:
        return None
    final = cases_path(folder, run_id)
    data = json.dumps({"run_id": run_id, "results": entries}, ensure_ascii=False).encode("utf-8")

    def write(handle) -> None:
        with gzip.GzipFile(fileobj=handle, mode="wb", mtime=0) as zipped:
            zipped.write(data)

    write_atomically(final, f".{run_id}.cases.", write)
    return final


def read_cases(path: Path) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Cases by (capability, model) from one cases file; {} (with one warning) when it is unreadable."""
    try:
        with gzip.open(path, "rb") as handle:
            data = json.loads(handle.read().decode("utf-8"))
    except (OSError, EOFError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        warnings.warn(f"ledger cases file {path} skipped: cannot be read ({exc}); the file is left as it is",
                      LedgerWarning, stacklevel=2)
        return {}
    entries = data.get("results") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        warnings.warn(f"ledger cases file {path} skipped: no 'results' list; the file is left as it is",
                      LedgerWarning, stacklevel=2)
        return {}
    out: dict[tuple[str, str], list[dict[str, Any]]] = {}
    problems: list[str] = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("capability"), str) \
                or not isinstance(entry.get("model"), str):
            problems.append(f"results[{i}] lacks 'capability' or 'model'; ignored")
            continue
        cases, found = clean_cases(entry.get("cases"), f"results[{i}].cases")
        problems += found
        out[_key(entry)] = cases
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        warnings.warn(f"ledger cases file {path}: {shown}", LedgerWarning, stacklevel=2)
    return out


CaseSource = Callable[[dict[str, Any], dict[str, Any]], "list[dict[str, Any]] | None"]


class CaseLoader:
    """Cases of a result: those it carries (a run in progress, a JSON report), else the ledger's file.

    Each run's file is opened at most once, and only when a result of that run is asked for.
    """

    def __init__(self, folder: Path | str | None):
        self.folder = None if folder is None else Path(folder)
        self._files: dict[str, dict[tuple[str, str], list[dict[str, Any]]]] = {}

    def __call__(self, document: dict[str, Any], result: dict[str, Any]) -> list[dict[str, Any]] | None:
        inline = result.get("cases")
        if isinstance(inline, list) and inline:  # an empty list: the result has no cases
            return inline
        run_id = str(document.get("run_id") or "")
        if self.folder is None or not run_id:
            return None
        if run_id not in self._files:
            path = cases_path(self.folder, run_id)
            self._files[run_id] = read_cases(path) if path.is_file() else {}
        return self._files[run_id].get(_key(result))


def inline_cases(document: dict[str, Any], result: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The cases a result carries itself (no ledger to look in)."""
    cases = result.get("cases")
    return cases if isinstance(cases, list) and cases else None


@dataclass(frozen=True)
class Flip:
    """One case graded differently by two runs (matched by id)."""

    id: str
    before: dict[str, Any]
    after: dict[str, Any]

    @property
    def lost(self) -> bool:
        """Passed before, fails now."""
        return bool(self.before.get("passed")) and self.after.get("passed") is False


def flipped_cases(before: list[dict[str, Any]] | None, after: list[dict[str, Any]] | None) -> list[Flip]:
    """Cases graded in both runs whose verdict differs, pass → fail ones first, in the order of `after`."""
    earlier = {c["id"]: c for c in before or [] if isinstance(c, dict) and isinstance(c.get("id"), str)}
    flips = [Flip(c["id"], earlier[c["id"]], c) for c in after or []
             if isinstance(c, dict) and isinstance(c.get("id"), str) and c["id"] in earlier
             and isinstance(c.get("passed"), bool) and isinstance(earlier[c["id"]].get("passed"), bool)
             and c["passed"] != earlier[c["id"]]["passed"]]
    return sorted(flips, key=lambda f: not f.lost)
