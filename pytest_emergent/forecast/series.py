"""Observations as arrays in log10 scale, and the smoothing that makes pass rates fit-able.

Every fit works in log10(scale) because capabilities move with orders of magnitude, and on
smoothed pass rates because a rate of exactly 0 or 1 has no finite logit.

A task answered by guessing among k choices passes 1/k of its cases by chance; the fits work
on the pass rate *above chance*, q = (p − chance) / (1 − chance), so a 4-way task's floor at
0.25 is not mistaken for a slow start.

The arrays of a bootstrap carry a leading batch axis (one row per refit: `p`, `metric` and
`weight` of shape (refits, points)), so every fit runs all refits at once; `x`, `n` and
`counted` are shared by the rows. The one series of a forecast has no batch axis.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from .types import Point

# A pass rate given without its case count is treated as if it came from this many cases:
# enough to keep the logit of 0/100 finite without pretending to know more.
ASSUMED_CASES = 100


@dataclass(frozen=True)
class Series:
    """Points of one capability sorted by scale, as parallel arrays."""

    x: np.ndarray  # log10 scale
    p: np.ndarray  # observed pass rate
    metric: np.ndarray  # smooth metric, NaN where not measured
    n: np.ndarray  # case count, ASSUMED_CASES where unknown
    counted: np.ndarray  # whether the case count was given
    weight: np.ndarray  # how much each point counts: all ones, except in bootstrap refits
    chance: float = 0.0  # the pass rate of guessing

    @classmethod
    def of(cls, points: Sequence[Point], chance: float = 0.0) -> Series:
        ordered = sorted(points, key=lambda pt: pt.scale)
        return cls(
            x=np.log10([pt.scale for pt in ordered]),
            p=np.array([pt.pass_rate for pt in ordered], dtype=float),
            metric=np.array([np.nan if pt.metric is None else pt.metric for pt in ordered], dtype=float),
            n=np.array([pt.n_cases or ASSUMED_CASES for pt in ordered], dtype=float),
            counted=np.array([pt.n_cases is not None for pt in ordered]),
            weight=np.ones(len(ordered)),
            chance=float(chance),
        )

    def resampled(self, p: np.ndarray, weight: np.ndarray, metric: np.ndarray | None = None) -> Series:
        """A bootstrap batch: same scales and cases; redrawn pass rates (and metric), new weights."""
        return replace(self, p=np.asarray(p, dtype=float), weight=np.asarray(weight, dtype=float),
                       metric=self.metric if metric is None else metric)

    @property
    def distinct_scales(self) -> int:
        return int(np.unique(self.x).size)

    @property
    def x_max(self) -> float:
        return float(self.x[-1])

    @property
    def known(self) -> np.ndarray:
        """Which points have the metric (the same in every row of a batch)."""
        return ~np.isnan(self.metric).reshape(-1, self.x.size).any(axis=0)

    def last_pass_rate(self) -> float:
        """Mean pass rate at the largest scale (replicates there are averaged)."""
        return float(self.p[self.x == self.x[-1]].mean())

    def footing(self) -> Footing:
        return Footing(cases=float(np.median(self.n)), counted=bool(self.counted.all()), chance=self.chance)

    def smoothed_p(self) -> np.ndarray:
        """The smoothed pass rate above chance, strictly inside (0, 1)."""
        return above_chance(smoothed(self.p, self.n, self.counted), self.n, self.chance)

    def logit_rate(self) -> tuple[np.ndarray, np.ndarray]:
        """logit of the smoothed pass rate above chance, and its sampling variance (delta method).

        Near chance the rate above it is a small difference of two noisy numbers, so its logit
        is uncertain and the point counts for little; without a chance level this is the usual
        1 / ((n + 1) p (1 - p)).
        """
        p = smoothed(self.p, self.n, self.counted)
        q = above_chance(p, self.n, self.chance)
        variance = p * (1.0 - p) / ((self.n + 1.0) * (1.0 - self.chance) ** 2 * (q * (1.0 - q)) ** 2)
        return logit(q), variance

    def observed(self, q: np.ndarray) -> np.ndarray:
        """The pass rate that a rate `q` above chance shows."""
        return self.chance + (1.0 - self.chance) * np.asarray(q, dtype=float)

    def has_metric(self) -> bool:
        """Whether the metric is measured at enough distinct scales to fit a trend through it."""
        return int(np.unique(self.x[self.known]).size) >= 3


def smoothed(p: np.ndarray, n: np.ndarray, counted: np.ndarray | bool = True) -> np.ndarray:
    """Pass rates pulled off 0 and 1 by half a case, so that their logits stay finite.

    Counted rates get the empirical-logit correction (k + 1/2) / (n + 1), the least biased on
    binomial counts; rates of unknown provenance are only clipped, so exact inputs stay exact.
    """
    p, n = np.asarray(p, dtype=float), np.asarray(n, dtype=float)
    edge = 0.5 / (n + 1.0)
    return np.where(counted, (p * n + 0.5) / (n + 1.0), np.clip(p, edge, 1.0 - edge))


def above_chance(p: np.ndarray, n: np.ndarray, chance: float) -> np.ndarray:
    """(p − chance) / (1 − chance), held half a case above 0 (a rate at or below chance)."""
    if chance == 0.0:
        return p
    return np.maximum((p - chance) / (1.0 - chance), 0.5 / (np.asarray(n, dtype=float) + 1.0))


def logit(p: np.ndarray | float) -> np.ndarray:
    return np.log(p) - np.log1p(-np.asarray(p))


def sigmoid(z: np.ndarray | float) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))


@dataclass(frozen=True)
class Footing:
    """How a series was smoothed, so that a threshold can be put on the same footing."""

    cases: float
    counted: bool
    chance: float = 0.0

    def target_logit(self, threshold: float) -> float:
        """logit of the smoothed threshold above chance (a threshold of 1.0 becomes reachable)."""
        cases = np.array(self.cases)
        return float(logit(above_chance(smoothed(np.array(threshold), cases, self.counted), cases, self.chance)))
