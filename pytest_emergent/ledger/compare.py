"""`emergent diff A B`: what lit up and what regressed from one run to another.

Results are matched by (capability, family), so a new checkpoint is compared with the old
one even though its model name differs. Where a run holds several checkpoints of a family,
its highest checkpoint stands for the family: a diff is about the family's current state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..outcomes import Change, Status, decide_change
from .checkpoints import checkpoints_of


@dataclass(frozen=True)
class Side:
    """One result of one run, as far as a diff needs it."""

    model: str
    status: Status
    score: float | None

    def describe(self) -> str:
        score = "" if self.score is None else f" {self.score:.3g}"
        return f"{self.status.value}{score} ({self.model})"


@dataclass(frozen=True)
class DiffEntry:
    capability: str
    family: str
    a: Side | None
    b: Side | None

    @property
    def change(self) -> Change | None:
        """None when the capability is missing from B."""
        if self.b is None:
            return None
        return decide_change(self.b.status, None if self.a is None else self.a.status)


@dataclass(frozen=True)
class Diff:
    a_run: str
    b_run: str
    lit_up: tuple[DiffEntry, ...]
    regressed: tuple[DiffEntry, ...]
    unchanged: tuple[DiffEntry, ...]
    new: tuple[DiffEntry, ...]
    missing: tuple[DiffEntry, ...]

    @property
    def has_regressions(self) -> bool:
        return bool(self.regressed)


def _sides(document: dict[str, Any]) -> dict[tuple[str, str], Side]:
    checkpoints = checkpoints_of(document)
    best: dict[tuple[str, str], tuple[Any, Side]] = {}
    for result in document.get("results", []):
        checkpoint = checkpoints[str(result["model"])]
        key = (result["capability"], checkpoint.family)
        side = Side(checkpoint.model, Status(result["status"]), result.get("score"))
        if key not in best or checkpoint.key >= best[key][0]:
            best[key] = (checkpoint.key, side)
    return {key: side for key, (_, side) in best.items()}


def diff(a: dict[str, Any], b: dict[str, Any]) -> Diff:
    """Compare run B against run A (A is the older one, the baseline)."""
    sides_a, sides_b = _sides(a), _sides(b)
    entries = [DiffEntry(cap, fam, sides_a.get((cap, fam)), sides_b.get((cap, fam)))
               for cap, fam in sorted({*sides_a, *sides_b})]
    by_change = {change: tuple(e for e in entries if e.change is change) for change in Change}
    return Diff(
        a_run=str(a.get("run_id") or "A"), b_run=str(b.get("run_id") or "B"),
        lit_up=by_change[Change.LIT_UP], regressed=by_change[Change.REGRESSED],
        unchanged=by_change[Change.UNCHANGED], new=by_change[Change.NEW],
        missing=tuple(e for e in entries if e.change is None),
    )


def format_diff(result: Diff, *, verbose: bool = False) -> str:
    """Plain text for the terminal: regressions first, then what lit up, then counts."""
    lines = [f"emergent diff {result.a_run} → {result.b_run}"]
    sections = [("regressed", result.regressed), ("lit up", result.lit_up)]
    if verbose:
        sections += [("new", result.new), ("missing from B", result.missing), ("unchanged", result.unchanged)]
    for title, entries in sections:
        if not entries:
            continue
        lines.append(f"{title} ({len(entries)}):")
        for e in entries:
            was = e.a.describe() if e.a else "no result"
            now = e.b.describe() if e.b else "no result"
            lines.append(f"  {e.capability} [{e.family}]: {was} → {now}")
    lines.append(f"{len(result.regressed)} regressed, {len(result.lit_up)} lit up, {len(result.unchanged)} unchanged, "
                 f"{len(result.new)} new, {len(result.missing)} missing")
    return "\n".join(lines)
