"""Observations as arrays in log10 scale, and the smoothing that makes pass rates fit-able.

Every fit works in log10(scale) because capabilities move with orders of magnitude, and on
smoothed pass rates because a rate of exactly 0 or 1 has no finite logit.
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

    @classmethod
    def of(cls, points: Sequence[Point]) -> Series:
        ordered = sorted(points, key=lambda pt: pt.scale)
        return cls(
            x=np.log10([pt.scale for pt in ordered]),
            p=np.array([pt.pass_rate for pt in ordered], dtype=float),
            metric=np.array([np.nan if pt.metric is None else pt.metric for pt in ordered], dtype=float),
            n=np.array([pt.n_cases or ASSUMED_CASES for pt in ordered], dtype=float),
            counted=np.array([pt.n_cases is not None for pt in ordered]),
            weight=np.ones(len(ordered)),
        )

    def resampled(self, p: np.ndarray, weight: np.ndarray) -> Series:
        """A bootstrap copy: same scales, cases and metric; redrawn pass rates and point weights."""
        return replace(self, p=np.asarray(p, dtype=float), weight=np.asarray(weight, dtype=float))

    @property
    def distinct_scales(self) -> int:
        return int(np.unique(self.x).size)

    @property
    def x_max(self) -> float:
        return float(self.x[-1])

    def last_pass_rate(self) -> float:
        """Mean pass rate at the largest scale (replicates there are averaged)."""
        return float(self.p[self.x == self.x[-1]].mean())

    def footing(self) -> Footing:
        return Footing(cases=float(np.median(self.n)), counted=bool(self.counted.all()))

    def smoothed_p(self) -> np.ndarray:
        return smoothed(self.p, self.n, self.counted)

    def has_metric(self) -> bool:
        """Whether the metric is measured at enough distinct scales to fit a trend through it."""
        known = ~np.isnan(self.metric)
        return int(np.unique(self.x[known]).size) >= 3


def smoothed(p: np.ndarray, n: np.ndarray, counted: np.ndarray | bool = True) -> np.ndarray:
    """Pass rates pulled off 0 and 1 by half a case, so that their logits stay finite.

    Counted rates get the empirical-logit correction (k + 1/2) / (n + 1), the least biased on
    binomial counts; rates of unknown provenance are only clipped, so exact inputs stay exact.
    """
    p, n = np.asarray(p, dtype=float), np.asarray(n, dtype=float)
    edge = 0.5 / (n + 1.0)
    return np.where(counted, (p * n + 0.5) / (n + 1.0), np.clip(p, edge, 1.0 - edge))


def logit(p: np.ndarray | float) -> np.ndarray:
    return np.log(p) - np.log1p(-np.asarray(p))


def sigmoid(z: np.ndarray | float) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))


@dataclass(frozen=True)
class Footing:
    """How a series was smoothed, so that a threshold can be put on the same footing."""

    cases: float
    counted: bool

    def target_logit(self, threshold: float) -> float:
        """logit of the smoothed threshold (a threshold of 1.0 becomes reachable)."""
        return float(logit(smoothed(np.array(threshold), np.array(self.cases), self.counted)))
