"""The baseline logistic in pass rate."""

from __future__ import annotations

import numpy as np
import pytest

from pytest_emergent.forecast import Point
from pytest_emergent.forecast.series import Series
from pytest_emergent.forecast.sigmoid import fit_sigmoid


def test_the_baseline_recovers_the_midpoint_of_an_exact_logistic():
    points = [Point(10**x, float(1 / (1 + np.exp(-2.0 * (x - 10.2))))) for x in (8.0, 8.5, 9.0, 9.5, 10.0)]
    assert fit_sigmoid(Series.of(points)).crossing(0.5) == pytest.approx(10.2, abs=1e-3)


def test_the_baseline_says_never_for_a_falling_curve():
    points = [Point(10**x, r) for x, r in ((8.0, 0.4), (9.0, 0.3), (10.0, 0.2))]
    assert fit_sigmoid(Series.of(points)).crossing(0.5) == np.inf


def test_the_baseline_never_calls_itself_noisy():
    points = [Point(10**x, r) for x, r in ((8.0, 0.4), (9.0, 0.1), (10.0, 0.5), (11.0, 0.2))]
    assert fit_sigmoid(Series.of(points)).established
