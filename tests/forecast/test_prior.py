"""Two scales of a family: the forecast that leans on a prior learned from public scores."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pytest_emergent.forecast import CROSSING, FALLING, PLATEAU, TOO_FEW, Point, forecast
from pytest_emergent.forecast.prior import LEARNED, Prior, posterior, two_point_forecast
from pytest_emergent.forecast.series import Series

from .helpers import logistic_points


def test_two_rising_scales_give_a_crossing_with_an_interval_marked_as_leaning_on_the_prior():
    fit = forecast([Point(1e9, 0.05, n_cases=1000), Point(1e10, 0.3, n_cases=1000)], threshold=0.5)
    assert fit.verdict == CROSSING and fit.prior
    assert 1e10 <= fit.low < fit.predicted < fit.high
    assert "two scales" in fit.detail and "decades wide" in fit.detail


def test_the_two_point_forecast_lands_near_the_logistic_that_made_the_points():
    # logit rises 1.5 per decade (the prior's mean): 0.5 is reached 2.2 decades past 3e9
    points = [Point(10**x, float(1 / (1 + math.exp(-1.5 * (x - 11.7))))) for x in (9.0, 9.5)]
    fit = forecast(points, threshold=0.5)
    assert fit.verdict == CROSSING
    assert abs(math.log10(fit.predicted) - 11.7) < 0.25
    assert fit.low < 10**11.7 < (fit.high or math.inf)


def test_two_scales_falling_steeply_are_falling():
    fit = forecast([Point(1e8, 0.6, n_cases=5000), Point(1e10, 0.02, n_cases=5000)], threshold=0.7)
    assert fit.verdict == FALLING and fit.prior


def test_two_flat_scales_far_below_the_threshold_predict_no_crossing():
    fit = forecast([Point(1e9, 0.001, n_cases=20000), Point(1e10, 0.001, n_cases=20000)], threshold=0.9)
    assert fit.verdict == PLATEAU


def test_two_scales_already_passing_need_no_prior():
    fit = forecast([Point(1e9, 0.3), Point(1e10, 0.8)], threshold=0.5)
    assert fit.verdict == "already-passing" and not fit.prior


@pytest.mark.parametrize("method", ["metric", "sigmoid"])
def test_one_scale_is_still_too_few(method):
    assert forecast([Point(1e9, 0.1), Point(1e9, 0.2)], threshold=0.5, method=method).verdict == TOO_FEW


def test_a_narrower_prior_gives_a_narrower_interval():
    series = Series.of([Point(1e9, 0.05, n_cases=1000), Point(1e10, 0.3, n_cases=1000)])
    wide = two_point_forecast(series, 0.5, prior=Prior(1.5, 2.0, 0.25, 1, 1))
    narrow = two_point_forecast(series, 0.5, prior=Prior(1.5, 0.2, 0.25, 1, 1))
    assert math.log10(narrow.high / narrow.low) < math.log10(wide.high / wide.low)


def test_the_posterior_slope_sits_between_the_two_points_and_the_prior():
    series = Series.of([Point(1e9, 0.01, n_cases=100_000), Point(1e10, 0.5, n_cases=100_000)])  # data: ~4.6/decade
    _, slope = posterior(series, Prior(1.0, 1.0, 0.25, 1, 1))
    assert 1.0 < float(np.median(slope)) < 4.6


def test_above_chance_a_four_way_task_at_guessing_is_not_half_way():
    at_chance = [Point(1e9, 0.25, n_cases=1000), Point(1e10, 0.26, n_cases=1000)]
    fit = forecast(at_chance, threshold=0.625, chance=0.25)
    assert fit.verdict != CROSSING or fit.predicted > 1e11


def test_the_prior_is_learned_from_families_whose_slopes_are_known():
    rng = np.random.default_rng(1)
    corpus = []
    for slope in rng.normal(2.0, 0.5, 60):
        points = logistic_points(midpoint=10.0, steepness=float(slope), scales=(1e8, 1e9, 1e10, 1e11))
        corpus.append(Series.of([Point(p.scale, p.pass_rate, n_cases=100_000) for p in points]))
    learned = Prior.learn(corpus)
    assert learned.slope_mean == pytest.approx(2.0, abs=0.2)
    assert learned.slope_sd == pytest.approx(0.5, abs=0.2)
    assert learned.scatter < 0.05 and learned.pairs == 180 and learned.series == 60


def test_the_shipped_prior_says_what_it_was_learned_from():
    assert LEARNED.pairs > 900 and LEARNED.series > 300 and LEARNED.slope_sd > 0
