"""Point refuses values that no measurement could have produced."""

from __future__ import annotations

import math

import pytest

from pytest_emergent.forecast import Point


@pytest.mark.parametrize("scale", [0.0, -1e9, math.inf, math.nan])
def test_a_point_needs_a_positive_finite_scale(scale):
    with pytest.raises(ValueError, match="scale"):
        Point(scale, 0.5)


@pytest.mark.parametrize("rate", [-0.01, 1.01, math.nan])
def test_a_point_needs_a_pass_rate_between_zero_and_one(rate):
    with pytest.raises(ValueError, match="pass_rate"):
        Point(1e9, rate)


def test_a_point_refuses_an_infinite_metric():
    with pytest.raises(ValueError, match="metric"):
        Point(1e9, 0.5, metric=-math.inf)


def test_a_point_refuses_zero_cases():
    with pytest.raises(ValueError, match="n_cases"):
        Point(1e9, 0.5, n_cases=0)


def test_points_are_frozen():
    point = Point(1e9, 0.5)
    with pytest.raises(AttributeError):
        point.pass_rate = 0.6  # type: ignore[misc]
