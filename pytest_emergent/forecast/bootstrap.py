"""Intervals by parametric bootstrap: redraw the data from the fit's own noise model, refit.

Each method says how its data scatter (`Curve.resample`: between-model scatter around the trend,
and binomial noise over each point's cases); refitting many redrawn data sets shows how far the
crossing could move. A generator seeded once makes every interval reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .curve import Curve, Fitter
from .series import Series

_FIT_FAILURES = (ArithmeticError, ValueError, np.linalg.LinAlgError)


@dataclass(frozen=True)
class Draws:
    """One entry per bootstrap fit: log10 crossing (inf: never; NaN: fit failed) and slope."""

    crossings: np.ndarray
    slopes: np.ndarray

    def usable(self) -> np.ndarray:
        return self.crossings[~np.isnan(self.crossings)]

    def share_rising(self) -> float:
        slopes = self.slopes[~np.isnan(self.slopes)]
        return float((slopes > 0).mean()) if slopes.size else 0.0

    def share_falling(self) -> float:
        slopes = self.slopes[~np.isnan(self.slopes)]
        return float((slopes < 0).mean()) if slopes.size else 0.0

    def quantile(self, q: float) -> float:
        """A quantile of the crossing, with 'never' counted as beyond every finite scale."""
        usable = self.usable()
        if usable.size == 0:
            return float("nan")
        return float(np.quantile(usable, q, method="inverted_cdf"))


def bootstrap(fitter: Fitter, curve: Curve, series: Series, threshold: float, n_boot: int, seed: int) -> Draws:
    rng = np.random.default_rng(seed)
    crossings = np.full(n_boot, np.nan)
    slopes = np.full(n_boot, np.nan)
    with np.errstate(all="ignore"):
        for i in range(n_boot):
            try:
                refit = fitter(curve.resample(series, rng))
                crossing = refit.crossing(threshold)
                slope = refit.slope
            except _FIT_FAILURES:
                continue
            crossings[i] = np.inf if crossing is None else crossing
            slopes[i] = slope
    return Draws(crossings=crossings, slopes=slopes)
