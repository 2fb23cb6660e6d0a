"""`emergent history`: a capability × checkpoint table over every run in the ledger.

A column is one model in one run, so a re-run of the same checkpoint shows up as its own
column next to the first: that is exactly where a regression from a code change appears.
Columns go by family, then in checkpoint order (step, size, run time).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..outcomes import Status
from ..scale import format_number
from ..textfit import render, short_ids
from .checkpoints import Checkpoint, checkpoints_of

# ▲ lit up, ▼ regressed, ↓ a significant drop above the threshold, ≈ a flip within noise,
# ≠ the capability was redefined since its baseline.
MARKS = {"lit-up": " ▲", "regressed": " ▼", "dropped": " ↓", "within-noise": " ≈", "redefined": " ≠"}
LEGEND = {"lit-up": "▲ lit up", "regressed": "▼ regressed", "dropped": "↓ dropped (still passing)",
          "within-noise": "≈ flipped within noise", "redefined": "≠ redefined"}


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
    counts: Mapping[str, int] = field(default_factory=dict)  # checkpoints per family before `last` kept some

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
            family: str | None = None, last: int | None = None) -> HistoryTable:
    """The table over `documents` (any order), limited to a capability pattern, a family, and the
    `last` checkpoints of each family."""
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
    counts: dict[str, int] = {}
    for _, cp in ordered:
        counts[cp.family] = counts.get(cp.family, 0) + 1
    if last is not None:  # the last `last` of each family, in checkpoint order
        index: dict[str, int] = {}
        kept = []
        for ident, cp in ordered:
            index[cp.family] = index.get(cp.family, 0) + 1
            if index[cp.family] > counts[cp.family] - last:
                kept.append((ident, cp))
        ordered = kept
        cells = {key: cell for key, cell in cells.items() if key[1] in dict(ordered)}
    position = {ident: i for i, (ident, _) in enumerate(ordered)}
    return HistoryTable(
        checkpoints=tuple(cp for _, cp in ordered),
        capabilities=tuple(sorted({cap for cap, _ in cells})),
        cells={(cap, position[ident]): cell for (cap, ident), cell in cells.items()},
        counts=counts,
    )


def _scale_text(cp: Checkpoint) -> str:
    parts = []
    if cp.params is not None:
        parts.append(format_number(cp.params))
    if cp.step is not None:
        parts.append(f"step {format_number(cp.step, 'step')}")
    return ", ".join(parts) or "-"


def format_history(table: HistoryTable, width: int | None = None) -> str:
    """Plain text, one table per family: a header of model and scale, then one row per capability
    the family has a result for (by its short id, textfit.short_ids); fitted to `width` columns
    (None: no limit)."""
    if not table.checkpoints:
        return "no results in the ledger match"
    titles = table.column_titles()
    shown = short_ids(list(table.capabilities))
    families = list(dict.fromkeys(cp.family for cp in table.checkpoints))
    out: list[str] = []
    for family in families:
        columns = [i for i, cp in enumerate(table.checkpoints) if cp.family == family]
        header = [("capability", [titles[i] for i in columns]),
                  ("", [_scale_text(table.checkpoints[i]) for i in columns])]
        rows = [(shown[cap], [table.cells[(cap, i)].text() if (cap, i) in table.cells else "-" for i in columns])
                for cap in sorted(table.capabilities, key=shown.__getitem__)
                if any((cap, i) in table.cells for i in columns)]
        last = f", the last {len(columns)} of {table.counts[family]}" if table.counts.get(family, 0) > len(columns) else ""
        out.append(f"family {family}: {_plural(len(columns), 'checkpoint')}{last}")
        for number, block in enumerate(render(header, rows, width, rule=True)):
            out += ([""] if number else []) + block
        out.append("")
    used = {cell.change for cell in table.cells.values()}
    marks = [text for change, text in LEGEND.items() if change in used]
    if marks:
        out.append("   ".join(marks))
    return "\n".join(out).rstrip("\n")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
