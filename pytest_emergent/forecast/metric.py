"""The main method: extrapolate the smooth metric, then read the pass rate off a learned link.

Pass rate can jump between two sizes while the metric under it (log-probability of the target,
choice margin) moves smoothly (Schaeffer et al. 2023), so the metric is what gets extrapolated.
Where in metric units the capability starts passing is learned from the observed points with a
binomial logistic link. Without a usable metric, or when the observed pass rates cannot place
the link (all at the floor), the fit falls back to the logit trend of the pass rate itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .curve import Curve
from .lsq import Line, logistic_link, ols_line
from .passrate import fit_logit_trend, scatter_draw
from .series import Series, logit, smoothed_target


@dataclass(frozen=True)
class MetricCurve:
    """metric(x) extrapolated in log10(scale), pass rate = sigmoid(link.a + link.b·metric).

    `power` means the metric is negative and its magnitude shrinks as a power of scale (how a
    log-likelihood approaches 0); the line is then fitted to log(-metric).
    """

    trend: Line
    power: bool
    residual_variance: float
    link: Line
    cases: float

    @property
    def slope(self) -> float:
        return -self.trend.b if self.power else self.trend.b

    def metric_at(self, x: np.ndarray) -> np.ndarray:
        fitted = self.trend.at(x)
        return -np.exp(fitted) if self.power else fitted

    def crossing(self, threshold: float) -> float | None:
        target = logit(smoothed_target(threshold, np.array([self.cases])))
        needed = float((target - self.link.a) / self.link.b)
        if self.slope <= 0.0:
            return None
        if not self.power:
            return (needed - self.trend.a) / self.trend.b
        if needed >= 0.0:
            return None  # the metric saturates at 0 before it gets there
        return float((np.log(-needed) - self.trend.a) / self.trend.b)

    def resample(self, series: Series, rng: np.random.Generator) -> Series:
        """Metric scattered around its trend; pass rates redrawn case by case from what was seen."""
        known = ~np.isnan(series.metric)
        variance = scatter_draw(self.residual_variance, int(known.sum()) - 2, rng)
        noise = rng.normal(0.0, np.sqrt(variance), series.x.size)
        fitted = self.trend.at(series.x) + noise
        metric = np.where(known, -np.exp(fitted) if self.power else fitted, np.nan)
        cases = series.n.astype(int)
        return series.with_values(p=rng.binomial(cases, series.p) / cases, metric=metric)

    def describe(self) -> str:
        shape = "-metric falls as a power of scale" if self.power else "metric linear in log10(scale)"
        return f"{shape}; pass rate linked to metric (slope {self.link.b:.2f})"


def _trend(x: np.ndarray, metric: np.ndarray) -> tuple[Line, bool, float]:
    """Linear trend, or a power law toward 0 when the metric is negative and that fits better."""
    line, variance = ols_line(x, metric)
    if (metric < 0).all():
        power, log_variance = ols_line(x, np.log(-metric))
        power_error = float(((-np.exp(power.at(x)) - metric) ** 2).sum())
        if power_error < float(((line.at(x) - metric) ** 2).sum()):
            return power, True, log_variance
    return line, False, variance


def fit_metric(series: Series) -> Curve:
    """The main method's fit; see the module docstring for when it falls back."""
    if not series.has_metric():
        return fit_logit_trend(series)
    known = ~np.isnan(series.metric)
    x, metric, p, n = series.x[known], series.metric[known], series.p[known], series.n[known]
    if np.ptp(p) == 0.0 or np.ptp(metric) == 0.0:
        return fit_logit_trend(series)  # nothing to learn the link from
    link = logistic_link(metric, p, n)
    if link.b <= 0.0:
        return fit_logit_trend(series)  # the metric does not track passing; do not trust it
    trend, power, variance = _trend(x, metric)
    return MetricCurve(trend, power, variance, link, cases=float(np.median(n)))
