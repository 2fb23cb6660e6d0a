"""What every forecast method hands to the bootstrap and the verdict: a fitted curve.

Keeping the methods behind one small protocol lets the bootstrap and the verdict rules be written
once, so the methods differ only in how they fit, never in how they are judged.
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

    def crossing(self, threshold: float) -> float | None:
        """log10(scale) where the fitted pass rate reaches `threshold` going up; None if never."""
        ...

    def resample(self, series: Series, rng: np.random.Generator) -> Series:
        """A new data set drawn from this fit's own noise model, for the bootstrap."""
        ...

    def describe(self) -> str:
        """A few words on what was fitted, for the forecast's detail line."""
        ...


Fitter = Callable[[Series], Curve]
