"""`forecast()`: the one entry point that checks the data, fits, bootstraps and decides."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .bootstrap import bootstrap
from .curve import Fitter
from .metric import fit_metric
from .prior import two_point_forecast
from .series import Series
from .sigmoid import fit_sigmoid
from .types import ALREADY_PASSING, METHODS, TOO_FEW, TOO_NOISY, Forecast, Point
from .verdict import decide

_FITTERS: dict[str, Fitter] = {"metric": fit_metric, "sigmoid": fit_sigmoid}


def forecast(
    points: Sequence[Point], threshold: float, method: str = "metric", n_boot: int = 200, seed: int = 0,
    chance: float = 0.0, fit_above_chance: bool = False,
) -> Forecast:
    """Forecast the scale at which the pass rate reaches `threshold`.

    `method="metric"` extrapolates the smooth metric where recorded (else the local logit trend of
    the pass rate); `method="sigmoid"` is the logistic-in-pass-rate baseline. The interval is a
    90% interval from `n_boot` bootstrap refits, calibrated (see verdict.py), the same for the same `seed`.
    With two scales only, the metric method leans on a prior learned from public scores (prior.py)
    and fits the rate above `chance` (the pass rate of guessing, 1/k for k choices); the sigmoid
    needs three. From three scales on, both methods fit the pass rate itself unless
    `fit_above_chance`: on the back-test (docs/forecast.md) fitting above chance did worse.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    if not 0.0 <= chance < 1.0:
        raise ValueError(f"chance is a pass rate in [0, 1); got {chance!r}")
    if not chance < threshold <= 1.0:
        raise ValueError(f"threshold is a pass rate in ({chance:g}, 1] (above chance); got {threshold!r}")
    if n_boot < 1:
        raise ValueError(f"n_boot must be at least 1; got {n_boot!r}")
    series = Series.of(points, chance)
    if series.distinct_scales >= 2 and series.last_pass_rate() >= threshold:
        largest = f"{10.0**series.x_max:.3g}"
        return Forecast(method, ALREADY_PASSING, None, None, None, f"passes at the largest scale ({largest})")
    if series.distinct_scales == 2 and method == "metric":
        with np.errstate(all="ignore"):
            return two_point_forecast(series, threshold, method, seed=seed)
    if series.distinct_scales < 3:
        needed = "3 are needed" if method == "sigmoid" else "2 are needed (3 without the prior)"
        return Forecast(method, TOO_FEW, None, None, None, f"{series.distinct_scales} distinct scales; {needed}")
    if not fit_above_chance:
        series = Series.of(points)
    fitter = _FITTERS[method]
    # Extreme refits overflow exp/log harmlessly (to inf or 0); a user's -W error must not see it.
    with np.errstate(all="ignore"):
        try:
            curve = fitter(series)
        except (ArithmeticError, ValueError) as error:
            return Forecast(method, TOO_NOISY, None, None, None, f"the fit failed: {error}")
        if not np.isfinite(curve.slope):
            return Forecast(method, TOO_NOISY, None, None, None, "the fit failed: no line through these points")
        return decide(method, series, threshold, curve, lambda: bootstrap(fitter, curve, series, threshold, n_boot, seed))
