"""Intervals by bootstrap: redraw the data, refit, and see where the crossing lands.

Each refit sees (1) every model's pass rate (or metric) drawn around the fit with the scatter the
data showed around it, and its cases drawn again (`Curve.resample`; an unknown count is taken as
the `ASSUMED_CASES` the fit weighed the rate by);
and (2) random weights on the points from a flat Dirichlet, the Bayesian bootstrap (Rubin 1981):
the smooth form of resampling points, which still works with three of them. Seeding one generator
makes every interval reproducible. All refits are drawn and fitted at once, one row each.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .curve import Curve, Fitter
from .series import Series

_FIT_FAILURES = (ArithmeticError, ValueError)  # numpy's LinAlgError is a ValueError


@dataclass(frozen=True)
class Draws:
    """One entry per refit: log10 crossing (inf: never; NaN: the refit failed) and slope."""

    crossings: np.ndarray
    slopes: np.ndarray

    def share_rising(self) -> float:
        slopes = self.slopes[~np.isnan(self.slopes)]
        return float((slopes > 0).mean()) if slopes.size else 0.0

    def share_falling(self) -> float:
        slopes = self.slopes[~np.isnan(self.slopes)]
        return float((slopes < 0).mean()) if slopes.size else 0.0

    def quantile(self, q: float) -> float:
        """A quantile of the crossing, with 'never' counted as beyond every finite scale."""
        usable = self.crossings[~np.isnan(self.crossings)]
        if usable.size == 0:
            return float("nan")
        return float(np.quantile(usable, q, method="inverted_cdf"))


def resample(curve: Curve, series: Series, rng: np.random.Generator, size: int) -> Series:
    """`size` data sets drawn around `curve`, each with its own random point weights."""
    redrawn = curve.resample(series, rng, size)
    weight = rng.dirichlet(np.ones(series.x.size), size) * series.x.size
    return redrawn.resampled(redrawn.p, weight, redrawn.metric)


def bootstrap(fitter: Fitter, curve: Curve, series: Series, threshold: float, n_boot: int, seed: int) -> Draws:
    """Refit `n_boot` redrawn data sets; a refit that fails counts as NaN, not as an error."""
    batch = resample(curve, series, np.random.default_rng(seed), n_boot)
    with np.errstate(all="ignore"):
        try:
            refit = fitter(batch)
            crossings = np.broadcast_to(refit.crossing(threshold), (n_boot,)).astype(float)
            slopes = np.broadcast_to(refit.slope, (n_boot,)).astype(float)
        except _FIT_FAILURES:
            crossings, slopes = np.full(n_boot, np.nan), np.full(n_boot, np.nan)
    failed = np.isnan(slopes) | np.isnan(crossings)
    crossings[failed], slopes[failed] = np.nan, np.nan
    return Draws(crossings=crossings, slopes=slopes)
