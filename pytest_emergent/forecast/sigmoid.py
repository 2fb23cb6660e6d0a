"""The baseline: a logistic curve of pass rate in log10(scale), fitted by least squares.

This is what most emergence plots draw, and what the main method has to beat: it is fitted on the
pass rate itself, so a run of zeros before emergence says little about where the rise will be.
With a chance level the curve rises from it (chance + (1 − chance)·logistic) instead of from 0:
without that floor a 2-way task at 0.5 looks half-way to passing and is forecast far too late.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .lsq import Line, Number, sigmoid_least_squares, weighted_line
from .passrate import crossing_of, redraw_cases, scatter_draw
from .series import Series, logit, sigmoid

_REACHABLE = 1e-3  # a logistic never reaches 0 or 1; thresholds are held this far inside


@dataclass(frozen=True)
class SigmoidCurve:
    """pass rate = chance + (1 − chance)·sigmoid(a + b·log10(scale))."""

    line: Line
    residual_variance: Number
    chance: float = 0.0

    @property
    def slope(self) -> Number:
        return self.line.b

    @property
    def established(self) -> bool:
        """The baseline takes its fit at its word; only the bootstrap can call it noisy."""
        return True

    def crossing(self, threshold: float) -> Number:
        above = (threshold - self.chance) / (1.0 - self.chance)
        return crossing_of(self.line, float(logit(np.clip(above, _REACHABLE, 1.0 - _REACHABLE))))

    def resample(self, series: Series, rng: np.random.Generator, size: int) -> Series:
        """Residual scatter around the curve, then binomial case noise on top."""
        variance = scatter_draw(self.residual_variance, series.x.size - 2, rng, size)
        rate = series.observed(sigmoid(self.line.at(series.x)))
        rate = rate + rng.normal(0.0, np.sqrt(variance)[:, None], (size, series.x.size))
        return series.resampled(redraw_cases(series, rate, rng), np.ones((size, series.x.size)))

    def describe(self) -> str:
        floor = f" above chance {self.chance:g}" if self.chance else ""
        return f"logistic in pass rate{floor}, slope {self.line.b:+.2f} per decade"


def fit_sigmoid(series: Series) -> SigmoidCurve:
    start = weighted_line(series.x, series.logit_rate()[0], series.weight)
    line = sigmoid_least_squares(series.x, series.p, series.weight, start, series.chance)
    residuals = series.p - series.observed(sigmoid(line.at(series.x)))
    dof = max(series.x.size - 2, 1)
    return SigmoidCurve(line, (series.weight * residuals**2).sum(-1) / dof, series.chance)
