"""The baseline of each result, and its change against it (docs/design.md §4).

`latest` looks at every earlier run and at the lower checkpoints of the same run, so a run
over three checkpoints of one family reports what lit up from one checkpoint to the next.
Only decided results (pass, fail, expected-fail, early-pass) can be a baseline: a skipped or
errored result says nothing about whether the capability worked, so the search looks past it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..outcomes import Status, decide_change
from .checkpoints import Checkpoint, checkpoints_of
from .store import LedgerError, new_run_id

BASELINE_MODES = ("latest", "none")


@dataclass(frozen=True)
class Candidate:
    checkpoint: Checkpoint
    result: dict[str, Any]


def _decided(result: dict[str, Any]) -> bool:
    status = Status(result["status"])
    return status.passed or status.failed


def _candidates(documents: list[dict[str, Any]]) -> dict[tuple[str, str], list[Candidate]]:
    """Decided results by (capability, family), in checkpoint order."""
    index: dict[tuple[str, str], list[Candidate]] = {}
    for document in documents:
        checkpoints = checkpoints_of(document)
        for result in document.get("results", []):
            if _decided(result):
                checkpoint = checkpoints[str(result["model"])]
                index.setdefault((result["capability"], checkpoint.family), []).append(Candidate(checkpoint, result))
    for candidates in index.values():
        candidates.sort(key=lambda c: c.checkpoint.key)
    return index


def _greatest_below(candidates: list[Candidate], here: Checkpoint) -> Candidate | None:
    below = [c for c in candidates if c.checkpoint.key < here.key]
    return below[-1] if below else None


def _pinned_choice(candidates: list[Candidate], here: Checkpoint) -> Candidate | None:
    """Against one chosen run: the same model if it ran there, else the nearest checkpoint below, else above."""
    same = [c for c in candidates if c.checkpoint.model == here.model]
    if same:
        return same[-1]
    return _greatest_below(candidates, here) or (candidates[0] if candidates else None)


def find_run(runs: list[dict[str, Any]], run_id: str) -> dict[str, Any]:
    """The run with this id (or unique id prefix) among `runs`; the error lists the known ids."""
    exact = [r for r in runs if str(r.get("run_id")) == run_id]
    matches = exact or [r for r in runs if str(r.get("run_id", "")).startswith(run_id)]
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(str(r.get("run_id")) for r in runs) or "none"
    what = "matches several runs" if matches else "is not a run in the ledger"
    raise LedgerError(f"baseline {run_id!r} {what}; known runs: {known}")


def assign_changes(document: dict[str, Any], earlier: list[dict[str, Any]], baseline: str = "latest") -> dict[str, Any]:
    """Fill `change` and `baseline` on every result of `document` (in place) and return it.

    `baseline` is `latest` (the nearest decided checkpoint below, across earlier runs and this
    one), `none` (every result is new), or a run id (compare against that run only).
    """
    run_id = document.setdefault("run_id", new_run_id())  # so same-run baselines can name it
    others = [r for r in earlier if r.get("run_id") != run_id]
    if baseline == "none":
        index: dict[tuple[str, str], list[Candidate]] = {}
    elif baseline == "latest":
        index = _candidates([*others, document])
    else:
        index = _candidates([find_run(others, baseline)])
    here = checkpoints_of(document)
    for result in document.get("results", []):
        checkpoint = here[str(result["model"])]
        candidates = index.get((result["capability"], checkpoint.family), [])
        if baseline == "latest":
            chosen = _greatest_below(candidates, checkpoint)
        else:
            chosen = _pinned_choice(candidates, checkpoint)
        before = Status(chosen.result["status"]) if chosen else None
        result["change"] = decide_change(Status(result["status"]), before).value
        result["baseline"] = None if chosen is None else {
            "run_id": chosen.checkpoint.run_id or None,
            "model": chosen.checkpoint.model,
            "status": chosen.result["status"],
            "score": chosen.result.get("score"),
        }
    return document


def count_changes(document: dict[str, Any]) -> dict[str, int]:
    """Results per change, derived from the results (missing change counts as new)."""
    counts = {c: 0 for c in ("lit-up", "regressed", "unchanged", "new")}
    for result in document.get("results", []):
        counts[result.get("change") or "new"] = counts.get(result.get("change") or "new", 0) + 1
    return counts


def regressions(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The results that fail the run whatever the declared scale: those that regressed."""
    return [r for r in document.get("results", []) if r.get("change") == "regressed"]
