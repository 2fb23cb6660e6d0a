"""Two sizes of a family: a forecast that leans on how fast capabilities usually rise with scale.

Two points give a slope but say nothing of how far models scatter around a trend, so a fit of
its own cannot tell a rise from noise. What many public model families show can: across them,
the logit of the pass rate above chance rises by some amount per decade of parameters, with a
spread, and a family's models scatter around their trend by some amount. With that as an
informative prior on the slope (and the scatter taken as known), two points give a posterior
over the trend line, and the crossing's posterior gives the interval.

The prior shipped (`LEARNED`) was learned from the per-model scores of ObsScaling
(github.com/ryoungj/ObsScaling: BIG-bench emergent tasks and standard benchmarks of 148 base
models in 47 families); `bench/forecast_validation.py --learn-prior` prints it again, and the
back-test there learns it with each family left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .lsq import between_model_scatter
from .series import Series
from .types import CROSSING, FALLING, PLATEAU, TOO_NOISY, Forecast
from .verdict import AGREEMENT, HORIZON_DECADES, INTERVAL

DRAWS = 4000  # posterior draws: cheap, and enough for a stable 5% point


@dataclass(frozen=True)
class Prior:
    """How fast logit(pass rate above chance) rises per decade of scale, across public families.

    `slope_mean` and `slope_sd`: the spread of true slopes (sampling noise taken out);
    `scatter`: the variance of a model's logit around its family's trend beyond sampling noise.
    `pairs` and `series` say how much it was learned from.
    """

    slope_mean: float
    slope_sd: float
    scatter: float
    pairs: int
    series: int

    @classmethod
    def learn(cls, corpus: Iterable[Series]) -> Prior:
        """From series of whole families (each at 2 or more scales, with case counts and chance).

        The scatter is the mean of the families' own estimates (those with 3 or more scales): a
        third of them find none and a few find much, and a new family may be either;
        the slopes are those of neighbouring sizes, pooled as a random-effects mean (Paule-Mandel):
        each neighbour pair's slope is as noisy as its two rates and the scatter make it.
        """
        corpus = [s for s in corpus if s.distinct_scales >= 2]
        scatters = []
        for series in corpus:
            if series.distinct_scales >= 3:
                y, v = series.logit_rate()
                scatters.append(float(between_model_scatter(series.x, y, v, np.ones_like(y))))
        scatter = float(np.mean(scatters)) if scatters else 0.0
        slopes, noise = [], []
        for series in corpus:
            y, v = series.logit_rate()
            gap = np.diff(series.x)
            keep = gap > 0
            slopes += list((np.diff(y) / np.where(keep, gap, 1.0))[keep])
            noise += list(((v[1:] + v[:-1] + 2.0 * scatter) / np.where(keep, gap, 1.0) ** 2)[keep])
        if len(slopes) < 2:
            raise ValueError(f"{len(slopes)} neighbouring pairs of sizes; at least 2 are needed to learn a prior")
        mean, spread = _random_effects_mean(np.array(slopes), np.array(noise))
        return cls(mean, float(np.sqrt(spread)), scatter, len(slopes), len(corpus))


def _random_effects_mean(values: np.ndarray, variances: np.ndarray) -> tuple[float, float]:
    """The mean of `values` and the spread (variance) of the true values beyond their noise."""

    def mean(spread: float) -> float:
        w = 1.0 / (variances + spread)
        return float((w * values).sum() / w.sum())

    def excess(spread: float) -> float:
        w = 1.0 / (variances + spread)
        return float((w * (values - mean(spread)) ** 2).sum()) - (values.size - 1)

    if excess(0.0) <= 0.0:
        return mean(0.0), 0.0
    lo, hi = 0.0, float(np.var(values)) * 10.0 + 1.0
    while hi - lo > 1e-4 * hi:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if excess(mid) > 0.0 else (lo, mid)
    return mean(hi), hi


# Learned on ObsScaling (`bench/forecast_validation.py --learn-prior`, rounded): 953 neighbour
# pairs of 369 (family, task) series. A slope of 1.5 per decade takes a rate above chance from
# 5% to 18% in one decade; the scatter is a standard deviation of 0.5 in logit between models.
LEARNED = Prior(slope_mean=1.51, slope_sd=0.63, scatter=0.247, pairs=953, series=369)


def _merged(series: Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, logit rate, variance) per distinct scale; replicates at one scale pooled by inverse variance."""
    y, v = series.logit_rate()
    xs = np.unique(series.x)
    w = 1.0 / v
    merged_y = np.array([(w * y)[series.x == x].sum() / w[series.x == x].sum() for x in xs])
    merged_v = np.array([1.0 / w[series.x == x].sum() for x in xs])
    return xs, merged_y, merged_v


def posterior(series: Series, prior: Prior = LEARNED, draws: int = DRAWS, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Draws of (level at the largest scale, slope) of the trend through two scales, given the prior.

    The model: logit rate = level + slope·(x − x_max) + noise of variance (sampling + scatter),
    a flat prior on the level and the learned normal prior on the slope; the posterior is normal.
    """
    x, y, v = _merged(series)
    u = x - x[-1]
    w = 1.0 / (v + prior.scatter)
    belief = 1.0 / max(prior.slope_sd, 1e-3) ** 2  # a prior that learned no spread is still not certain
    precision = np.array([[w.sum(), (w * u).sum()], [(w * u).sum(), (w * u * u).sum() + belief]])
    centre = np.linalg.solve(precision, np.array([(w * y).sum(), (w * u * y).sum() + prior.slope_mean * belief]))
    drawn = np.random.default_rng(seed).multivariate_normal(centre, np.linalg.inv(precision), draws)
    return drawn[:, 0], drawn[:, 1]


def _scale(log10_value: float) -> str:
    return f"{10.0**log10_value:.3g}"


def two_point_forecast(series: Series, threshold: float, method: str = "metric", prior: Prior = LEARNED,
                       seed: int = 0) -> Forecast:
    """The forecast of a series at exactly two scales, not passing at the larger one yet."""
    x_max = series.x_max
    horizon = x_max + HORIZON_DECADES
    level, slope = posterior(series, prior, seed=seed)
    target = series.footing().target_logit(threshold)
    with np.errstate(all="ignore"):
        crossing = np.where(slope > 0.0, x_max + (target - level) / slope, np.inf)
    rising, falling = float((slope > 0).mean()), float((slope < 0).mean())
    why = (f"two scales, slope {np.median(slope):+.2f} per decade in logit(pass rate) with the prior "
           f"{prior.slope_mean:+.2f} ± {prior.slope_sd:.2f} learned on public scores")
    if falling >= AGREEMENT:
        return Forecast(method, FALLING, None, None, None, f"pass rate falls with scale ({why})", prior=True)
    predicted = float(np.quantile(crossing, 0.5, method="inverted_cdf"))
    if predicted > horizon:
        where = "never" if predicted > x_max + 30 else f"only near {_scale(predicted)}"
        return Forecast(method, PLATEAU, None, None, None,
                        f"the trend reaches {threshold:g} {where}, past the {HORIZON_DECADES:g}-decade horizon ({why})",
                        prior=True)
    if rising < AGREEMENT:
        return Forecast(method, TOO_NOISY, None, None, None, f"only {rising:.0%} of posterior draws rise ({why})",
                        prior=True)
    low_q, high_q = (float(np.quantile(crossing, q, method="inverted_cdf")) for q in INTERVAL)
    predicted, low = max(predicted, x_max), max(low_q, x_max)
    high = 10.0**high_q if high_q <= horizon else None
    width = f"{high_q - low:.1f} decades wide" if high is not None else f"upper end beyond {HORIZON_DECADES:g} decades"
    return Forecast(method, CROSSING, 10.0**predicted, 10.0**low, high,
                    f"reaches {threshold:g} near {_scale(predicted)} ({why}); interval {width}", prior=True)
