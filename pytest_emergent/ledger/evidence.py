"""What one result says about its own uncertainty: its graded cases, n, pass rate, stderr.

Producers give some of these (a YAML item its cases, an import its stderr, a plain pytest
test nothing at all); `complete_error_bars` fills the `n`, `interval` and `stderr` a result
lacks from what it has, and `evidence_of` gathers them for a significance test.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .. import significance
from ..outcomes import Status


def _number(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def graded(cases: list[dict[str, Any]] | None) -> list[tuple[str, bool]]:
    """(id, passed) of the cases that were graded (`passed` true or false, not an error)."""
    return [(c["id"], c["passed"]) for c in cases or []
            if isinstance(c, dict) and isinstance(c.get("id"), str) and isinstance(c.get("passed"), bool)]


def result_stderr(result: dict[str, Any]) -> float | None:
    """The result's standard error, or the `<metric>_stderr` an lm-eval import kept in its metrics."""
    stderr = _number(result.get("stderr"))
    if stderr is None and isinstance(result.get("metric"), str) and isinstance(result.get("metrics"), dict):
        stderr = _number(result["metrics"].get(f"{result['metric']}_stderr"))
    return stderr if stderr is not None and stderr >= 0 else None


def complete_error_bars(result: dict[str, Any], cases: list[dict[str, Any]] | None = None) -> None:
    """Fill `n`, `interval` and `stderr` where the result lacks them (in place).

    From graded cases: n and the Wilson interval of the pass rate. Else from a standard error
    (an import's): score ± 1.96·stderr. Else from n and a score in [0, 1], read as a pass rate:
    Wilson. Else they stay null: nothing says how precise the score is.
    """
    flags = graded(cases if cases is not None else result.get("cases"))
    score = _number(result.get("score"))
    stderr = result_stderr(result)
    n = _count(result.get("n"))
    if flags:
        summary = significance.summarize([passed for _, passed in flags])
        n = summary.n if n is None else n
        interval = summary.interval
    elif stderr is not None and score is not None:
        interval = significance.normal_interval(score, stderr)
    elif n and score is not None and 0.0 <= score <= 1.0:
        interval = significance.wilson_interval(score * n, n)
    else:
        interval = None
    if result.get("n") is None:
        result["n"] = n
    if result.get("interval") is None:
        result["interval"] = None if interval is None else [interval[0], interval[1]]
    if result.get("stderr") is None:
        result["stderr"] = stderr


@dataclass(frozen=True)
class Evidence:
    """One side of a comparison."""

    n: int | None  # cases behind the score, when known
    rate: float | None  # pass rate (from the cases, else a score in [0, 1])
    score: float | None
    stderr: float | None
    cases: dict[str, bool] | None  # graded case id → passed; None without unique ids
    ids: frozenset[str] = frozenset()  # every case id, graded or not

    @property
    def passes(self) -> float | None:
        return None if self.n is None or self.rate is None else self.rate * self.n


def evidence_of(result: dict[str, Any], cases: list[dict[str, Any]] | None) -> Evidence:
    flags = graded(cases)
    every = [c["id"] for c in cases or [] if isinstance(c, dict) and isinstance(c.get("id"), str)]
    by_id = dict(flags) if flags and len(set(every)) == len(every) else None
    score = _number(result.get("score"))
    n = _count(result.get("n"))
    if flags:
        n, rate = len(flags), sum(p for _, p in flags) / len(flags)
    elif score is not None and 0.0 <= score <= 1.0:
        rate = score
    else:
        rate = None
    return Evidence(n=n or None, rate=rate, score=score, stderr=result_stderr(result), cases=by_id,
                    ids=frozenset(every))


def one_observation(status: Status) -> Evidence:
    """What a result without cases, n or stderr amounts to: one case, passed or not."""
    return Evidence(n=1, rate=1.0 if status.passed else 0.0, score=None, stderr=None, cases=None)
