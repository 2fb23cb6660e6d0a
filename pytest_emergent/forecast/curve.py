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
    """A fit of one capability's pass rate against log10(scale)."""

    @property
    def slope(self) -> float:
        """Direction of the trend in the method's own units: > 0 rising, < 0 falling."""
        ...

    @property
    def established(self) -> bool:
        """Whether the series as a whole rises beyond its scatter (80% confidence)."""
        ...

    def crossing(self, threshold: float) -> float | None:
        """log10(scale) where the fitted pass rate reaches `threshold` going up; None if never."""
        ...

    def resample(self, series: Series, rng: np.random.Generator) -> Series:
        """A new data set drawn around this fit with the scatter the data showed around it."""
        ...

    def describe(self) -> str:
        """A few words on what was fitted, for the forecast's detail line."""
        ...


Fitter = Callable[[Series], Curve]
