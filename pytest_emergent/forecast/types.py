"""The data that enters and leaves the forecast: observations, forecasts, emergence order.

Frozen dataclasses only, so that a forecast can be stored in a run record or compared in a test
without anyone mutating it on the way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

CROSSING = "crossing"
ALREADY_PASSING = "already-passing"
PLATEAU = "no crossing predicted: plateau"
FALLING = "no crossing predicted: falling"
TOO_FEW = "too few points"
TOO_NOISY = "too noisy"

VERDICTS = (CROSSING, ALREADY_PASSING, PLATEAU, FALLING, TOO_FEW, TOO_NOISY)

METHODS = ("metric", "sigmoid")


@dataclass(frozen=True)
class Point:
    """One capability measured on one model: where it sits in scale and how it did.

    `metric` is the smooth signal (mean log-probability of the target, choice margin, ...);
    `n_cases` says how many cases the pass rate was counted over, which sets its sampling noise.
    """

    scale: float
    pass_rate: float
    metric: float | None = None
    n_cases: int | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.scale) and self.scale > 0):
            raise ValueError(f"scale must be a positive finite number, got {self.scale!r}")
        if not (0.0 <= self.pass_rate <= 1.0):
            raise ValueError(f"pass_rate must lie in [0, 1], got {self.pass_rate!r}")
        if self.metric is not None and not math.isfinite(self.metric):
            raise ValueError(f"metric must be finite or None, got {self.metric!r}")
        if self.n_cases is not None and self.n_cases < 1:
            raise ValueError(f"n_cases must be at least 1, got {self.n_cases!r}")


@dataclass(frozen=True)
class Forecast:
    """Where (in the same units as `Point.scale`) the pass rate is expected to reach the threshold.

    `predicted`, `low` and `high` are set for a crossing; `low`/`high` may also bound a
    no-crossing verdict from one side. `detail` is one human sentence explaining the verdict.
    `prior` marks a forecast from two scales, whose slope leans on the prior learned from
    public scores (forecast/prior.py) rather than on the series alone.
    """

    method: str
    verdict: str
    predicted: float | None
    low: float | None
    high: float | None
    detail: str
    prior: bool = False


@dataclass(frozen=True)
class OrderEntry:
    """One capability in emergence order; `inversion` names a prerequisite that came later."""

    capability: str
    first_pass: float | None
    inversion: str | None = None
