"""Emergence curves: per capability, score against scale, one series per family.

A result without a score counts as 1 when it passed and 0 when it failed, so a pure
pass/fail capability still draws its step. The x axis is the parameter count, unless every
family of the capability is one size whose checkpoints differ by training step (a training run):
then it is the step, as for the forecast. Several checkpoints at one x (re-runs, or steps of one
size on a params axis) collapse to the highest checkpoint: a curve shows where the family stands
now at each x.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..outcomes import Status
from .checkpoints import checkpoints_of


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    model: str
    status: Status
    run_id: str


@dataclass(frozen=True)
class Curves:
    capability: str
    axis: str  # "params" or "step": the scale the x values measure
    series: dict[str, tuple[Point, ...]]  # family → points sorted by x
    declared: float | None  # the declared scale on that axis, when one is known
    threshold: float | None = None  # the score a pass needs, when the results name one


def _y(result: dict[str, Any]) -> float | None:
    if isinstance(result.get("score"), (int, float)):
        return float(result["score"])
    status = Status(result["status"])
    return 1.0 if status.passed else 0.0 if status.failed else None


def _axis(points: list[tuple[str, Any]]) -> str:
    """`step` when each family is one size (or of unknown size) seen at two or more steps."""
    sizes: dict[str, set[float]] = {}
    steps: dict[str, set[float]] = {}
    for family, cp in points:
        if cp.params is not None:
            sizes.setdefault(family, set()).add(cp.params)
        if cp.step is not None and cp.step > 0:
            steps.setdefault(family, set()).add(cp.step)
    one_size = all(len(s) <= 1 for s in sizes.values())
    if one_size and any(len(s) >= 2 for s in steps.values()):
        return "step"
    return "params" if sizes else "step"


def curves(documents: list[dict[str, Any]]) -> list[Curves]:
    """Curves of every capability in `documents`, sorted by capability id."""
    gathered: dict[str, list[tuple[Any, str, dict[str, Any], Any]]] = {}
    declared: dict[str, dict[str, float]] = {}
    thresholds: dict[str, float] = {}
    for document in documents:
        checkpoints = checkpoints_of(document)
        for result in document.get("results", []):
            cp = checkpoints[str(result["model"])]
            gathered.setdefault(result["capability"], []).append((cp.key, cp.family, result, cp))
            values = {d: v for d, v in (result.get("declared") or {}).items() if isinstance(v, (int, float))}
            if values:
                declared[result["capability"]] = values
            if isinstance(result.get("threshold"), (int, float)):
                thresholds[result["capability"]] = float(result["threshold"])
    out = []
    for capability, rows in sorted(gathered.items()):
        axis = _axis([(family, cp) for _, family, _, cp in rows])
        best: dict[tuple[str, float], tuple[Any, Point]] = {}
        for key, family, result, cp in rows:
            x, y = getattr(cp, axis), _y(result)
            if x is None or y is None or x <= 0:
                continue
            point = Point(float(x), y, cp.model, Status(result["status"]), cp.run_id)
            if (family, x) not in best or key >= best[(family, x)][0]:
                best[(family, x)] = (key, point)
        series: dict[str, list[Point]] = {}
        for (family, _), (_, point) in best.items():
            series.setdefault(family, []).append(point)
        out.append(Curves(capability, axis, {f: tuple(sorted(p, key=lambda pt: pt.x)) for f, p in sorted(series.items())},
                          declared.get(capability, {}).get(axis), thresholds.get(capability)))
    return out
