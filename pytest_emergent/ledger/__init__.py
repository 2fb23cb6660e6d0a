"""The ledger: run records across runs and checkpoints, baselines, history, diff and imports.

Nothing here imports pytest: the `emergent` command uses it without a test session.
"""

from ..config.defaults import LEDGER_FOLDER as DEFAULT_FOLDER
from .baseline import BASELINE_MODES, CHANGE_ORDER, assign_changes, count_changes, find_run, regressions
from .cases import CaseLoader, read_cases
from .checkpoints import Checkpoint, checkpoints_of, run_time
from .compare import Diff, DiffEntry, Side, diff, flipped_cases, format_diff
from .curves import Curves, Point, curves
from .evidence import complete_error_bars
from .files import LedgerError, LedgerWarning
from .history import Cell, HistoryTable, format_history, history
from .imports import ImportFormatError, ImportOptions, import_file
from .record import RecordedRun, record_run
from .store import Ledger, check_record, new_run_id, read_record
from .verdicts import DEFAULT_ALPHA

__all__ = [
    "BASELINE_MODES",
    "CHANGE_ORDER",
    "DEFAULT_ALPHA",
    "DEFAULT_FOLDER",
    "CaseLoader",
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
    "complete_error_bars",
    "count_changes",
    "curves",
    "diff",
    "find_run",
    "flipped_cases",
    "format_diff",
    "format_history",
    "history",
    "import_file",
    "new_run_id",
    "read_cases",
    "read_record",
    "record_run",
    "regressions",
    "run_time",
]
