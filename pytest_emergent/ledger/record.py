"""The end of a run in one call: changes against the ledger, then the record written.

The plugin (and anything else that produces run documents) calls this once, after the last
result is in; everything it writes afterwards (JSON, Markdown, HTML, annotations) reads the
document returned, so every report shows the same changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .baseline import assign_changes
from .cases import CaseLoader
from .files import LedgerError
from .store import Ledger, new_run_id
from .verdicts import DEFAULT_ALPHA


@dataclass(frozen=True)
class RecordedRun:
    document: dict[str, Any]  # the run, with run_id, change and baseline filled in
    runs: list[dict[str, Any]]  # every readable run of the ledger, oldest first, this one last
    path: Path | None  # the record's file; None when no ledger is kept


def record_run(document: dict[str, Any], folder: Path | str | None, *, baseline: str = "latest",
               store: bool = True, alpha: float = DEFAULT_ALPHA, correction: str = "holm") -> RecordedRun:
    """Assign changes against the ledger in `folder` and store the run there.

    `folder=None` (`--emergent-no-ledger`) keeps nothing: changes then come only from lower
    checkpoints of this same run, and a pinned baseline run cannot be found. `store=False`
    compares with the ledger but writes nothing (an interrupted run). `alpha` and
    `correction` (`holm`, `bh`, `none`) set how sure a change must be to count (`--emergent-alpha`,
    `--emergent-correction`). Results' `cases` stay in `document` (for the JSON report) and go
    to the ledger beside the record.
    """
    document.setdefault("run_id", new_run_id())
    if folder is None:
        if baseline not in ("latest", "none"):
            raise LedgerError(f"baseline {baseline!r} needs a ledger, but the ledger is off (--emergent-no-ledger)")
        assign_changes(document, [], baseline, alpha=alpha, correction=correction)
        return RecordedRun(document, [document], None)
    ledger = Ledger(folder)
    earlier = ledger.runs()
    assign_changes(document, earlier, baseline, alpha=alpha, correction=correction, cases=CaseLoader(folder))
    if not store:
        return RecordedRun(document, [*earlier, document], None)
    run_id = ledger.write(document)
    return RecordedRun(document, [*earlier, document], ledger.path_of(run_id))
