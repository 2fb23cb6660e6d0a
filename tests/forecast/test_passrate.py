"""The main method's fallback: the local logit trend of the pass rate."""

from __future__ import annotations

import numpy as np
import pytest

from pytest_emergent.forecast import Point
from pytest_emergent.forecast.passrate import fit_logit_trend, frontier_emphasis
from pytest_emergent.forecast.series import Series


def test_the_largest_scale_has_full_emphasis_and_smaller_ones_fade():
    emphasis = frontier_emphasis(np.array([8.0, 8.5, 9.0, 9.5]))
    assert emphasis[-1] == 1.0
    assert np.all(np.diff(emphasis) > 0)


def test_a_near_duplicate_largest_model_does_not_shrink_the_local_step_to_nothing():
    emphasis = frontier_emphasis(np.array([8.0, 9.0, 10.0, 10.05]))
    assert emphasis[2] > 0.5


def test_an_accelerating_series_is_extrapolated_with_its_recent_slope():
    rates = (0.002, 0.003, 0.005, 0.02, 0.08)
    series = Series.of([Point(10 ** (8 + 0.5 * i), r, n_cases=2000) for i, r in enumerate(rates)])
    trend = fit_logit_trend(series)
    assert trend.line.b > trend.overall.b


def test_an_exact_logistic_is_a_straight_line_in_logit():
    series = Series.of([Point(10**x, float(1 / (1 + np.exp(-(x - 10.0))))) for x in (8.0, 8.5, 9.0, 9.5)])
    trend = fit_logit_trend(series)
    assert trend.line.b == pytest.approx(1.0)
    assert trend.crossing(0.5) == pytest.approx(10.0)


def test_a_clear_rise_is_established():
    rates = (0.01, 0.03, 0.08, 0.2, 0.4)
    series = Series.of([Point(10 ** (8 + 0.5 * i), r, n_cases=500) for i, r in enumerate(rates)])
    assert fit_logit_trend(series).established


def test_a_zig_zag_is_not_established():
    rates = (0.2, 0.05, 0.3, 0.02, 0.25, 0.1, 0.35)
    series = Series.of([Point(10 ** (8 + 0.5 * i), r, n_cases=200) for i, r in enumerate(rates)])
    assert not fit_logit_trend(series).established


def test_a_falling_trend_never_crosses():
    rates = (0.4, 0.3, 0.2)
    series = Series.of([Point(10 ** (8 + i), r, n_cases=500) for i, r in enumerate(rates)])
    assert fit_logit_trend(series).crossing(0.5) == np.inf
