"""The bootstrap: reproducible, and honest about refits that fail."""

from __future__ import annotations

import numpy as np

from pytest_emergent.forecast.bootstrap import Draws, bootstrap
from pytest_emergent.forecast.passrate import fit_logit_trend
from pytest_emergent.forecast.series import Series

from .helpers import logistic_points


def draws(seed: int) -> Draws:
    series = Series.of(logistic_points(10.5, 1.5, n_cases=500, seed=0))
    return bootstrap(fit_logit_trend, fit_logit_trend(series), series, 0.5, n_boot=40, seed=seed)


def test_the_same_seed_draws_the_same_crossings():
    assert np.array_equal(draws(3).crossings, draws(3).crossings)


def test_another_seed_draws_other_crossings():
    assert not np.array_equal(draws(3).crossings, draws(4).crossings)


def test_there_is_one_draw_per_refit():
    assert draws(0).crossings.shape == (40,)


def test_never_crossing_counts_beyond_every_scale_in_the_quantiles():
    result = Draws(crossings=np.array([10.0, np.inf, np.inf, np.inf]), slopes=np.ones(4))
    assert result.quantile(0.9) == np.inf


def test_failed_refits_are_left_out_of_the_quantiles():
    result = Draws(crossings=np.array([10.0, 11.0, np.nan]), slopes=np.array([1.0, 1.0, np.nan]))
    assert result.quantile(1.0) == 11.0
    assert result.share_rising() == 1.0


def test_rates_without_a_case_count_on_their_curve_still_give_an_interval():
    """Uncounted rates are redrawn with the noise the fit assumed for them, not held fixed."""
    from pytest_emergent.forecast import CROSSING, Point, forecast

    points = [Point(s, r) for s, r in ((5.6e8, 0.341), (1.1e9, 0.426), (1.7e9, 0.462), (3e9, 0.518), (7.1e9, 0.576))]
    fit = forecast(points, 0.6)
    assert fit.verdict == CROSSING and fit.low < 0.9 * fit.predicted
