"""The main method's fallback when no smooth metric was recorded: a trend in logit(pass rate).

The logit of the (smoothed) pass rate is the smooth signal hidden in the rate itself: a rate
creeping from 0.1% to 1% moves as far in logit as one going from 1% to 10%, so the slow part of
an emergence curve still carries information about where it is heading.

Three choices make it a forecaster rather than a curve fit:
- random-effects weights (`random_effects_line`): each point's binomial noise, plus the
  model-to-model scatter the data ask for;
- a local trend: before a capability emerges its logit curve bends upward (the smallest models sit
  on a floor of lucky guesses and formatting accidents), so the slope near the largest models is
  the better guide. Each point's weight is discounted by e for every local step between sizes
  that separates it from the largest, as exponential smoothing discounts old observations.
  The step sets how local: shorter steps catch sharp emergence sooner and raise more false
  alarms; see bench/forecast_validation.py for the trade-off on public scores;
- whether it rises at all is judged on the line over all points, against the scatter between
  models, so that one lucky largest model in a zig-zag series is not taken for a trend.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .lsq import Line, Number, between_model_scatter, random_effects_line, rises, scatter_dof
from .series import Footing, Series, sigmoid


def frontier_emphasis(x: np.ndarray) -> np.ndarray:
    """exp(-distance from the largest scale, in local steps between sizes).

    The local step is the gap between the two largest distinct scales, but at least half the
    median gap, so that a near-duplicate largest model (7B next to 8B) does not leave a slope
    resting on two points a few percent apart.
    """
    gaps = np.diff(np.unique(x))
    if gaps.size == 0:
        return np.ones_like(x)
    step = max(float(gaps[-1]), 0.5 * float(np.median(gaps)))
    return np.exp(-(x.max() - x) / step)


def scatter_draw(variance: float, dof: int, rng: np.random.Generator, size: int) -> np.ndarray:
    """`size` plausible values of a variance estimated on `dof` degrees of freedom (scaled inverse chi²).

    With three or four models the scatter itself is barely known; drawing it keeps the intervals
    honest about that instead of treating the estimate as exact.
    """
    if variance <= 0.0 or dof < 1:
        return np.full(size, max(float(variance), 0.0))
    return variance * dof / np.maximum(rng.chisquare(dof, size), 1e-12)


def redraw_cases(series: Series, rate: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Pass rates of new cases drawn at `rate` (one row per refit).

    Where the case count is unknown the fit weighed the rate as if measured on `ASSUMED_CASES`,
    so it is redrawn with that sampling noise too: keeping it fixed would let a series that sits
    on its curve give every refit the same crossing, an interval of zero width.
    """
    cases = series.n.astype(int)
    return rng.binomial(cases, np.clip(rate, 0.0, 1.0)) / cases


@dataclass(frozen=True)
class LogitTrend:
    """logit(pass rate) = a + b·log10(scale) near the largest scale, plus between-model scatter.

    `overall` is the same line fitted without favouring the largest scales. Whether the pass
    rate rises at all is judged on it (`slope`, `established`), where it will cross on the local
    line: one lucky largest model at the end of a zig-zag series is not a trend.
    """

    line: Line
    overall: Line
    footing: Footing
    established: bool | np.ndarray
    note: str = ""  # why the main method fell back to this fit, if it did

    @property
    def slope(self) -> Number:
        return self.overall.b

    def crossing(self, threshold: float) -> Number:
        return crossing_of(self.line, self.footing.target_logit(threshold))

    def resample(self, series: Series, rng: np.random.Generator, size: int) -> Series:
        """Each model's true rate scattered around the line, then its cases drawn again."""
        tau2 = scatter_draw(self.line.tau2, scatter_dof(series.x.size), rng, size)
        z = self.line.at(series.x) + rng.normal(0.0, np.sqrt(tau2)[:, None], (size, series.x.size))
        return series.resampled(redraw_cases(series, series.observed(sigmoid(z)), rng), np.ones((size, series.x.size)))

    def describe(self) -> str:
        trend = f"logit(pass rate) changes {self.line.b:+.2f} per decade near the largest scale"
        return f"{trend}; {self.note}" if self.note else trend


def crossing_of(line: Line, target: Number) -> Number:
    """Where `line` reaches `target` going up: inf where it does not rise, NaN where the fit failed."""
    b = np.asarray(line.b)
    with np.errstate(all="ignore"):
        return np.where(b > 0.0, (target - np.asarray(line.a)) / b, np.where(np.isnan(b), np.nan, np.inf))[()]


def fit_logit_trend(series: Series) -> LogitTrend:
    y, v = series.logit_rate()
    tau2 = between_model_scatter(series.x, y, v, series.weight)
    local = random_effects_line(series.x, y, v, tau2, series.weight * frontier_emphasis(series.x))
    overall = random_effects_line(series.x, y, v, tau2, series.weight)
    # With tau2 estimated, its degrees of freedom bound the evidence; at tau2 = 0 the binomial
    # variances are all there is, and they are known.
    established = np.where(np.asarray(tau2) > 0.0, rises(overall.b, 1.0, overall.sxx, scatter_dof(series.x.size)),
                           rises(overall.b, 1.0, overall.sxx, 1000))[()]
    return LogitTrend(local, overall, series.footing(), established)
