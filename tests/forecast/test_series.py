"""Series: observations in log10 scale, smoothed so that every logit is finite."""

from __future__ import annotations

import numpy as np

from pytest_emergent.forecast import Point
from pytest_emergent.forecast.series import Series, logit


def test_points_are_sorted_by_scale_and_put_in_log10():
    series = Series.of([Point(1e10, 0.3), Point(1e8, 0.1), Point(1e9, 0.2)])
    assert np.allclose(series.x, [8.0, 9.0, 10.0])
    assert np.allclose(series.p, [0.1, 0.2, 0.3])


def test_replicates_at_one_scale_count_once_as_a_distinct_scale():
    series = Series.of([Point(1e9, 0.1), Point(1e9, 0.2), Point(1e10, 0.3)])
    assert series.distinct_scales == 2


def test_the_pass_rate_at_the_largest_scale_averages_its_replicates():
    series = Series.of([Point(1e8, 0.0), Point(1e9, 0.2), Point(1e9, 0.4)])
    assert abs(series.last_pass_rate() - 0.3) < 1e-12


def test_counted_zeros_and_ones_get_finite_logits():
    series = Series.of([Point(1e8, 0.0, n_cases=50), Point(1e9, 1.0, n_cases=50), Point(1e10, 0.5, n_cases=50)])
    assert np.isfinite(logit(series.smoothed_p())).all()


def test_uncounted_rates_inside_the_clip_are_left_exactly_as_given():
    series = Series.of([Point(1e8, 0.02), Point(1e9, 0.3), Point(1e10, 0.97)])
    assert np.allclose(series.smoothed_p(), [0.02, 0.3, 0.97])


def test_a_threshold_of_one_becomes_reachable_on_the_smoothed_footing():
    series = Series.of([Point(1e8, 0.0, n_cases=1), Point(1e9, 1.0, n_cases=1), Point(1e10, 0.0, n_cases=1)])
    assert np.isfinite(series.footing().target_logit(1.0))


def test_the_metric_needs_three_measured_scales_to_be_used():
    two = Series.of([Point(1e8, 0.1, metric=-3.0), Point(1e9, 0.2, metric=-2.0), Point(1e10, 0.3)])
    three = Series.of([Point(1e8, 0.1, metric=-3.0), Point(1e9, 0.2, metric=-2.0), Point(1e10, 0.3, metric=-1.0)])
    assert not two.has_metric()
    assert three.has_metric()
