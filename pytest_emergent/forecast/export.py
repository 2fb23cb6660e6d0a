"""`emergent forecast --json`: the whole forecast for tools, numbers at full precision.

Floats are written as Python writes them (the shortest text that reads back to the same
number), so a tool gets what the fit computed, not the three digits the table shows. A bound
that is open (beyond the horizon) or unknown is `null`.
"""

from __future__ import annotations

import math
from typing import Any

from .ledger import FamilyOrder, LedgerForecast, SeriesForecast
from .types import Forecast, OrderEntry
from .verdict import HORIZON_DECADES

FORMAT_VERSION = 1


def _number(value: float | None) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def _fit(fit: Forecast) -> dict[str, Any]:
    width = (math.log10(fit.high / fit.low) if fit.low and fit.high else None)
    return {"method": fit.method, "verdict": fit.verdict, "predicted": _number(fit.predicted),
            "low": _number(fit.low), "high": _number(fit.high), "width_decades": _number(width),
            "prior": fit.prior, "detail": fit.detail}


def _series(item: SeriesForecast) -> dict[str, Any]:
    return {
        "capability": item.capability, "family": item.family, "axis": item.axis,
        "threshold": float(item.threshold), "chance": _number(item.chance), "tau": _number(item.tau),
        "metric": item.metric, "first_pass": _number(item.first_pass),
        "points": [{"model": model, "scale": float(p.scale), "pass_rate": float(p.pass_rate),
                    "metric": _number(p.metric), "n_cases": p.n_cases} for model, p in zip(item.models, item.points)],
        "main": _fit(item.main), "baseline": _fit(item.baseline),
    }


def _entry(entry: OrderEntry) -> dict[str, Any]:
    return {"capability": entry.capability, "first_pass": _number(entry.first_pass), "inversion": entry.inversion}


def _order(order: FamilyOrder) -> dict[str, Any]:
    return {"family": order.family, "axis": order.axis, "scales": order.scales,
            "entries": [_entry(e) for e in order.entries]}


def forecast_json(result: LedgerForecast) -> dict[str, Any]:
    """The forecast as plain JSON values; series in the order of the table (predicted emergence)."""
    return {"format_version": FORMAT_VERSION, "method": result.method, "horizon_decades": HORIZON_DECADES,
            "interval": 0.9, "series": [_series(s) for s in result.series],
            "orders": [_order(o) for o in result.orders], "notes": list(result.notes)}
