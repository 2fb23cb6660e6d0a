"""The ledger folder: one JSON record per run, written atomically, read back tolerantly.

A run killed halfway must never cost an earlier record, so a record is written to a
temporary file in the same folder, flushed to disk, then renamed into place (`files.py`).
Reading skips (and warns about) a file that is not a readable record, and drops (and names)
a field of the wrong type; it never touches the file: a person may want to look at it.
Per-case evidence lives beside each record (`cases.py`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import warnings
from pathlib import Path
from typing import Any

from ..outcomes import Status
from ..results import SCHEMA_VERSION
from .cases import cases_path, write_cases
from .files import LedgerError, LedgerWarning, write_atomically
from .validate import check_header, clean_record

_STATUSES = {s.value for s in Status}
_last_stamp: list[dt.datetime] = []


def new_run_id(now: dt.datetime | None = None) -> str:
    """UTC time to the millisecond plus a random suffix: sorts by creation, never collides.

    Ids made by one process are strictly increasing even within one millisecond, so runs
    imported in one command keep their order.
    """
    stamp = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    stamp = stamp.replace(microsecond=stamp.microsecond // 1000 * 1000)
    if _last_stamp and stamp <= _last_stamp[0]:
        stamp = _last_stamp[0] + dt.timedelta(milliseconds=1)
    _last_stamp[:] = [stamp]
    return f"{stamp:%Y%m%dT%H%M%S}.{stamp.microsecond // 1000:03d}Z-{secrets.token_hex(3)}"


def check_record(data: Any) -> str | None:
    """Why `data` is not a complete run record this version can write or read, or None when it is.

    Strict: every result must be readable. Reading a ledger is more forgiving (`read_record`).
    """
    problem = check_header(data)
    if problem:
        return problem
    for i, result in enumerate(data["results"]):
        if not isinstance(result, dict) or not isinstance(result.get("capability"), str) \
                or not isinstance(result.get("model"), str):
            return f"results[{i}] lacks 'capability' or 'model'"
        if not isinstance(result.get("status"), str) or result["status"] not in _STATUSES:
            return f"results[{i}] has unknown status {result.get('status')!r:.40}"
    return None


def read_record(data: Any, source: Path | str) -> dict[str, Any] | None:
    """`data` as a run record, with unreadable fields and results dropped (one warning names
    them and `source`); None, with a warning, when it cannot be a record at all."""
    problem = check_header(data)
    if problem:
        warnings.warn(f"ledger record {source} skipped: {problem}; the file is left as it is",
                      LedgerWarning, stacklevel=3)
        return None
    dropped = clean_record(data)
    if dropped:
        shown = "; ".join(dropped[:5]) + (f"; and {len(dropped) - 5} more" if len(dropped) > 5 else "")
        warnings.warn(f"ledger record {source}: {shown} (the file is left as it is)", LedgerWarning, stacklevel=3)
    return data


class Ledger:
    """Run records in one folder, one `<run_id>.json` each."""

    def __init__(self, folder: Path | str):
        self.folder = Path(folder)

    def __repr__(self) -> str:
        return f"Ledger({str(self.folder)!r})"

    def path_of(self, run_id: str) -> Path:
        return self.folder / f"{run_id}.json"

    def write(self, document: dict[str, Any]) -> str:
        """Store `document` as a new run (sets `run_id` when missing, and `schema_version`).

        Results' `cases` go to `<run_id>.cases.json.gz`; `document` itself keeps them.
        """
        document.setdefault("run_id", new_run_id())
        document["schema_version"] = SCHEMA_VERSION
        run_id = str(document["run_id"])
        if not run_id or "/" in run_id or os.sep in run_id or run_id.startswith("."):
            raise LedgerError(f"ledger {self.folder}: run id {run_id!r} cannot name a file")
        problem = check_record(document)
        if problem:
            raise LedgerError(f"ledger {self.folder}: run {run_id} is not a valid record: {problem}")
        final = self.path_of(run_id)
        if final.exists():
            raise LedgerError(f"ledger {self.folder}: run {run_id} is already recorded ({final}); a record is never overwritten")
        # Cases go to their own compressed file, written first: a record never names a file
        # that is not there. The record keeps the results without them, so it stays small.
        record = {**document, "results": [{k: v for k, v in r.items() if k != "cases"} for r in document["results"]]}
        if write_cases(self.folder, run_id, document["results"]) is not None:
            record["cases_file"] = cases_path(self.folder, run_id).name
        text = json.dumps(record, indent=1) + "\n"
        write_atomically(final, f".{run_id}.", lambda handle: handle.write(text.encode("utf-8")))
        return run_id

    def _read(self, path: Path) -> dict[str, Any] | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
            warnings.warn(f"ledger record {path} skipped: cannot be read as JSON ({exc}); the file is left as it is",
                          LedgerWarning, stacklevel=3)
            return None
        record = read_record(data, path)
        if record is not None:
            record.setdefault("run_id", path.stem)
        return record

    def runs(self) -> list[dict[str, Any]]:
        """Every readable record, oldest first (by start time, then run id)."""
        if not self.folder.is_dir():
            if self.folder.exists():
                raise LedgerError(f"ledger {self.folder} is a file, not a folder of run records; name a folder")
            return []
        records = []
        for path in sorted(self.folder.glob("*.json")):
            if path.name.startswith("."):  # temporary files of writes in progress or killed
                continue
            record = self._read(path)
            if record is not None:
                records.append(record)
        return sorted(records, key=lambda r: (str(r.get("started") or ""), str(r["run_id"])))

    def stored_ids(self) -> list[str]:
        """The run ids the folder holds, from the file names alone (nothing is read or checked)."""
        if not self.folder.is_dir():
            return []
        return sorted(p.stem for p in self.folder.glob("*.json") if not p.name.startswith("."))

    def run_ids(self) -> list[str]:
        return [str(r["run_id"]) for r in self.runs()]

    def get(self, run_id: str) -> dict[str, Any]:
        """The run with this id, or the only one whose id starts with it."""
        runs = self.runs()
        exact = [r for r in runs if r["run_id"] == run_id]
        matches = exact or [r for r in runs if str(r["run_id"]).startswith(run_id)]
        if len(matches) == 1:
            return matches[0]
        known = ", ".join(str(r["run_id"]) for r in (matches or runs)) or "none"
        what = "matches several runs" if matches else "is not a run"
        raise LedgerError(f"ledger {self.folder}: {run_id!r} {what}; known runs: {known}")

    def latest(self) -> dict[str, Any] | None:
        runs = self.runs()
        return runs[-1] if runs else None
