"""The baseline: a logistic curve of pass rate in log10(scale), fitted by least squares.

This is what most emergence plots draw, and what the main method has to beat: it is fitted on the
pass rate itself, so a run of zeros before emergence says little about where the rise will be.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .lsq import Line, sigmoid_least_squares, weighted_line
from .passrate import redraw_cases, scatter_draw
from .series import Series, logit, sigmoid

_REACHABLE = 1e-3  # a logistic never reaches 0 or 1; thresholds are held this far inside


@dataclass(frozen=True)
class SigmoidCurve:
    """pass rate = sigmoid(a + b·log10(scale))."""

    line: Line
    residual_variance: float

    @property
    def slope(self) -> float:
        return self.line.b

    @property
    def established(self) -> bool:
        """The baseline takes its fit at its word; only the bootstrap can call it noisy."""
        return True

    def crossing(self, threshold: float) -> float | None:
        if self.line.b <= 0.0:
            return None
        target = float(np.clip(threshold, _REACHABLE, 1.0 - _REACHABLE))
        return float((logit(target) - self.line.a) / self.line.b)

    def resample(self, series: Series, rng: np.random.Generator) -> Series:
        """Residual scatter around the curve, then binomial case noise on top."""
        variance = scatter_draw(self.residual_variance, series.x.size - 2, rng)
        rate = sigmoid(self.line.at(series.x)) + rng.normal(0.0, np.sqrt(variance), series.x.size)
        return series.resampled(p=redraw_cases(series, np.clip(rate, 0.0, 1.0), rng), weight=series.weight)

    def describe(self) -> str:
        return f"logistic in pass rate, slope {self.line.b:+.2f} per decade"


def fit_sigmoid(series: Series) -> SigmoidCurve:
    start = weighted_line(series.x, logit(series.smoothed_p()), series.weight)
    line = sigmoid_least_squares(series.x, series.p, series.weight, start)
    residuals = series.p - sigmoid(line.at(series.x))
    dof = max(series.x.size - 2, 1)
    return SigmoidCurve(line, residual_variance=float((series.weight * residuals**2).sum() / dof))
