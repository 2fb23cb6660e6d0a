"""forecast(): verdicts, recovery of known curves, and the limits it refuses to cross."""

from __future__ import annotations

import math

import pytest

from pytest_emergent.forecast import (
    ALREADY_PASSING,
    CROSSING,
    FALLING,
    PLATEAU,
    TOO_FEW,
    TOO_NOISY,
    Point,
    forecast,
)

from .helpers import SCALES, flat_points, logistic_points

METHODS = ("metric", "sigmoid")


def log_error(predicted: float | None, truth: float) -> float:
    assert predicted is not None
    return abs(math.log10(predicted) - math.log10(truth))


@pytest.mark.parametrize("method", METHODS)
def test_a_known_logistic_curve_is_recovered_within_ten_percent(method):
    points = logistic_points(midpoint=10.5, steepness=1.5)
    result = forecast(points, threshold=0.5, method=method)
    assert result.verdict == CROSSING
    assert abs(result.predicted / 10**10.5 - 1) < 0.10


@pytest.mark.parametrize("method", METHODS)
def test_a_logistic_curve_with_binomial_noise_is_recovered_within_ten_percent(method):
    points = logistic_points(midpoint=10.5, steepness=1.5, n_cases=20000, seed=3)
    result = forecast(points, threshold=0.5, method=method)
    assert result.verdict == CROSSING
    assert abs(result.predicted / 10**10.5 - 1) < 0.10


def power_law_points() -> tuple[list[Point], float]:
    """Mean log-prob of the target = -8·(N/1e8)^-0.2, pass rate = sigmoid(4 + 1.5·logprob).

    Returns the points (rates as if from a million cases) and the scale where the pass rate
    reaches 0.5: logprob = -8/3, so (N/1e8)^-0.2 = 1/3.
    """
    points = []
    for scale in SCALES:
        logprob = -8.0 * (scale / 1e8) ** -0.2
        rate = 1.0 / (1.0 + math.exp(-(4.0 + 1.5 * logprob)))
        points.append(Point(scale, rate, metric=logprob, n_cases=1_000_000))
    return points, 1e8 * 3.0**5


def test_a_known_power_law_in_the_metric_is_recovered_within_ten_percent():
    points, truth = power_law_points()
    result = forecast(points, threshold=0.5, method="metric")
    assert result.verdict == CROSSING
    assert "power of scale" in result.detail
    assert abs(result.predicted / truth - 1) < 0.10


def test_a_metric_that_rises_linearly_is_extrapolated_linearly():
    # A choice margin growing 0.5 per decade; the capability passes when the margin is positive.
    points = [
        Point(scale, 1.0 / (1.0 + math.exp(-3.0 * margin)), metric=margin)
        for scale, margin in ((s, 0.5 * (math.log10(s) - 10.5)) for s in SCALES)
    ]
    result = forecast(points, threshold=0.5, method="metric")
    assert result.verdict == CROSSING
    assert "linear" in result.detail
    assert log_error(result.predicted, 10**10.5) < 0.04


@pytest.mark.parametrize("method", METHODS)
def test_a_flat_series_predicts_no_crossing(method):
    result = forecast(flat_points(), threshold=0.5, method=method)
    assert result.verdict.startswith("no crossing predicted")
    assert result.predicted is None


@pytest.mark.parametrize("method", METHODS)
def test_a_falling_series_is_flagged_as_falling(method):
    points = [Point(scale, rate, n_cases=1000) for scale, rate in zip(SCALES, (0.40, 0.33, 0.25, 0.20, 0.10))]
    assert forecast(points, threshold=0.5, method=method).verdict == FALLING


def test_a_zig_zag_series_ending_high_is_too_noisy_not_a_trend():
    rates = (0.2, 0.05, 0.3, 0.02, 0.25, 0.1, 0.35)
    points = [Point(10 ** (8 + 0.5 * i), rate, n_cases=200) for i, rate in enumerate(rates)]
    assert forecast(points, threshold=0.9).verdict == TOO_NOISY


@pytest.mark.parametrize("method", METHODS)
def test_one_distinct_scale_is_too_few_points(method):
    points = [Point(1e9, 0.1), Point(1e9, 0.12)]
    assert forecast(points, threshold=0.5, method=method).verdict == TOO_FEW


def test_the_sigmoid_baseline_needs_three_scales():
    points = [Point(1e9, 0.1), Point(1e9, 0.12), Point(1e10, 0.3)]
    assert forecast(points, threshold=0.5, method="sigmoid").verdict == TOO_FEW


def test_a_capability_passing_at_the_largest_scale_is_already_passing():
    points = logistic_points(midpoint=9.0, steepness=2.0)
    assert forecast(points, threshold=0.5).verdict == ALREADY_PASSING


def test_a_crossing_further_than_three_decades_out_is_not_predicted():
    points = logistic_points(midpoint=16.0, steepness=0.8)  # crossing six decades past the data
    result = forecast(points, threshold=0.5)
    assert result.verdict == PLATEAU
    assert "3-decade horizon" in result.detail


@pytest.mark.parametrize("method", METHODS)
def test_a_predicted_crossing_lies_beyond_the_largest_observed_scale(method):
    points = logistic_points(midpoint=10.5, steepness=1.5, n_cases=1000, seed=1)
    result = forecast(points, threshold=0.5, method=method)
    assert result.verdict == CROSSING
    assert result.low <= result.predicted <= result.high
    assert result.predicted > max(SCALES)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("method", METHODS)
def test_the_interval_contains_the_true_crossing_on_clean_synthetic_data(method, seed):
    points = logistic_points(midpoint=10.5, steepness=1.5, n_cases=1000, seed=seed)
    result = forecast(points, threshold=0.5, method=method, seed=seed)
    assert result.low <= 10**10.5 <= result.high


@pytest.mark.parametrize("method", METHODS)
def test_the_same_seed_gives_the_same_forecast(method):
    points = logistic_points(midpoint=10.5, steepness=1.5, n_cases=1000, seed=0)
    assert forecast(points, 0.5, method, n_boot=50, seed=7) == forecast(points, 0.5, method, n_boot=50, seed=7)


def test_another_seed_gives_another_interval():
    points = logistic_points(midpoint=10.5, steepness=1.5, n_cases=1000, seed=0)
    first, second = forecast(points, 0.5, n_boot=50, seed=1), forecast(points, 0.5, n_boot=50, seed=2)
    assert (first.low, first.high) != (second.low, second.high)
    assert first.predicted == second.predicted


def test_a_threshold_of_one_is_reachable_for_single_case_capabilities():
    points = [Point(scale, rate, n_cases=1) for scale, rate in zip(SCALES, (0.0, 0.0, 0.0, 1.0, 0.0))]
    result = forecast(points, threshold=1.0)
    assert result.verdict in {CROSSING, TOO_NOISY, PLATEAU}


def test_pass_rates_at_the_floor_fall_back_from_the_metric_to_the_pass_rate():
    points = [Point(scale, 0.0, metric=-5.0 + i, n_cases=100) for i, scale in enumerate(SCALES)]
    result = forecast(points, threshold=0.5)
    assert "metric unused" in result.detail


def test_an_unknown_method_is_refused():
    with pytest.raises(ValueError, match="method must be one of"):
        forecast(logistic_points(10.5, 1.5), 0.5, method="spline")


@pytest.mark.parametrize("threshold", [0.0, -0.1, 1.5])
def test_a_threshold_outside_the_pass_rate_range_is_refused(threshold):
    with pytest.raises(ValueError, match="threshold"):
        forecast(logistic_points(10.5, 1.5), threshold)


@pytest.mark.parametrize("method", METHODS)
def test_the_interval_is_the_bootstrap_range_widened_toward_the_largest_scale(method, monkeypatch):
    from pytest_emergent.forecast import verdict

    points = logistic_points(midpoint=10.5, steepness=1.5, n_cases=200, seed=5)
    calibrated = forecast(points, threshold=0.5, method=method)
    monkeypatch.setattr(verdict, "LOW_SHRINK", 1.0)
    monkeypatch.setattr(verdict, "HIGH_STRETCH", 1.0)
    raw = forecast(points, threshold=0.5, method=method)
    assert calibrated.verdict == raw.verdict == CROSSING
    assert calibrated.predicted == raw.predicted
    largest = max(p.scale for p in points)
    assert largest <= calibrated.low < raw.low <= calibrated.predicted
    # a quarter of the way from the largest scale to the bootstrap's low end, in log scale
    assert math.log10(calibrated.low / largest) == pytest.approx(0.25 * math.log10(raw.low / largest))
    assert raw.high is not None and (calibrated.high is None or calibrated.high > raw.high)
