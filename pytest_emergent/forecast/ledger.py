"""Forecasts from ledger records: per (family, capability) a series of points, fitted both ways.

The fitting modules of this package are pure math; this one is the adapter that reads run
documents (the JSON report layout, docs/json-report.md) and decides what each point is:

- only decided results count (`pass`, `fail`, `expected-fail`, `early-pass`): a skip or an
  error says nothing about whether the capability worked;
- the pass rate is the score when it is one (a number in [0, 1]), else 1 for a pass and 0 for a
  failure (a note says so when a score outside [0, 1] was set aside); the threshold is the
  result's own when the score is the rate, else 1.0; the chance level is the result's `chance`;
- the smooth metric is the first of `METRIC_NAMES` recorded at three or more points of the series;
- the x axis is params, or compute when asked for and known at every checkpoint of the family, or
  the training step when the family's checkpoints share one size and differ by step;
- several results at one x (re-runs, steps of one size) collapse to the highest checkpoint.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..ledger.checkpoints import checkpoints_of, model_headers
from ..ledger.history import matches
from ..outcomes import Status
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
    Forecast,
    OrderEntry,
    Point,
)

# Continuous metrics in order of preference: a log-probability a test records for itself, then
# margins of the right choice over the best wrong one, then the target log-probability the checks
# record. A choice check records both of the last two; its margin decides whether it passes.
METRIC_NAMES = ("logprob", "mean_logprob", "margin", "choice_margin", "target_logprob")
SCALE_CHOICES = ("params", "compute")
# After the crossings, the verdicts that predict none: the most telling first, too few points last.
NO_CROSSING_ORDER = (PLATEAU, FALLING, TOO_NOISY, TOO_FEW)


@dataclass(frozen=True)
class Observation:
    """One decided result, reduced to what a forecast needs."""

    capability: str
    family: str
    model: str
    key: tuple[Any, ...]  # checkpoint order: the greatest key at one x wins
    scale: dict[str, float | None]  # params, compute, step
    passed: bool
    pass_rate: float
    threshold: float
    metrics: dict[str, float]
    n_cases: int | None
    requires: tuple[str, ...]
    chance: float | None = None  # the pass rate of guessing, where the result names one
    tau: float | None = None  # the threshold's share of the way from chance to 1, when relative
    flagged: bool = False  # a score outside [0, 1] whose verdict stands in for a pass rate


@dataclass(frozen=True)
class SeriesForecast:
    """One capability in one family: its points, and the forecast by both methods."""

    capability: str
    family: str
    axis: str  # what `Point.scale` measures: params, compute or step
    threshold: float
    metric: str | None  # the metric fitted, when one was recorded
    points: tuple[Point, ...]  # sorted by scale, one per scale
    models: tuple[str, ...]  # the model behind each point
    first_pass: float | None  # smallest scale at which a result passed
    main: Forecast
    baseline: Forecast  # the other method (the sigmoid baseline when `main` is the metric method)
    chance: float | None = None  # chance level of the largest checkpoint's result
    tau: float | None = None  # the threshold relative to chance, when it was given so

    @property
    def largest(self) -> float:
        return self.points[-1].scale


@dataclass(frozen=True)
class FamilyOrder:
    """The order in which one family's capabilities first passed, inversions flagged."""

    family: str
    axis: str
    scales: int  # distinct scales of the family with a result
    entries: tuple[OrderEntry, ...]

    @property
    def inversions(self) -> tuple[OrderEntry, ...]:
        return tuple(e for e in self.entries if e.inversion)

    def first_pass(self, capability: str) -> float | None:
        return next((e.first_pass for e in self.entries if e.capability == capability), None)


@dataclass(frozen=True)
class LedgerForecast:
    method: str
    series: tuple[SeriesForecast, ...]  # ordered by predicted emergence (see `rank`)
    orders: tuple[FamilyOrder, ...]  # by family name
    notes: tuple[str, ...] = ()  # what a reader should know (an axis that fell back)


def _number(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _rate(result: dict[str, Any], status: Status) -> tuple[float, float]:
    """(pass rate, threshold): the score when it is a rate, else the verdict as 1 or 0 against 1."""
    score, threshold = _number(result.get("score")), _number(result.get("threshold"))
    if score is not None and 0.0 <= score <= 1.0:
        return score, threshold if threshold is not None and 0.0 < threshold <= 1.0 else 1.0
    return (1.0 if status.passed else 0.0), 1.0


def _cases(result: dict[str, Any], metrics: dict[str, float], rate: float) -> int | None:
    """How many cases the pass rate was counted over, where the record tells.

    An imported result's `n` (samples, as the file gives them) or `metrics.cases` (spec items);
    else, for an imported score, its standard error (`stderr`, or `<metric>_stderr` as
    lm-evaluation-harness writes it: se² = p(1-p)/(n-1)); a result whose pass rate is its
    verdict is one case passed or failed.
    """
    score = _number(result.get("score"))
    if score is None or not 0.0 <= score <= 1.0:
        return 1
    for cases in (_number(result.get("n")), metrics.get("cases")):
        if cases is not None and cases >= 1 and cases == int(cases):
            return int(cases)
    stderr = _number(result.get("stderr")) or metrics.get(f"{result.get('metric')}_stderr")
    if stderr and stderr > 0 and 0.0 < rate < 1.0:
        return max(1, round(rate * (1.0 - rate) / stderr**2 + 1.0))
    return None


def _level(value: Any) -> float | None:
    number = _number(value)
    return number if number is not None and 0.0 <= number < 1.0 else None


def _scale(header: dict[str, Any]) -> dict[str, float | None]:
    scale = header.get("scale") or {}
    params, tokens = _number(scale.get("params")), _number(scale.get("tokens"))
    compute = _number(scale.get("compute")) or (6.0 * params * tokens if params and tokens else None)
    return {"params": params, "compute": compute, "step": _number(scale.get("step"))}


def observations(documents: Iterable[dict[str, Any]]) -> list[Observation]:
    """Every decided result of `documents`, in document order."""
    out = []
    for document in documents:
        checkpoints, headers = checkpoints_of(document), model_headers(document)
        for result in document.get("results", []):
            try:
                status = Status(result["status"])
            except (KeyError, ValueError):
                continue
            if not (status.passed or status.failed):
                continue
            model = str(result["model"])
            cp = checkpoints[model]
            rate, threshold = _rate(result, status)
            metrics = {k: v for k, v in ((k, _number(v)) for k, v in (result.get("metrics") or {}).items())
                       if v is not None}
            n_cases = _cases(result, metrics, rate)
            requires = (result.get("declared") or {}).get("requires_capabilities") or ()
            requires = (requires,) if isinstance(requires, str) else requires
            score = _number(result.get("score"))
            out.append(Observation(str(result["capability"]), cp.family, model, cp.key,
                                   _scale(headers.get(model, {})), status.passed, rate, threshold, metrics,
                                   n_cases, tuple(str(r) for r in requires), _level(result.get("chance")),
                                   _level(result.get("tau")), score is not None and not 0.0 <= score <= 1.0))
    return out


def family_axis(rows: Sequence[Observation], wanted: str = "params") -> str:
    """params, compute (when wanted and known everywhere), or step (one size, several steps)."""
    sizes = {o.scale["params"] for o in rows if o.scale["params"]}
    steps = {o.scale["step"] for o in rows if o.scale["step"]}
    if len(sizes) <= 1 and len(steps) > 1:
        return "step"
    if wanted == "compute" and all(o.scale["compute"] for o in rows):
        return "compute"
    return "params"


def _latest_per_scale(rows: Iterable[Observation], axis: str) -> list[tuple[float, Observation]]:
    """One observation per x (the greatest checkpoint key wins), sorted by x; unknown x dropped."""
    best: dict[float, Observation] = {}
    for o in rows:
        x = o.scale[axis]
        if x is None or x <= 0:
            continue
        if x not in best or o.key >= best[x].key:
            best[x] = o
    return sorted(best.items())


def _metric_name(rows: Sequence[Observation]) -> str | None:
    return next((name for name in METRIC_NAMES if sum(name in o.metrics for o in rows) >= 3), None)


def _series(capability: str, family: str, axis: str, winners: list[tuple[float, Observation]],
            first_pass: float | None, method: str, n_boot: int, seed: int) -> SeriesForecast:
    rows = [o for _, o in winners]
    metric = _metric_name(rows)
    points = tuple(Point(x, o.pass_rate, o.metrics.get(metric) if metric else None, o.n_cases) for x, o in winners)
    threshold = rows[-1].threshold if rows else 1.0
    chance = rows[-1].chance if rows and rows[-1].chance is not None and rows[-1].chance < threshold else None
    other = next(m for m in METHODS if m != method)
    fits = {m: forecast(points, threshold, method=m, n_boot=n_boot, seed=seed, chance=chance or 0.0)
            for m in (method, other)}
    return SeriesForecast(capability, family, axis, threshold, metric, points, tuple(o.model for o in rows),
                          first_pass, fits[method], fits[other], chance, rows[-1].tau if rows else None)


def rank(item: SeriesForecast) -> tuple[Any, ...]:
    """Predicted emergence: passing already (earliest first), then crossings by scale, then the rest."""
    verdict, predicted = item.main.verdict, item.main.predicted
    if verdict == ALREADY_PASSING:
        head: tuple[Any, ...] = (0, item.first_pass if item.first_pass is not None else item.largest)
    elif verdict == CROSSING and predicted is not None:
        head = (1, predicted)
    else:
        head = (2, NO_CROSSING_ORDER.index(verdict) if verdict in NO_CROSSING_ORDER else len(NO_CROSSING_ORDER))
    return (*head, item.capability, item.family)


def forecast_runs(documents: Iterable[dict[str, Any]], *, capability: str | None = None, family: str | None = None,
                  scale: str = "params", method: str = "metric", n_boot: int = 200, seed: int = 0,
                  select: Callable[[str, str], bool] | None = None) -> LedgerForecast:
    """Forecast every (family, capability) of `documents` and the emergence order of each family.

    `capability` is an id, a glob or a part of ids, as for `emergent history`, and `select` a
    test of (capability, family); both limit the forecasts, not the emergence order, whose
    inversions need every capability of the family.
    """
    if scale not in SCALE_CHOICES:
        raise ValueError(f"scale must be one of {', '.join(SCALE_CHOICES)}; got {scale!r}")
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    by_family: dict[str, list[Observation]] = {}
    for o in observations(documents):
        if not family or o.family == family:
            by_family.setdefault(o.family, []).append(o)
    series, orders, notes, flagged = [], [], [], []
    for fam, rows in sorted(by_family.items()):
        axis = family_axis(rows, scale)
        if scale == "compute" and axis == "params":
            notes.append(f"family {fam}: training compute is not known for every checkpoint; params used")
        by_capability: dict[str, list[Observation]] = {}
        requires: dict[str, dict[str, None]] = {}
        for o in rows:
            by_capability.setdefault(o.capability, []).append(o)
            requires.setdefault(o.capability, {}).update(dict.fromkeys(o.requires))
        winners = {cap: _latest_per_scale(obs, axis) for cap, obs in sorted(by_capability.items())}
        first_pass = {cap: next((x for x, o in won if o.passed), None) for cap, won in winners.items() if won}
        entries = emergence_order(first_pass, {cap: list(req) for cap, req in requires.items()})
        distinct = {x for won in winners.values() for x, _ in won}
        orders.append(FamilyOrder(fam, axis, len(distinct), tuple(entries)))
        for cap, won in winners.items():
            if won and matches(cap, capability) and (select is None or select(cap, fam)):
                series.append(_series(cap, fam, axis, won, first_pass[cap], method, n_boot, seed))
                if any(o.flagged for _, o in won):
                    flagged.append(f"{cap} ({fam})")
    if flagged:
        notes.append(f"{len(flagged)} series have scores outside [0, 1], which are no pass rates: their pass/fail "
                     f"verdicts were fitted instead ({', '.join(flagged[:3])}{', ...' if len(flagged) > 3 else ''})")
    return LedgerForecast(method, tuple(sorted(series, key=rank)), tuple(orders), tuple(notes))
