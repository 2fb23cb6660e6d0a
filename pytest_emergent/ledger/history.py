"""`emergent history`: a capability × checkpoint table over every run in the ledger.

A column is one model in one run, so a re-run of the same checkpoint shows up as its own
column next to the first: that is exactly where a regression from a code change appears.
Columns go by family, then in checkpoint order (step, size, run time).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..outcomes import Status
from ..scale import format_number
from .checkpoints import Checkpoint, checkpoints_of

# ▲ lit up, ▼ regressed, ↓ a significant drop above the threshold, ~ a flip within noise,
# ≠ the capability was redefined since its baseline.
MARKS = {"lit-up": " ▲", "regressed": " ▼", "dropped": " ↓", "within-noise": " ~", "redefined": " ≠"}


@dataclass(frozen=True)
class Cell:
    status: Status
    score: float | None
    change: str | None

    def text(self) -> str:
        """The score alone for imported scores without a verdict; otherwise status and score."""
        score = None if self.score is None else f"{self.score:.3f}".rstrip("0").rstrip(".")
        if self.status is Status.SKIP and score is not None:
            return score
        text = self.status.value + (f" {score}" if score is not None else "")
        return text + MARKS.get(self.change or "", "")


@dataclass(frozen=True)
class HistoryTable:
    checkpoints: tuple[Checkpoint, ...]
    capabilities: tuple[str, ...]
    cells: Mapping[tuple[str, int], Cell]

    def column_titles(self) -> list[str]:
        """Model names; a model recorded in several runs also names the run."""
        counts: dict[str, int] = {}
        for cp in self.checkpoints:
            counts[cp.model] = counts.get(cp.model, 0) + 1
        return [cp.model if counts[cp.model] == 1 else f"{cp.model} @{cp.run_id[:15]}" for cp in self.checkpoints]


def matches(capability: str, pattern: str | None) -> bool:
    """Exact id, glob pattern (`arith/*`), or substring."""
    if not pattern:
        return True
    return capability == pattern or fnmatch.fnmatchcase(capability, pattern) or pattern in capability


def history(documents: list[dict[str, Any]], capability: str | None = None,
            family: str | None = None) -> HistoryTable:
    """The table over `documents` (any order), limited to a capability pattern and a family."""
    columns: dict[tuple[str, str], Checkpoint] = {}
    cells: dict[tuple[str, tuple[str, str]], Cell] = {}
    for document in documents:
        checkpoints = checkpoints_of(document)
        for result in document.get("results", []):
            cp = checkpoints[str(result["model"])]
            if not matches(result["capability"], capability) or (family and cp.family != family):
                continue
            columns[(cp.run_id, cp.model)] = cp
            cells[(result["capability"], (cp.run_id, cp.model))] = Cell(
                Status(result["status"]), result.get("score"), result.get("change"))
    ordered = sorted(columns.items(), key=lambda kv: (kv[1].family, kv[1].key, kv[1].model))
    position = {ident: i for i, (ident, _) in enumerate(ordered)}
    return HistoryTable(
        checkpoints=tuple(cp for _, cp in ordered),
        capabilities=tuple(sorted({cap for cap, _ in cells})),
        cells={(cap, position[ident]): cell for (cap, ident), cell in cells.items()},
    )


def _scale_text(cp: Checkpoint) -> str:
    parts = []
    if cp.params is not None:
        parts.append(format_number(cp.params))
    if cp.step is not None:
        parts.append(f"step {format_number(cp.step, 'step')}")
    return ", ".join(parts) or "-"


def format_history(table: HistoryTable) -> str:
    """Plain text: three header rows (family, model, scale), then one row per capability."""
    if not table.checkpoints:
        return "no results in the ledger match"
    headers = [
        ("family", [cp.family for cp in table.checkpoints]),
        ("capability", table.column_titles()),
        ("", [_scale_text(cp) for cp in table.checkpoints]),
    ]
    rows = [(cap, [table.cells[(cap, i)].text() if (cap, i) in table.cells else "-"
                   for i in range(len(table.checkpoints))]) for cap in table.capabilities]
    first = max(len(label) for label, _ in [*headers, *rows])
    widths = [max(len(values[i]) for _, values in [*headers, *rows]) for i in range(len(table.checkpoints))]
    lines = ["  ".join([label.ljust(first), *(v.ljust(w) for v, w in zip(values, widths))]).rstrip()
             for label, values in [*headers, *rows]]
    lines.insert(3, "-" * len(max(lines, key=len)))
    used = {cell.change for cell in table.cells.values()}
    legend = {"lit-up": "▲ lit up", "regressed": "▼ regressed", "dropped": "↓ dropped (still passing)",
              "within-noise": "~ flipped within noise", "redefined": "≠ redefined"}
    shown = [text for change, text in legend.items() if change in used]
    if shown:
        lines.append("  ".join(shown))
    return "\n".join(lines)
