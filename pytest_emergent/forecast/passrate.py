"""The main method's fallback when no smooth metric was recorded: a trend in logit(pass rate).

The logit of the (smoothed) pass rate is the smooth signal hidden in the rate itself: a rate
creeping from 0.1% to 1% moves as far in logit as one going from 1% to 10%, so the slow part of
an emergence curve still carries information about where it is heading. The line is fitted with
random-effects weights: each point's binomial noise, plus a model-to-model scatter the data ask
for (see `random_effects_line`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .lsq import Line, random_effects_line
from .series import Series, logit, sigmoid, smoothed, smoothed_target


def logit_variance(p_smooth: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Sampling variance of a logit pass rate measured on n cases (delta method)."""
    return 1.0 / ((n + 1.0) * p_smooth * (1.0 - p_smooth))


def scatter_draw(variance: float, dof: int, rng: np.random.Generator) -> float:
    """A plausible value of a variance estimated on `dof` degrees of freedom (scaled inverse chi²).

    With three or four models the scatter itself is barely known; drawing it keeps the intervals
    honest about that instead of treating the estimate as exact.
    """
    if variance <= 0.0 or dof < 1:
        return max(variance, 0.0)
    return variance * dof / max(rng.chisquare(dof), 1e-12)


@dataclass(frozen=True)
class LogitTrend:
    """logit(pass rate) = a + b·log10(scale), plus between-model scatter tau2."""

    line: Line
    cases: float  # typical case count, to put the threshold on the smoothed footing

    @property
    def slope(self) -> float:
        return self.line.b

    def crossing(self, threshold: float) -> float | None:
        if self.line.b <= 0.0:
            return None
        target = logit(smoothed_target(threshold, np.array([self.cases])))
        return float((target - self.line.a) / self.line.b)

    def resample(self, series: Series, rng: np.random.Generator) -> Series:
        """Each model's true rate scattered around the line, then its cases drawn again."""
        tau2 = scatter_draw(self.line.tau2, series.x.size - 2, rng)
        z = self.line.at(series.x) + rng.normal(0.0, np.sqrt(tau2), series.x.size)
        cases = series.n.astype(int)
        return series.with_values(p=rng.binomial(cases, sigmoid(z)) / cases)

    def describe(self) -> str:
        return f"logit(pass rate) rises {self.line.b:.2f} per decade"


def fit_logit_trend(series: Series) -> LogitTrend:
    p = smoothed(series.p, series.n)
    line = random_effects_line(series.x, logit(p), logit_variance(p, series.n))
    return LogitTrend(line=line, cases=float(np.median(series.n)))
