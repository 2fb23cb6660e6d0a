"""`emergent diff A B`: what changed from one run to another, decided as the ledger decides.

Results are matched by (capability, family), so a new checkpoint is compared with the old
one even though its model name differs. Where a run holds several checkpoints of a family,
its highest checkpoint stands for the family: a diff is about the family's current state.
Each pair gets the same significance test and correction over the diff as a run gets
against its baseline (`verdicts.py`), so `regressed` means the same thing everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..outcomes import Change, Status
from .baseline import Candidate, compared
from .cases import CaseSource, Flip, flipped_cases, inline_cases
from .checkpoints import Checkpoint, checkpoints_of
from .evidence import complete_error_bars
from .show import describe_result, flip_lines, visible
from .verdicts import DEFAULT_ALPHA, decide


@dataclass(frozen=True)
class Side:
    """One result of one run, as far as a diff needs it."""

    model: str
    status: Status
    score: float | None
    result: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def describe(self) -> str:
        return f"{describe_result({**self.result, 'status': self.status.value, 'score': self.score})} ({self.model})"


@dataclass(frozen=True)
class DiffEntry:
    capability: str
    family: str
    a: Side | None
    b: Side | None
    change: Change | None = None  # None when the capability is missing from B
    note: str = ""
    flips: tuple[Flip, ...] = ()  # cases graded differently, when asked for


@dataclass(frozen=True)
class Diff:
    a_run: str
    b_run: str
    lit_up: tuple[DiffEntry, ...]
    regressed: tuple[DiffEntry, ...]
    unchanged: tuple[DiffEntry, ...]
    new: tuple[DiffEntry, ...]
    missing: tuple[DiffEntry, ...]
    within_noise: tuple[DiffEntry, ...] = ()
    dropped: tuple[DiffEntry, ...] = ()
    redefined: tuple[DiffEntry, ...] = ()

    @property
    def has_regressions(self) -> bool:
        """Only `regressed` gates: a change within noise, a drop above the threshold or a
        redefinition is reported, never a failure."""
        return bool(self.regressed)


def _sides(document: dict[str, Any]) -> dict[tuple[str, str], tuple[Checkpoint, dict[str, Any]]]:
    """The result standing for each (capability, family): a copy, so filling its error bars
    leaves the run as it was read."""
    checkpoints = checkpoints_of(document)
    best: dict[tuple[str, str], tuple[Checkpoint, dict[str, Any]]] = {}
    for result in document.get("results", []):
        checkpoint = checkpoints[str(result["model"])]
        key = (result["capability"], checkpoint.family)
        if key not in best or checkpoint.key >= best[key][0].key:
            best[key] = (checkpoint, dict(result))
    return best


def _side(found: tuple[Checkpoint, dict[str, Any]] | None) -> Side | None:
    if found is None:
        return None
    checkpoint, result = found
    return Side(checkpoint.model, Status(result["status"]), result.get("score"), result)


def diff(a: dict[str, Any], b: dict[str, Any], *, alpha: float = DEFAULT_ALPHA, correction: str = "holm",
         cases: CaseSource | None = None, with_cases: bool = False) -> Diff:
    """Compare run B against run A (A is the older one, the baseline).

    `cases` finds a result's cases (for the paired test, and the flipped cases `with_cases`).
    """
    cases = cases or inline_cases
    sides_a, sides_b = _sides(a), _sides(b)
    keys = sorted({*sides_a, *sides_b})
    items, present = [], []
    for key in keys:
        if key not in sides_b:
            continue
        checkpoint_b, result_b = sides_b[key]
        complete_error_bars(result_b, cases(b, result_b))
        before = sides_a.get(key)
        chosen = None if before is None else Candidate(before[0], before[1], a)
        if before is not None:
            complete_error_bars(before[1], cases(a, before[1]))
        items.append(compared(result_b, b, chosen, cases))
        present.append(key)
    verdicts = dict(zip(present, decide(items, alpha, correction)))
    entries = []
    for key in keys:
        verdict = verdicts.get(key)
        flips: tuple[Flip, ...] = ()
        if with_cases and key in sides_a and key in sides_b:
            flips = tuple(flipped_cases(cases(a, sides_a[key][1]), cases(b, sides_b[key][1])))
        entries.append(DiffEntry(key[0], key[1], _side(sides_a.get(key)), _side(sides_b.get(key)),
                                 None if verdict is None else verdict.change, "" if verdict is None else verdict.note,
                                 flips))
    by_change = {change: tuple(e for e in entries if e.change is change) for change in Change}
    return Diff(
        a_run=str(a.get("run_id") or "A"), b_run=str(b.get("run_id") or "B"),
        lit_up=by_change[Change.LIT_UP], regressed=by_change[Change.REGRESSED],
        unchanged=by_change[Change.UNCHANGED], new=by_change[Change.NEW],
        missing=tuple(e for e in entries if e.change is None),
        within_noise=by_change[Change.WITHIN_NOISE], dropped=by_change[Change.DROPPED],
        redefined=by_change[Change.REDEFINED],
    )


def format_diff(result: Diff, *, verbose: bool = False, cases: bool = False) -> str:
    """Plain text for the terminal: regressions first, then the other changes, then counts.

    `cases` adds, under each entry, the cases that flipped (↓ pass → fail, ↑ fail → pass).
    """
    lines = [f"emergent diff {result.a_run} → {result.b_run}"]
    sections = [("regressed", result.regressed), ("dropped (still passing)", result.dropped),
                ("lit up", result.lit_up), ("within noise (flipped, not significant)", result.within_noise),
                ("redefined (not compared)", result.redefined)]
    if verbose:
        sections += [("new", result.new), ("missing from B", result.missing), ("unchanged", result.unchanged)]
    for title, entries in sections:
        if not entries:
            continue
        lines.append(f"{title} ({len(entries)}):")
        for e in entries:
            was = e.a.describe() if e.a else "no result"
            now = e.b.describe() if e.b else "no result"
            lines.append(f"  {visible(e.capability, 200)} [{visible(e.family, 80)}]: {was} → {now}")
            if e.note and (verbose or e.change is not Change.UNCHANGED):
                lines.append(f"      {visible(e.note, None)}")
            if cases:
                lines += flip_lines(list(e.flips)) or (["      (no flipped cases recorded)"] if e.a and e.b else [])
    lines.append(f"{len(result.regressed)} regressed, {len(result.dropped)} dropped, {len(result.lit_up)} lit up, "
                 f"{len(result.within_noise)} within noise, {len(result.redefined)} redefined, "
                 f"{len(result.unchanged)} unchanged, {len(result.new)} new, {len(result.missing)} missing")
    return "\n".join(lines)
