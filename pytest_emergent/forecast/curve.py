"""What every forecast method hands to the bootstrap and the verdict: a fitted curve.

Keeping the methods behind one small protocol lets the bootstrap and the verdict rules be written
once, so the methods differ in how they fit and what evidence they offer, never in the rules
that judge it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

from .series import Series


class Curve(Protocol):
    """A fit of one capability's pass rate against log10(scale).

    Fitted on a batch of refits, each number is an array with one entry per refit.
    """

    @property
    def slope(self) -> float | np.ndarray:
        """Direction of the trend in the method's own units: > 0 rising, < 0 falling."""
        ...

    @property
    def established(self) -> bool | np.ndarray:
        """Whether the series as a whole rises beyond its scatter (80% confidence)."""
        ...

    def crossing(self, threshold: float) -> float | np.ndarray:
        """log10(scale) where the fitted pass rate reaches `threshold` going up; inf if never, NaN if the fit failed."""
        ...

    def resample(self, series: Series, rng: np.random.Generator, size: int) -> Series:
        """`size` new data sets (one row each) drawn around this fit with the scatter the data showed around it."""
        ...

    def describe(self) -> str:
        """A few words on what was fitted, for the forecast's detail line."""
        ...


Fitter = Callable[[Series], Curve]
