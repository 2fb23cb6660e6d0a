"""The HTML report: one self-contained file (inline CSS and SVG, nothing fetched, no script).

It has to open from a CI artifact on any machine, so nothing in it points outside the file.
The matrix shows one run; the plots show every run: per capability, score against scale on
a log axis, one line per family, with the declared scale drawn where the capability should
start to work, which is the picture the whole tool is about. Where a family is forecast to
reach the threshold, its line goes on dashed to the forecast, over the shaded interval.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..ledger.curves import Curves, curves
from ..results.summary import natural_key
from ..scale import format_number
from . import words
from .escape import html as escape
from .html_cases import CSS as CASES_CSS
from .html_cases import CasesOf, anchor, cases_section

if TYPE_CHECKING:
    from ..forecast.ledger import LedgerForecast, SeriesForecast

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#7f7f7f")
W, H, LEFT, RIGHT, TOP, BOTTOM = 380, 230, 46, 14, 12, 40

CSS = """
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1b1f24;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px}.meta{color:#57606a}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;
vertical-align:top}th{background:#f6f8fa}td.cap{font-family:ui-monospace,monospace;font-size:12px}
.s-pass{background:#dafbe1}.s-early-pass{background:#b6f2ff;font-weight:600}.s-fail{background:#ffd8d3;font-weight:600}
.s-expected-fail{background:#fff8c5}.s-skip{background:#f6f8fa;color:#57606a}.s-error{background:#ffb8b0}
.chg{display:inline-block;margin-left:4px;padding:0 5px;border-radius:8px;font-size:11px;color:#fff}
.lit-up{background:#1a7f37}.regressed{background:#cf222e}.dropped{background:#bc4c00}
.within-noise{background:#6e7781}.redefined{background:#8250df}td a{color:inherit;text-decoration:none}small.levels{color:#57606a}
.plots{display:grid;grid-template-columns:repeat(auto-fill,minmax(400px,1fr));gap:14px}
figure{margin:0;border:1px solid #d0d7de;border-radius:6px;padding:8px}figcaption{font-family:ui-monospace,monospace;
font-size:12px;margin-bottom:4px;overflow-wrap:anywhere}.legend span{margin-right:12px;font-size:12px}
.legend i{display:inline-block;width:14px;height:3px;margin-right:4px;vertical-align:middle}
svg text{font:11px system-ui,sans-serif;fill:#57606a}
table.forecast td{font-size:13px}.inversion{color:#9a6700;font-weight:600}ol.order li{margin:2px 0}
"""


def _levels(result: dict[str, Any]) -> str:
    """The task's chance and majority-class levels under its score, so a score at the level of
    always giving the most common answer is not read as skill."""
    levels = result.get("levels")
    if not isinstance(levels, dict):
        return ""
    shown = [f"{name} {levels[name]:.2g}" for name in ("chance", "majority") if isinstance(levels.get(name), (int, float))]
    return f'<br><small class="levels">{escape(" · ".join(shown))}</small>' if shown else ""


def _cell(result: dict[str, Any] | None) -> str:
    """A matrix cell: status, score and error bar, the change; it links to the result's cases."""
    if result is None:
        return "<td>–</td>"
    change = result.get("change") or ""
    label = words.CHANGE_LABELS.get(change)
    badge = f'<span class="chg {escape(change)}">{escape(label)}</span>' if label else ""
    tip = f"baseline: {words.baseline(result)}" if result.get("baseline") else "no baseline"
    extra = "; ".join(x for x in (result.get("change_note"), result.get("reason")) if x)
    score = words.score(result)
    link = f'#{anchor(result["capability"], result["model"])}'
    return (f'<td class="s-{escape(result["status"])}" title="{escape(tip + ("; " + extra if extra else ""))}">'
            f'<a href="{link}">{escape(result["status"])}{" " + escape(score) if score else ""}</a>{badge}{_levels(result)}</td>')


def _matrix(document: dict[str, Any]) -> str:
    results = document.get("results", [])
    listed = [m["name"] for m in document.get("models", []) if isinstance(m, dict) and m.get("name")]
    models = list(dict.fromkeys([*listed, *(r["model"] for r in results)]))
    scale = {m["name"]: (m.get("scale") or {}).get("params") for m in document.get("models", []) if isinstance(m, dict)}
    table = {(r["capability"], r["model"]): r for r in results}
    heads = "".join(f"<th>{escape(m)}" + (f"<br><small>{format_number(scale[m])}</small>" if scale.get(m) else "")
                    + "</th>" for m in models)
    newsworthy = {change for change, _ in words.NEWS}
    news = sorted({r["capability"] for r in results},
                  key=lambda c: (not any(table.get((c, m), {}).get("change") in newsworthy for m in models), natural_key(c)))
    rows = "".join(f'<tr><td class="cap">{escape(c)}</td>' + "".join(_cell(table.get((c, m))) for m in models) + "</tr>"
                   for c in news)
    return f'<table class="matrix"><tr><th>capability</th>{heads}</tr>{rows}</table>'


def _log_range(values: list[float]) -> tuple[float, float]:
    low, high = math.floor(math.log10(min(values))), math.ceil(math.log10(max(values)))
    return (low - 0.5, high + 0.5) if low == high else (low, high)


def _y_range(values: list[float]) -> tuple[float, float]:
    if values and min(values) >= 0 and max(values) <= 1:
        return 0.0, 1.0
    low, high = min(values), max(values)
    pad = (high - low) * 0.1 or abs(high) * 0.1 or 1.0
    return low - pad, high + pad


def _crossings(curve: Curves, forecasts: dict[str, SeriesForecast]) -> dict[str, SeriesForecast]:
    """The families of this plot forecast to cross, on the plot's own x axis and in pass-rate units."""
    from ..forecast.types import CROSSING

    if any(not 0.0 <= p.y <= 1.0 for series in curve.series.values() for p in series):
        return {}  # scores that are not pass rates: the forecast's threshold is not on this y axis
    return {f: item for f, item in forecasts.items() if f in curve.series and item.axis == curve.axis
            and item.main.verdict == CROSSING and item.main.predicted is not None and len(item.points) >= 3}


def _forecast_marks(item: SeriesForecast, last: Any, colour: str, px: Any, py: Any) -> str:
    """The shaded interval, a dashed segment from the last point to the forecast, and its marker."""
    from ..forecast import table

    fit, family = item.main, escape(item.family)
    x, y = px(fit.predicted), py(item.threshold)
    low = px(fit.low) if fit.low is not None else x
    high = px(fit.high) if fit.high is not None else W - RIGHT
    tip = escape(f"{item.family}: forecast {table.predicted(item)}, 90% interval {table.interval(item)}")
    return (f'<rect class="interval" data-forecast="{family}" x="{low:.1f}" y="{TOP}" width="{max(high - low, 1.0):.1f}" '
            f'height="{H - TOP - BOTTOM}" fill="{colour}" fill-opacity="0.13"><title>{tip}</title></rect>'
            f'<line class="forecast" data-forecast="{family}" x1="{px(last.x):.1f}" y1="{py(last.y):.1f}" '
            f'x2="{x:.1f}" y2="{y:.1f}" stroke="{colour}" stroke-width="2" stroke-dasharray="6 4"/>'
            f'<path class="forecast-point" d="M{x - 5:.1f},{y:.1f}L{x:.1f},{y - 5:.1f}L{x + 5:.1f},{y:.1f}'
            f'L{x:.1f},{y + 5:.1f}Z" fill="#fff" stroke="{colour}" stroke-width="1.5"><title>{tip}</title></path>')


def _plot(curve: Curves, colours: dict[str, str], forecasts: dict[str, SeriesForecast] | None = None) -> str:
    """One SVG: log10 scale on x, score on y, one polyline per family, declared scale dashed."""
    points = [p for series in curve.series.values() for p in series]
    crossing = _crossings(curve, forecasts or {})
    reach = [v for item in crossing.values() for v in (item.main.predicted, item.main.low, item.main.high) if v]
    xs = [p.x for p in points] + ([curve.declared] if curve.declared else []) + reach
    ys = [p.y for p in points] + ([curve.threshold] if curve.threshold is not None else [])
    (x0, x1), (y0, y1) = _log_range(xs), _y_range(ys)
    px = lambda x: LEFT + (math.log10(x) - x0) / (x1 - x0) * (W - LEFT - RIGHT)  # noqa: E731
    py = lambda y: H - BOTTOM - (y - y0) / (y1 - y0) * (H - TOP - BOTTOM)  # noqa: E731
    parts = [f'<rect x="{LEFT}" y="{TOP}" width="{W - LEFT - RIGHT}" height="{H - TOP - BOTTOM}" fill="#fff" stroke="#d0d7de"/>']
    for k in range(math.ceil(x0), math.floor(x1) + 1):
        x = px(10.0**k)
        parts.append(f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{H - BOTTOM}" stroke="#eaeef2"/>'
                     f'<text x="{x:.1f}" y="{H - BOTTOM + 14}" text-anchor="middle">{format_number(10.0**k)}</text>')
    for i in range(5):
        y = y0 + (y1 - y0) * i / 4
        parts.append(f'<line x1="{LEFT}" y1="{py(y):.1f}" x2="{W - RIGHT}" y2="{py(y):.1f}" stroke="#eaeef2"/>'
                     f'<text x="{LEFT - 4}" y="{py(y) + 4:.1f}" text-anchor="end">{y:.3g}</text>')
    parts.append(f'<text x="{(LEFT + W - RIGHT) / 2}" y="{H - 6}" text-anchor="middle">{curve.axis} (log scale)</text>')
    if curve.declared:
        x = px(curve.declared)
        label = format_number(curve.declared, curve.axis)
        parts.append(f'<line class="declared" x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{H - BOTTOM}" stroke="#6e7781" '
                     f'stroke-width="1.5" stroke-dasharray="5 4"/><text x="{x + 4:.1f}" y="{H - BOTTOM - 5}">'
                     f'declared {escape(label)}</text>')
    if curve.threshold is not None:
        y = py(curve.threshold)
        parts.append(f'<line class="threshold" x1="{LEFT}" y1="{y:.1f}" x2="{W - RIGHT}" y2="{y:.1f}" stroke="#bf8700" '
                     f'stroke-dasharray="2 3"/><text x="{W - RIGHT - 4}" y="{y - 4:.1f}" text-anchor="end">'
                     f'threshold {curve.threshold:.3g}</text>')
    for family, item in crossing.items():
        parts.append(_forecast_marks(item, curve.series[family][-1], colours[family], px, py))
    for family, series in curve.series.items():
        colour = colours[family]
        path = " ".join(f"{px(p.x):.1f},{py(p.y):.1f}" for p in series)
        parts.append(f'<polyline class="family" data-family="{escape(family)}" points="{path}" fill="none" '
                     f'stroke="{colour}" stroke-width="2"/>')
        for p in series:
            fill = colour if p.status.passed else "#fff"
            parts.append(f'<circle cx="{px(p.x):.1f}" cy="{py(p.y):.1f}" r="3.5" fill="{fill}" stroke="{colour}" '
                         f'stroke-width="1.5"><title>{escape(p.model)}: {p.y:.3g} ({p.status.value})</title></circle>')
    svg = f'<svg width="{W}" height="{H}" viewBox="0 0 {W} {H}">{"".join(parts)}</svg>'
    legend = "".join(f'<span><i style="background:{colours[f]}"></i>{escape(f)}</span>' for f in curve.series)
    return f'<figure><figcaption>{escape(curve.capability)}</figcaption>{svg}<div class="legend">{legend}</div></figure>'


def _news(document: dict[str, Any]) -> str:
    items = []
    for change, title in words.NEWS:
        rows = [r for r in document.get("results", []) if r.get("change") == change]
        if rows:
            lis = "".join(f'<li><a href="#{anchor(r["capability"], r["model"])}"><code>{escape(r["capability"])}</code></a>'
                          f" on {escape(r['model'])}: {escape(r['status'])} {escape(words.score(r))} "
                          f"(was {escape(words.baseline(r) or 'nothing')})"
                          + (f'<br><small>{escape(r["change_note"])}</small>' if r.get("change_note") else "") + "</li>"
                          for r in rows)
            items.append(f'<h2 class="{change}-list">{escape(title)} ({len(rows)})</h2><ul>{lis}</ul>')
    return "".join(items)


def _forecast_section(result: LedgerForecast) -> str:
    """The forecast table (3 or more scales) and each family's emergence order, inversions flagged."""
    from ..forecast import table

    parts = []
    shown = [s for s in result.series if len(s.points) >= 3]
    if shown:
        head = "".join(f"<th>{escape(h)}</th>" for h in table.header(result))
        rows = "".join('<tr><td class="cap">' + "</td><td>".join(escape(c) for c in table.row(item)) + "</td></tr>"
                       for item in shown)
        parts += [f"<h2>Forecast ({result.method} method, 90% interval: bootstrap, calibrated)</h2>",
                  f'<table class="forecast"><tr>{head}</tr>{rows}</table>']
    orders = [o for o in result.orders if table.worth_showing(o)]
    if orders:
        parts.append("<h2>Emergence order</h2>")
    for order in orders:
        items = "".join(f"<li><code>{escape(e.capability)}</code> {escape(table.first(e, order.axis))}</li>"
                        for e in order.entries)
        flags = "".join(f'<li class="inversion">inversion: {table.inversion(e, order, text=escape, ident=_code)}</li>'
                        for e in order.inversions)
        parts.append(f'<h3>{escape(order.family)} <small>(first {escape(order.axis)} at which each passed)</small></h3>'
                     f'<ol class="order">{items}</ol>' + (f"<ul>{flags}</ul>" if flags else ""))
    return "".join(parts)


def _forecasts(documents: list[dict[str, Any]], forecast: Callable[[], LedgerForecast] | None = None
               ) -> tuple[LedgerForecast, dict[str, dict[str, SeriesForecast]]]:
    """Every forecast of the ledger, and the same by capability and family for the plots."""
    from ..forecast.ledger import forecast_runs  # numpy, only when a report is written

    result = forecast() if forecast is not None else forecast_runs(documents)
    by_capability: dict[str, dict[str, SeriesForecast]] = {}
    for item in result.series:
        by_capability.setdefault(item.capability, {})[item.family] = item
    return result, by_capability


def render_html(documents: list[dict[str, Any]], focus: dict[str, Any] | None = None,
                forecast: Callable[[], LedgerForecast] | None = None, cases_of: CasesOf | None = None) -> str:
    """The report over `documents` (oldest first); the matrix and the cases show `focus`, by default
    the latest. `forecast` gives the forecast of `documents` when a caller has it (made once per
    session); `cases_of(run, result)` a result's cases (the ledger's cases files; default: those
    the results carry)."""
    focus = focus if focus is not None else (documents[-1] if documents else None)
    if focus is not None and all(d is not focus and d.get("run_id") != focus.get("run_id") for d in documents):
        documents = [*documents, focus]
    drawn = [c for c in curves(documents) if c.series]
    forecast_result, by_capability = _forecasts(documents, forecast)
    families = sorted({f for c in drawn for f in c.series})
    colours = {f: PALETTE[i % len(PALETTE)] for i, f in enumerate(families)}
    when = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    body = ['<h1>pytest-emergent report</h1>',
            f'<p class="meta">{len(documents)} runs in the ledger · generated {escape(when)}</p>']
    if focus is not None:
        results = focus.get("results", [])
        changes = {c: sum(r.get("change") == c for r in results) for c in ("regressed", "lit-up")}
        body += [f'<h2>Run {escape(str(focus.get("run_id") or ""))}</h2>',
                 f'<p class="meta">started {escape(str(focus.get("started") or "unknown"))} · '
                 f'{changes["regressed"]} regressed · {changes["lit-up"]} lit up · {len(results)} results</p>',
                 _news(focus), _matrix(focus)]
        tail = cases_section(focus, documents, cases_of or _inline_cases)
    else:
        tail = ""
    body.append(f"<h2>Emergence: score against scale ({len(drawn)} capabilities)</h2>")
    body.append('<div class="plots">' + "".join(_plot(c, colours, by_capability.get(c.capability)) for c in drawn)
                + "</div>" if drawn else "<p>No result with a known scale to plot.</p>")
    body.append(_forecast_section(forecast_result))
    body.append(tail)
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>pytest-emergent report</title>'
            f"<style>{CSS}{CASES_CSS}</style></head><body>{''.join(body)}</body></html>\n")


def _code(text: Any) -> str:
    return f"<code>{escape(text)}</code>"


def _inline_cases(run: dict[str, Any], result: dict[str, Any]) -> list[dict[str, Any]] | None:
    cases = result.get("cases")
    return cases if isinstance(cases, list) else None


def write_html(path: Path | str, documents: list[dict[str, Any]], focus: dict[str, Any] | None = None,
               forecast: Callable[[], LedgerForecast] | None = None, cases_of: CasesOf | None = None) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(documents, focus, forecast, cases_of), encoding="utf-8")
