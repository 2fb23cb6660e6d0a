"""Synthetic capabilities with a known answer, shared by the forecast tests."""

from __future__ import annotations

import numpy as np

from pytest_emergent.forecast import Point

SCALES = tuple(10.0**x for x in (8.0, 8.5, 9.0, 9.5, 10.0))


def logistic_points(
    midpoint: float,
    steepness: float,
    scales: tuple[float, ...] = SCALES,
    n_cases: int | None = None,
    seed: int | None = None,
) -> list[Point]:
    """Pass rate = sigmoid(steepness·(log10 scale - midpoint)); exact, or drawn from n_cases cases."""
    rng = np.random.default_rng(seed)
    points = []
    for scale in scales:
        rate = 1.0 / (1.0 + np.exp(-steepness * (np.log10(scale) - midpoint)))
        if seed is not None and n_cases is not None:
            rate = rng.binomial(n_cases, rate) / n_cases
        points.append(Point(scale, float(rate), n_cases=n_cases))
    return points


def flat_points(level: float = 0.25, n_cases: int = 1000, seed: int = 0) -> list[Point]:
    """A capability stuck at chance: binomial noise around a constant pass rate."""
    rng = np.random.default_rng(seed)
    return [Point(scale, rng.binomial(n_cases, level) / n_cases, n_cases=n_cases) for scale in SCALES]
