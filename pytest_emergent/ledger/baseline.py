"""The baseline of each result, and its change against it (docs/design.md §4, docs/ledger.md).

`latest` looks at every earlier run and at the lower checkpoints of the same run, so a run
over three checkpoints of one family reports what lit up from one checkpoint to the next.
Only decided results (pass, fail, expected-fail, early-pass) can be a baseline: a skipped or
errored result says nothing about whether the capability worked, so the search looks past it.

A checkpoint is never its own baseline: a re-run of the same weights (GitHub's "Re-run jobs",
a cached re-run) is compared with the baseline its first run had, so a regression stays a
regression on the re-run, and a re-run whose outcome differs from the first is flagged as
nondeterministic. Whether a change counts is decided on evidence (`verdicts.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..outcomes import Change, Status
from .cases import CaseSource, inline_cases
from .checkpoints import Checkpoint, checkpoints_of
from .evidence import complete_error_bars, evidence_of
from .files import LedgerError
from .store import new_run_id
from .verdicts import DEFAULT_ALPHA, Compared, compare, decide

BASELINE_MODES = ("latest", "none")
CHANGE_ORDER = tuple(c.value for c in (Change.REGRESSED, Change.DROPPED, Change.WITHIN_NOISE, Change.LIT_UP,
                                       Change.REDEFINED, Change.UNCHANGED, Change.NEW))


@dataclass(frozen=True)
class Candidate:
    checkpoint: Checkpoint
    result: dict[str, Any]
    document: dict[str, Any]


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
                index.setdefault((result["capability"], checkpoint.family), []).append(
                    Candidate(checkpoint, result, document))
    for candidates in index.values():
        candidates.sort(key=lambda c: c.checkpoint.key)
    return index


def _latest_choice(candidates: list[Candidate], here: Checkpoint) -> tuple[Candidate | None, Candidate | None]:
    """(baseline, first earlier run of this same checkpoint).

    The baseline is the greatest different checkpoint below this one, or below the first run
    of this checkpoint when this is a re-run, so every run of a checkpoint gets the same one.
    """
    own = [c for c in candidates if c.checkpoint.same_weights(here) and c.checkpoint.key < here.key]
    reference = own[0].checkpoint.key if own else here.key
    below = [c for c in candidates if not c.checkpoint.same_weights(here) and c.checkpoint.key < reference]
    return (below[-1] if below else None, own[0] if own else None)


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


def redefinition(current: dict[str, Any], baseline: dict[str, Any]) -> str:
    """Why two results of a capability measure different things, or "" when they do not.

    The definition's fingerprint where both records carry one (older records do not), and the
    threshold, which decides the status by itself.
    """
    now, before = current.get("fingerprint"), baseline.get("fingerprint")
    if isinstance(now, str) and isinstance(before, str) and now != before:
        return f"its definition changed (fingerprint {before[:12]} → {now[:12]})"
    now, before = current.get("threshold"), baseline.get("threshold")
    numbers = (int, float)
    if isinstance(now, numbers) and isinstance(before, numbers) and now != before:
        return f"its threshold changed ({before:g} → {now:g})"
    return ""


def _summary(candidate: Candidate) -> dict[str, Any]:
    result = candidate.result
    return {"run_id": candidate.checkpoint.run_id or None, "model": candidate.checkpoint.model,
            "status": result["status"], "score": result.get("score"), "n": result.get("n"),
            "interval": result.get("interval")}


def compared(result: dict[str, Any], document: dict[str, Any], chosen: Candidate | None,
             cases: CaseSource) -> Compared:
    """The pair of results as the verdict needs it; the baseline's cases are read only when
    this result has cases of its own to pair them with."""
    status = Status(result["status"])
    if chosen is None:
        return Compared(status, None, None)
    before = Status(chosen.result["status"])
    why = redefinition(result, chosen.result)
    if why or not (status.passed or status.failed):
        return Compared(status, before, None, why)
    mine = cases(document, result)
    theirs = cases(chosen.document, chosen.result) if mine else None
    test = compare(evidence_of(chosen.result, theirs), evidence_of(result, mine), before, status)
    return Compared(status, before, test)


def _nondeterminism(result: dict[str, Any], first: Candidate | None) -> dict[str, Any] | None:
    """The first run of this checkpoint when its outcome differs from this one's (same definition)."""
    status = Status(result["status"])
    if first is None or not (status.passed or status.failed) or redefinition(result, first.result):
        return None
    if Status(first.result["status"]).passed == status.passed:
        return None
    return _summary(first)


def assign_changes(document: dict[str, Any], earlier: list[dict[str, Any]], baseline: str = "latest", *,
                   alpha: float = DEFAULT_ALPHA, correction: str = "holm",
                   cases: CaseSource | None = None) -> dict[str, Any]:
    """Fill error bars, `change`, `change_note`, `baseline`, `significance` and `nondeterministic`
    on every result of `document` (in place) and return it.

    `baseline` is `latest` (the nearest earlier different checkpoint, across earlier runs and
    this one), `none` (every result is new), or a run id (compare against that run only).
    `alpha` and `correction` (`holm`, `bh`, `none`) control false changes over the run;
    `cases` finds a result's cases (default: only those the result carries).
    """
    cases = cases or inline_cases
    run_id = document.setdefault("run_id", new_run_id())  # so same-run baselines can name it
    for result in document.get("results", []):
        complete_error_bars(result, cases(document, result))
    others = [r for r in earlier if r.get("run_id") != run_id]
    if baseline == "none":
        index: dict[tuple[str, str], list[Candidate]] = {}
    elif baseline == "latest":
        index = _candidates([*others, document])
    else:
        index = _candidates([find_run(others, baseline)])
    here = checkpoints_of(document)
    pairs, firsts = [], []
    for result in document.get("results", []):
        checkpoint = here[str(result["model"])]
        candidates = index.get((result["capability"], checkpoint.family), [])
        if baseline == "latest":
            chosen, first = _latest_choice(candidates, checkpoint)
        else:
            chosen, first = _pinned_choice(candidates, checkpoint), None
        pairs.append((result, chosen))
        firsts.append(first)
    verdicts = decide([compared(result, document, chosen, cases) for result, chosen in pairs], alpha, correction)
    for (result, chosen), first, verdict in zip(pairs, firsts, verdicts):
        result["change"] = verdict.change.value
        result["baseline"] = None if chosen is None else _summary(chosen)
        result["significance"] = verdict.significance
        note = verdict.note
        differs = _nondeterminism(result, first)
        result["nondeterministic"] = differs is not None
        if differs is not None:
            result["first_run"] = differs
            note += ("; " if note else "") + (
                f"nondeterministic: the first run of this checkpoint (run {differs['run_id']}) had "
                f"{differs['status']}, this run has {result['status']}")
        result["change_note"] = note
    return document


def count_changes(document: dict[str, Any]) -> dict[str, int]:
    """Results per change, derived from the results (missing change counts as new)."""
    counts = dict.fromkeys(CHANGE_ORDER, 0)
    for result in document.get("results", []):
        counts[result.get("change") or "new"] = counts.get(result.get("change") or "new", 0) + 1
    return counts


def regressions(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The results that fail the run whatever the declared scale: those that regressed."""
    return [r for r in document.get("results", []) if r.get("change") == "regressed"]
