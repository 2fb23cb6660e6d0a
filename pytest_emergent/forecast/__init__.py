"""Forecasts of where a capability will emerge, from its results across model scales.

Pure math on numpy: nothing here imports pytest, torch or the rest of the plugin, so the CLI and
reports can forecast from ledger records without a test session. Two adapters sit beside the math
and are imported on their own: `forecast.ledger` (`forecast_runs`: run records to forecasts and
emergence orders) and `forecast.table` (how a forecast reads in the terminal and the reports).
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
