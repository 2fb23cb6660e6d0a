"""The ledger: run records across runs and checkpoints, baselines, history, diff and imports.

Nothing here imports pytest: the `emergent` command uses it without a test session.
"""

from ..config.defaults import LEDGER_FOLDER as DEFAULT_FOLDER
from .baseline import BASELINE_MODES, assign_changes, count_changes, find_run, regressions
from .checkpoints import Checkpoint, checkpoints_of, run_time
from .compare import Diff, DiffEntry, Side, diff, format_diff
from .curves import Curves, Point, curves
from .history import Cell, HistoryTable, format_history, history
from .imports import ImportFormatError, ImportOptions, import_file
from .record import RecordedRun, record_run
from .store import Ledger, LedgerError, LedgerWarning, check_record, new_run_id

__all__ = [
    "BASELINE_MODES",
    "DEFAULT_FOLDER",
    "Cell",
    "Checkpoint",
    "Curves",
    "Diff",
    "DiffEntry",
    "HistoryTable",
    "ImportFormatError",
    "ImportOptions",
    "Ledger",
    "LedgerError",
    "LedgerWarning",
    "Point",
    "RecordedRun",
    "Side",
    "assign_changes",
    "check_record",
    "checkpoints_of",
    "count_changes",
    "curves",
    "diff",
    "find_run",
    "format_diff",
    "format_history",
    "history",
    "import_file",
    "new_run_id",
    "record_run",
    "regressions",
    "run_time",
]
