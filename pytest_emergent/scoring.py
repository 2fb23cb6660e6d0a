"""`record_score`: a test's continuous result, carried into every report."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ScoreRecord:
    """What a running test recorded; the plugin reads it when the test ends."""

    score: float | None = None
    threshold: float | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    chance: float | None = None  # a threshold relative to chance: chance + tau·(1 − chance)
    tau: float | None = None


_current: list[ScoreRecord] = []


def begin() -> ScoreRecord:
    record = ScoreRecord()
    _current.append(record)
    return record


def end() -> None:
    if _current:
        _current.pop()


def record_score(value: float, threshold: float | None = None, **metrics: Any) -> None:
    """Record the test's score (and named metrics); below `threshold` the test fails."""
    __tracebackhide__ = True
    if not _current:
        raise RuntimeError("record_score() belongs in a capability test: one that takes the `model` fixture "
                           "(this test does not, so there is no result to attach the score to)")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise TypeError(f"record_score: the score must be a number, got {value!r}")
    record = _current[-1]
    record.score = float(value)
    record.threshold = None if threshold is None else float(threshold)
    for key, metric in metrics.items():
        record.metrics[key] = float(metric) if isinstance(metric, (int, float)) and not isinstance(metric, bool) else metric
    if threshold is not None and value < threshold:
        raise AssertionError(f"score {value:.4g} is below the threshold {threshold:.4g}")
