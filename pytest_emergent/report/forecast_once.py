"""The forecast over a ledger's runs, made at most once for all the reports that show it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..forecast.ledger import LedgerForecast


class OnceForecast:
    """The forecast over the ledger's runs, computed at most once, by the first report that needs it."""

    def __init__(self, runs: list[dict[str, Any]]):
        self.runs = runs
        self._value: LedgerForecast | None = None

    def __call__(self) -> LedgerForecast:
        if self._value is None:
            from ..forecast.ledger import forecast_runs  # numpy, only when a report shows a forecast

            self._value = forecast_runs(self.runs)
        return self._value
