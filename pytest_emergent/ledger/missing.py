"""Capabilities the baseline checkpoint had and this run lacks.

A suite that silently stops collecting a folder of specs reports nothing wrong by itself:
every result it has is fine. Comparing what the previous checkpoint of the family ran with
what this one ran shows the gap. The previous checkpoint is chosen as baselines are
(`docs/ledger.md`): `latest` takes, per model of this run, the nearest checkpoint of its
family below it, in earlier runs or lower in this one; a run id takes that run; `none` none.
Any status counts as "ran": a capability that errored is there, just broken.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .baseline import find_run
from .checkpoints import Checkpoint, checkpoints_of


@dataclass(frozen=True)
class Missing:
    """A capability of the baseline checkpoint with no result for `model` in this run."""

    capability: str
    family: str
    model: str  # the model of this run that lacks it
    baseline_run: str
    baseline_model: str


def _ran(documents: list[dict[str, Any]]) -> dict[str, dict[Checkpoint, set[str]]]:
    """Per family, the capabilities each checkpoint ran."""
    out: dict[str, dict[Checkpoint, set[str]]] = {}
    for document in documents:
        checkpoints = checkpoints_of(document)
        for result in document.get("results", []):
            checkpoint = checkpoints[str(result["model"])]
            out.setdefault(checkpoint.family, {}).setdefault(checkpoint, set()).add(str(result["capability"]))
    return out


def _previous(ran: dict[Checkpoint, set[str]], here: Checkpoint, pinned: bool) -> Checkpoint | None:
    ordered = sorted(ran, key=lambda c: c.key)
    below = [c for c in ordered if c.key < here.key]
    if not pinned:
        return below[-1] if below else None
    # Against one chosen run: the same model when it ran there, else the nearest below, else the lowest above.
    same = [c for c in ordered if c.model == here.model]
    if same or below:
        return (same or below)[-1]
    return ordered[0] if ordered else None


def missing_capabilities(document: dict[str, Any], earlier: list[dict[str, Any]],
                         baseline: str = "latest") -> list[Missing]:
    """What each model of `document` lacks against its baseline checkpoint, sorted."""
    if baseline == "none":
        return []
    run_id = document.get("run_id")
    others = [r for r in earlier if r.get("run_id") != run_id]
    pinned = baseline != "latest"
    candidates = _ran([find_run(others, baseline)] if pinned else [*others, document])
    own = _ran([document])
    out: set[Missing] = set()
    for family, checkpoints in own.items():
        for here, capabilities in checkpoints.items():
            previous = _previous(candidates.get(family, {}), here, pinned)
            if previous is None:
                continue
            for capability in candidates[family][previous] - capabilities:
                out.add(Missing(capability, family, here.model, previous.run_id, previous.model))
    return sorted(out, key=lambda m: (m.family, m.model, m.capability))
