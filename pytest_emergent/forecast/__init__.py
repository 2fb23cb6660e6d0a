"""Forecasts of where a capability will emerge, from its results across model scales.

Pure math on numpy: nothing here imports pytest, torch or the rest of the plugin, so the CLI and
reports can forecast from ledger records without a test session.
"""

from __future__ import annotations

from .order import emergence_order
from .predict import forecast
from .types import (
    ALREADY_PASSING,
    CROSSING,
    FALLING,
    METHODS,
    PLATEAU,
    TOO_FEW,
    TOO_NOISY,
    VERDICTS,
    Forecast,
    OrderEntry,
    Point,
)

__all__ = [
    "ALREADY_PASSING",
    "CROSSING",
    "FALLING",
    "METHODS",
    "PLATEAU",
    "TOO_FEW",
    "TOO_NOISY",
    "VERDICTS",
    "Forecast",
    "OrderEntry",
    "Point",
    "emergence_order",
    "forecast",
]
