"""Words and numbers of a forecast, shared by `emergent forecast` and the Markdown and HTML reports.

One place decides how a forecast reads ("1.2B–4.5B", "no crossing predicted: plateau",
"passed at 1B before its prerequisite ..."), so that the terminal and both reports agree.
"""

from __future__ import annotations

from typing import Any

from ..ledger.history import matches
from ..scale import format_number
from .ledger import FamilyOrder, LedgerForecast, SeriesForecast
from .types import ALREADY_PASSING, CROSSING, FALLING, PLATEAU, TOO_FEW, TOO_NOISY, Forecast, OrderEntry
from .verdict import HORIZON_DECADES

SHORT = {ALREADY_PASSING: "passing", PLATEAU: "plateau", FALLING: "falling", TOO_FEW: "too few points",
         TOO_NOISY: "too noisy"}
COLUMNS = ("capability", "family", "points", "threshold", "verdict", "predicted", "90% interval")


def value(scale: float | None, axis: str) -> str:
    return "–" if scale is None else format_number(scale, axis)


def unit(text: str, axis: str) -> str:
    """Params read as they are (1.5B); a step or a compute says what it is."""
    return {"step": f"step {text}", "compute": f"{text} FLOPs"}.get(axis, text)


def scale_text(scale: float | None, axis: str) -> str:
    return "–" if scale is None else unit(value(scale, axis), axis)


def predicted(item: SeriesForecast, fit: Forecast | None = None) -> str:
    fit = fit or item.main
    return scale_text(fit.predicted, item.axis) if fit.verdict == CROSSING else "–"


def interval(item: SeriesForecast, fit: Forecast | None = None) -> str:
    """low–high of a crossing; an open upper end reads as beyond the horizon of the fit."""
    fit = fit or item.main
    if fit.verdict != CROSSING or fit.low is None:
        return "–"
    horizon = item.largest * 10.0**HORIZON_DECADES
    high = value(fit.high, item.axis) if fit.high is not None else f">{value(horizon, item.axis)}"
    return unit(f"{value(fit.low, item.axis)}–{high}", item.axis)


def brief(item: SeriesForecast, fit: Forecast) -> str:
    """A forecast in one word or number: the predicted scale of a crossing, else the verdict."""
    return predicted(item, fit) if fit.verdict == CROSSING else SHORT.get(fit.verdict, fit.verdict)


PRIOR_MARK = "*"
PRIOR_NOTE = (f"{PRIOR_MARK} from two scales: the slope leans on a prior learned from public scores "
              "(docs/forecast.md)")


def threshold(item: SeriesForecast) -> str:
    """The pass rate to reach, with the chance level it is relative to where one is known."""
    return f"{item.threshold:g}" + (f" (chance {item.chance:g})" if item.chance else "")


def verdict(fit: Forecast) -> str:
    """The verdict, marked when it comes from two scales and the prior."""
    return fit.verdict + (PRIOR_MARK if fit.prior else "")


def row(item: SeriesForecast) -> list[str]:
    """The cells of one table row, in `COLUMNS` order, then the other method's forecast."""
    return [item.capability, item.family, str(len(item.points)), threshold(item), verdict(item.main),
            predicted(item), interval(item), brief(item, item.baseline)]


def header(result: LedgerForecast) -> list[str]:
    """Column titles; the last is the other method, the sigmoid baseline when the main one is the metric."""
    return [*COLUMNS, "sigmoid (baseline)" if result.method == "metric" else "metric method"]


def first(entry: OrderEntry, axis: str) -> str:
    return "never passed" if entry.first_pass is None else scale_text(entry.first_pass, axis)


def inversion(entry: OrderEntry, order: FamilyOrder, quote: str = "", text: Any = str, ident: Any = None) -> str:
    """"X passed at S before its prerequisite Y (first passed at T)"; `quote` wraps the ids. A
    report escapes for its format: `text` is applied to the words, `ident` to the ids."""
    ident = ident or (lambda value: text(f"{quote}{value}{quote}"))
    later = order.first_pass(entry.inversion or "")
    when = "never passed" if later is None else f"first passed at {scale_text(later, order.axis)}"
    return (f"{ident(entry.capability)}{text(f' passed at {scale_text(entry.first_pass, order.axis)} before its prerequisite ')}"
            f"{ident(entry.inversion)}{text(f' ({when})')}")


def worth_showing(order: FamilyOrder) -> bool:
    """An order says something when the family spans several scales, or a prerequisite came late."""
    return order.scales >= 2 or bool(order.inversions)


def format_table(cells: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in cells) for i in range(len(cells[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    lines.insert(1, "-" * len(max(lines, key=len)))
    return lines


def format_forecast(result: LedgerForecast, capability: str | None = None) -> str:
    """Plain text: the table by predicted emergence, then each family's emergence order.

    With `capability` (id, glob or part of ids) the order lists the matching capabilities and
    those that passed before one of them; inversions are judged against the whole family.
    """
    if not result.series:
        return "no results in the ledger match"
    axes = sorted({s.axis for s in result.series})
    lines = [f"forecast of the scale ({', '.join(axes)}) at which each capability reaches its threshold; "
             f"method {result.method}, 90% interval (bootstrap, calibrated)", ""]
    lines += format_table([header(result), *(row(s) for s in result.series)])
    lines += [PRIOR_NOTE] if any(s.main.prior for s in result.series) else []
    lines += [f"note: {note}" for note in result.notes]
    for order in result.orders:
        shown = [e for e in order.entries
                 if matches(e.capability, capability) or (e.inversion and matches(e.inversion, capability))]
        if not shown:
            continue
        lines += ["", f"emergence order, family {order.family} (first {order.axis} at which each passed):"]
        width = max(len(e.capability) for e in shown)
        lines += [f"  {i}. {e.capability.ljust(width)}  {first(e, order.axis)}" for i, e in enumerate(shown, 1)]
        lines += [f"  INVERSION: {inversion(e, order)}" for e in shown if e.inversion]
    return "\n".join(lines)


def format_reasons(result: LedgerForecast) -> str:
    """Why each verdict: one line per method per forecast (`emergent forecast -v`)."""
    lines = []
    for item in result.series:
        metric = f", metric {item.metric}" if item.metric else ", no metric"
        lines.append(f"{item.capability} ({item.family}, {item.axis}{metric}; "
                     f"models {', '.join(item.models)}):")
        lines += [f"  {fit.method}: {fit.verdict}: {fit.detail}" for fit in (item.main, item.baseline)]
    return "\n".join(lines)
