"""The main method: metric trend, learned link, and when it falls back to the pass rate."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pytest_emergent.forecast import Point
from pytest_emergent.forecast.metric import MetricCurve, fit_metric
from pytest_emergent.forecast.passrate import LogitTrend
from pytest_emergent.forecast.series import Series

SCALES = (1e8, 1e9, 1e10, 1e11)


def series_of(metrics: tuple[float, ...], rates: tuple[float, ...]) -> Series:
    return Series.of([Point(s, r, metric=m, n_cases=1000) for s, m, r in zip(SCALES, metrics, rates)])


def test_a_negative_metric_shrinking_as_a_power_of_scale_gets_a_power_law():
    metrics = tuple(-6.0 * (s / 1e8) ** -0.3 for s in SCALES)
    curve = fit_metric(series_of(metrics, (0.001, 0.01, 0.05, 0.2)))
    assert isinstance(curve, MetricCurve)
    assert curve.power


def test_a_metric_crossing_zero_gets_a_straight_line():
    curve = fit_metric(series_of((-1.0, -0.4, 0.2, 0.8), (0.1, 0.3, 0.6, 0.8)))
    assert isinstance(curve, MetricCurve)
    assert not curve.power


def test_a_power_law_metric_that_saturates_below_the_needed_level_never_crosses():
    metrics = tuple(-6.0 * (s / 1e8) ** -0.3 for s in SCALES)
    curve = fit_metric(series_of(metrics, (0.001, 0.01, 0.05, 0.2)))
    assert curve.crossing(0.999999) == np.inf


def test_a_metric_whose_higher_values_go_with_failing_is_not_used():
    curve = fit_metric(series_of((1.0, 2.0, 3.0, 4.0), (0.3, 0.2, 0.1, 0.05)))
    assert isinstance(curve, LogitTrend)
    assert "higher values do not go with passing" in curve.describe()


def test_pass_rates_all_at_the_floor_leave_nothing_to_link_the_metric_to():
    curve = fit_metric(series_of((-4.0, -3.0, -2.0, -1.0), (0.0, 0.0, 0.0, 0.0)))
    assert isinstance(curve, LogitTrend)


def test_without_a_metric_the_main_method_is_the_logit_trend():
    series = Series.of([Point(s, r, n_cases=100) for s, r in zip(SCALES, (0.01, 0.05, 0.1, 0.3))])
    assert isinstance(fit_metric(series), LogitTrend)


def test_a_linear_metric_with_an_exact_link_crosses_where_the_link_says():
    # margin = 0.5·(log10 N - 10), pass rate = sigmoid(4·margin): 0.5 at N = 1e10, past the data
    scales = (1e8, 1e9, 10**9.5)
    points = [
        Point(s, 1 / (1 + math.exp(-4 * 0.5 * (math.log10(s) - 10))), metric=0.5 * (math.log10(s) - 10)) for s in scales
    ]
    curve = fit_metric(Series.of(points))
    assert curve.crossing(0.5) == pytest.approx(10.0)
