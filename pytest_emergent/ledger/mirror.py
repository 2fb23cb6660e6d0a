"""The ledger in any folder the user mounts or syncs (NFS, a bucket mounted with FUSE, a synced
drive): copy the records one side lacks to the other.

Records have unique names and are never changed, so a copy never needs to overwrite: each
file is written to a temporary name and then linked (or, where the file system cannot link,
renamed) into place only when the name is free. Two runs copying into the folder at once
both land, and a file of the same name with other content is reported, never replaced.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from .remote import SyncReport
from .store import LedgerError, check_record


def _record_names(folder: Path) -> dict[str, Path]:
    if not folder.is_dir():
        return {}
    return {p.name: p for p in folder.glob("*.json") if not p.name.startswith(".") and p.is_file()}


def _problem(data: bytes) -> str | None:
    try:
        return check_record(json.loads(data.decode("utf-8")))
    except (UnicodeDecodeError, ValueError) as exc:
        return f"cannot be read as JSON ({exc})"


def _place(data: bytes, final: Path) -> bool:
    """Write `data` at `final` unless a file is there already; False when one was."""
    fd, tmp = tempfile.mkstemp(prefix=f".{final.stem}.", suffix=".tmp", dir=final.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, final)  # atomic, and fails when the name is taken
        except FileExistsError:
            return False
        except OSError:  # file systems without hard links
            if final.exists():
                return False
            os.replace(tmp, final)
        return True
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def copy_records(source: Path | str, target: Path | str) -> tuple[list[str], list[str]]:
    """Copy each record of `source` that `target` lacks; returns (copied names, 'FILE: reason'
    for files left alone: not a record, or a different file of the same name in the target)."""
    source, target = Path(source), Path(target)
    target.mkdir(parents=True, exist_ok=True)
    present = _record_names(target)
    copied, skipped = [], []
    for name, path in sorted(_record_names(source).items()):
        data = path.read_bytes()
        if name in present:
            if present[name].read_bytes() != data:
                skipped.append(f"{path}: {target / name} has other content; neither is changed")
            continue
        problem = _problem(data)
        if problem:
            skipped.append(f"{path}: {problem}")
        elif _place(data, target / name):
            copied.append(name)
        elif (target / name).read_bytes() != data:
            skipped.append(f"{path}: {target / name} appeared meanwhile with other content; neither is changed")
    return copied, skipped


def _check_shared(shared: Path | str) -> None:
    """A shared folder that is not there is more likely unmounted than empty: say so."""
    if not Path(shared).is_dir():
        raise LedgerError(f"shared ledger folder {shared} does not exist: mount it, or create it empty for a first run")


def pull_folder(folder: Path | str, shared: Path | str) -> SyncReport:
    """Bring the records of the shared folder into the ledger folder."""
    _check_shared(shared)
    copied, skipped = copy_records(shared, folder)
    return SyncReport(pulled=tuple(copied), skipped=tuple(skipped))


def push_folder(folder: Path | str, shared: Path | str) -> SyncReport:
    """Add the ledger folder's records the shared folder lacks to it."""
    _check_shared(shared)
    copied, skipped = copy_records(folder, shared)
    return SyncReport(pushed=tuple(copied), attempts=1, skipped=tuple(skipped))
