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
from .lsq import Line, Number, between_model_scatter, random_effects_line, rises, weighted_line, weighted_sse
from .passrate import LogitTrend, fit_logit_trend, redraw_cases, scatter_draw
from .series import Footing, Series


@dataclass(frozen=True)
class MetricCurve:
    """metric(x) extrapolated in log10(scale), pass rate = sigmoid(link.a + link.b·metric).

    `power` means the metric is negative and its magnitude shrinks as a power of scale (how a
    log-likelihood approaches 0); the line is then fitted to log(-metric). In a batch of
    refits, every field has one entry per refit.
    """

    trend: Line
    power: bool | np.ndarray
    link: Line
    footing: Footing
    residual_variance: Number
    established: bool | np.ndarray

    @property
    def slope(self) -> Number:
        return np.where(self.power, -np.asarray(self.trend.b), self.trend.b)[()]

    def crossing(self, threshold: float) -> Number:
        slope, a, b = self.slope, np.asarray(self.trend.a), np.asarray(self.trend.b)
        with np.errstate(all="ignore"):
            needed = (self.footing.target_logit(threshold) - np.asarray(self.link.a)) / np.asarray(self.link.b)
            # A power law's metric saturates at 0: a level at or above it is never reached.
            reached = np.where(self.power, (np.log(-needed) - a) / b, (needed - a) / b)
        never = ~(slope > 0.0) | (self.power & (needed >= 0.0))
        return np.where(np.isnan(slope) | np.isnan(needed), np.nan, np.where(never, np.inf, reached))[()]

    def resample(self, series: Series, rng: np.random.Generator, size: int) -> Series:
        """Metric scattered around its trend; pass rates redrawn case by case from what was seen."""
        known = series.known
        variance = scatter_draw(self.residual_variance, int(known.sum()) - 2, rng, size)
        fitted = self.trend.at(series.x) + rng.normal(0.0, np.sqrt(variance)[:, None], (size, series.x.size))
        metric = np.where(known, -np.exp(fitted) if self.power else fitted, np.nan)
        p = redraw_cases(series, np.broadcast_to(series.p, (size, series.x.size)), rng)
        return series.resampled(p, np.ones((size, series.x.size)), metric)

    def describe(self) -> str:
        shape = "-metric falls as a power of scale" if self.power else "metric linear in log10(scale)"
        return f"{shape}; pass rate linked to metric (slope {self.link.b:+.2f})"


@dataclass(frozen=True)
class Mixed:
    """A batch of refits where some rows fell back to the logit trend (`fell_back`)."""

    metric: MetricCurve
    fallback: LogitTrend
    fell_back: np.ndarray

    @property
    def slope(self) -> Number:
        return np.where(self.fell_back, self.fallback.slope, self.metric.slope)

    @property
    def established(self) -> np.ndarray:
        return np.where(self.fell_back, self.fallback.established, self.metric.established)

    def crossing(self, threshold: float) -> Number:
        return np.where(self.fell_back, self.fallback.crossing(threshold), self.metric.crossing(threshold))

    def resample(self, series: Series, rng: np.random.Generator, size: int) -> Series:
        raise NotImplementedError("a batch of refits is not resampled again")

    def describe(self) -> str:
        return "a batch of refits"


def _fallback(series: Series, why: str) -> LogitTrend:
    return replace(fit_logit_trend(series), note=why)


def _trend(x: np.ndarray, metric: np.ndarray, w: np.ndarray) -> tuple[Line, bool | np.ndarray, Number]:
    """Linear trend, or a power law toward 0 when the metric is negative and that fits better.

    Returns the line, whether it is the power law, and its residual variance in fitted units.
    """
    dof = max(x.size - 2, 1)
    line = weighted_line(x, metric, w)
    linear_error = weighted_sse(line, x, metric, w)
    negative = (metric < 0).all(-1)
    if not negative.any():
        return line, negative, linear_error / dof
    log_magnitude = np.log(np.where(metric < 0, -metric, 1.0))
    power = weighted_line(x, log_magnitude, w)
    use = negative & ((w * (-np.exp(power.at(x)) - metric) ** 2).sum(-1) < linear_error)
    variance = np.where(use, weighted_sse(power, x, log_magnitude, w), linear_error) / dof

    def pick(a: Number, b: Number) -> Number:
        return np.where(use, a, b)[()]

    return Line(pick(power.a, line.a), pick(power.b, line.b), pick(power.sxx, line.sxx)), use, variance[()]


def fit_metric(series: Series) -> Curve:
    """The main method's fit; see the module docstring for when it falls back."""
    if not series.has_metric():
        return fit_logit_trend(series)
    known = series.known
    y, v = series.logit_rate()
    x, metric, y, v, w = series.x[known], series.metric[..., known], y[..., known], v[..., known], series.weight[..., known]
    flat = (np.ptp(y, axis=-1) == 0.0) | (np.ptp(metric, axis=-1) == 0.0)
    link = random_effects_line(metric, y, v, between_model_scatter(metric, y, v, w), w)
    backwards = ~(np.asarray(link.b) > 0.0)
    if np.ndim(flat) == 0 and flat:
        return _fallback(series, "metric unused: the pass rates give nothing to link it to")
    if np.ndim(flat) == 0 and backwards:
        return _fallback(series, "metric unused: higher values do not go with passing")
    trend, power, variance = _trend(x, metric, w)
    established = rises(np.where(power, -np.asarray(trend.b), trend.b), variance, trend.sxx, x.size - 2)[()]
    curve = MetricCurve(trend, power, link, series.footing(), variance, established)
    fell_back = flat | backwards
    if np.ndim(flat) == 0 or not fell_back.any():
        return curve
    return Mixed(curve, fit_logit_trend(series), fell_back)
