"""The main method: extrapolate the smooth metric, then read the pass rate off a learned link.

Pass rate can jump between two sizes while the metric under it (log-probability of the target,
choice margin) moves smoothly (Schaeffer et al. 2023), so the metric is what gets extrapolated.
Where in metric units the capability starts passing is learned from the observed points with a
logistic link (a line in logit(pass rate) against the metric). Without a usable metric, or when
the observed pass rates cannot place the link (all at the floor), the fit falls back to the logit
trend of the pass rate itself.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .curve import Curve
from .lsq import Line, between_model_scatter, random_effects_line, rises, weighted_line, weighted_sse
from .passrate import fit_logit_trend, logit_variance, redraw_cases, scatter_draw
from .series import Footing, Series, logit


@dataclass(frozen=True)
class MetricCurve:
    """metric(x) extrapolated in log10(scale), pass rate = sigmoid(link.a + link.b·metric).

    `power` means the metric is negative and its magnitude shrinks as a power of scale (how a
    log-likelihood approaches 0); the line is then fitted to log(-metric).
    """

    trend: Line
    power: bool
    link: Line
    footing: Footing
    residual_variance: float
    established: bool

    @property
    def slope(self) -> float:
        return -self.trend.b if self.power else self.trend.b

    def crossing(self, threshold: float) -> float | None:
        if self.slope <= 0.0:
            return None
        needed = (self.footing.target_logit(threshold) - self.link.a) / self.link.b  # link.b > 0
        if not self.power:
            return (needed - self.trend.a) / self.trend.b
        if needed >= 0.0:
            return None  # the metric saturates at 0 before it gets there
        return float((np.log(-needed) - self.trend.a) / self.trend.b)

    def resample(self, series: Series, rng: np.random.Generator) -> Series:
        """Metric scattered around its trend; pass rates redrawn case by case from what was seen."""
        known = ~np.isnan(series.metric)
        variance = scatter_draw(self.residual_variance, int(known.sum()) - 2, rng)
        fitted = self.trend.at(series.x) + rng.normal(0.0, np.sqrt(variance), series.x.size)
        metric = np.where(known, -np.exp(fitted) if self.power else fitted, np.nan)
        return replace(series.resampled(redraw_cases(series, series.p, rng), series.weight), metric=metric)

    def describe(self) -> str:
        shape = "-metric falls as a power of scale" if self.power else "metric linear in log10(scale)"
        return f"{shape}; pass rate linked to metric (slope {self.link.b:+.2f})"


def _link(metric: np.ndarray, p_smooth: np.ndarray, n: np.ndarray, w: np.ndarray) -> Line:
    """logit(pass rate) = a + b·metric, weighted as the pass-rate trend is (binomial + scatter)."""
    y, v = logit(p_smooth), logit_variance(p_smooth, n)
    return random_effects_line(metric, y, v, between_model_scatter(metric, y, v, w), w)


def _fallback(series: Series, why: str) -> Curve:
    return replace(fit_logit_trend(series), note=why)


def _trend(x: np.ndarray, metric: np.ndarray, w: np.ndarray) -> tuple[Line, bool, float]:
    """Linear trend, or a power law toward 0 when the metric is negative and that fits better.

    Returns the line, whether it is the power law, and its residual variance in fitted units.
    """
    dof = max(x.size - 2, 1)
    line = weighted_line(x, metric, w)
    linear_error = weighted_sse(line, x, metric, w)
    if (metric < 0).all():
        power = weighted_line(x, np.log(-metric), w)
        if float((w * (-np.exp(power.at(x)) - metric) ** 2).sum()) < linear_error:
            return power, True, weighted_sse(power, x, np.log(-metric), w) / dof
    return line, False, linear_error / dof


def fit_metric(series: Series) -> Curve:
    """The main method's fit; see the module docstring for when it falls back."""
    if not series.has_metric():
        return fit_logit_trend(series)
    known = ~np.isnan(series.metric)
    x, metric, p, n, w = (a[known] for a in (series.x, series.metric, series.smoothed_p(), series.n, series.weight))
    if np.ptp(p) == 0.0 or np.ptp(metric) == 0.0:
        return _fallback(series, "metric unused: the pass rates give nothing to link it to")
    link = _link(metric, p, n, w)
    if link.b <= 0.0:
        return _fallback(series, "metric unused: higher values do not go with passing")
    trend, power, variance = _trend(x, metric, w)
    established = rises(-trend.b if power else trend.b, variance, trend.sxx, x.size - 2)
    return MetricCurve(trend, power, link, series.footing(), variance, established)
