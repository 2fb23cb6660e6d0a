"""The numeric routines: lines with scatter, the baseline's logistic, the slope test."""

from __future__ import annotations

import numpy as np
import pytest

from pytest_emergent.forecast.lsq import (
    Line,
    between_model_scatter,
    random_effects_line,
    rises,
    sigmoid_least_squares,
    weighted_line,
)
from pytest_emergent.forecast.series import sigmoid

X = np.array([8.0, 8.5, 9.0, 9.5, 10.0, 10.5])
ONES = np.ones_like(X)


def test_a_weighted_line_through_collinear_points_is_exact():
    line = weighted_line(X, 2.0 - 0.5 * X, ONES)
    assert line.a == pytest.approx(2.0)
    assert line.b == pytest.approx(-0.5)


def test_points_at_one_scale_cannot_carry_a_line():
    line = weighted_line(np.full(3, 9.0), np.array([1.0, 2.0, 3.0]), np.ones(3))
    assert np.isnan(line.b)


def test_a_batch_of_lines_fails_only_in_the_row_that_has_no_line():
    x = np.array([8.0, 9.0, 10.0])
    weight = np.array([[1.0, 1.0, 1.0], [0.0, 3.0, 0.0]])
    line = weighted_line(x, np.array([1.0, 2.0, 3.0]), weight)
    assert line.b[0] == pytest.approx(1.0) and np.isnan(line.b[1])


def test_a_batch_of_scatters_equals_the_scatters_one_at_a_time():
    rng = np.random.default_rng(0)
    y = 1.0 + 0.3 * X + rng.normal(0.0, 0.5, (8, X.size))
    v, weight = np.full_like(X, 0.01), rng.dirichlet(np.ones(X.size), 8) * X.size
    one_by_one = [between_model_scatter(X, y[i], v, weight[i]) for i in range(8)]
    assert np.allclose(between_model_scatter(X, y, v, weight), one_by_one)


def test_points_within_their_sampling_noise_show_no_extra_scatter():
    y = 1.0 + 0.3 * X + np.array([0.01, -0.01, 0.01, -0.01, 0.01, -0.01])
    assert between_model_scatter(X, y, np.full_like(X, 0.01), ONES) == 0.0


def test_a_zig_zag_shows_scatter_beyond_sampling_noise():
    y = 1.0 + 0.3 * X + np.array([1.0, -1.0, 1.0, -1.0, 1.0, -1.0])
    assert between_model_scatter(X, y, np.full_like(X, 0.01), ONES) > 0.5


def test_a_bend_is_not_counted_as_scatter_once_a_parabola_fits():
    y = 0.8 * (X - 8.0) ** 2
    assert between_model_scatter(X, y, np.full_like(X, 0.01), ONES) == 0.0


def test_scatter_makes_the_weights_of_precise_and_noisy_points_more_equal():
    y = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 4.0])
    v = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.001])
    pulled = random_effects_line(X, y, v, tau2=0.0, weight=ONES)
    balanced = random_effects_line(X, y, v, tau2=1.0, weight=ONES)
    assert abs(balanced.at(10.5) - 4.0) > abs(pulled.at(10.5) - 4.0)


def test_a_steep_slope_on_many_points_rises():
    assert rises(slope=1.0, variance=0.1, sxx=4.0, dof=10)


def test_a_slope_inside_its_error_does_not_rise():
    assert not rises(slope=0.1, variance=1.0, sxx=1.0, dof=3)


def test_with_no_degree_of_freedom_nothing_rises():
    assert not rises(slope=5.0, variance=1.0, sxx=1.0, dof=0)


def test_the_baseline_logistic_is_recovered_from_exact_pass_rates():
    p = sigmoid(1.5 * (X - 9.8))
    line = sigmoid_least_squares(X, p, ONES, Line(a=-4.5, b=0.5))  # p = 0.5 at x = 9, a rough start
    assert line.b == pytest.approx(1.5, rel=1e-4)
    assert -line.a / line.b == pytest.approx(9.8, abs=1e-4)
