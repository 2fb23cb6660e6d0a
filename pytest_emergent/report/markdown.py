"""The Markdown report: news first (what regressed, what lit up), then the full matrix.

It is what a reviewer reads in a GitHub job summary, so the top lines alone must say
whether the new checkpoint broke something and what it gained.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..ledger.baseline import count_changes
from ..outcomes import Status
from ..results import ModelHeader, Result, count_statuses, natural_key, ordered_models
from ..scale import format_number
from . import escape, words

if TYPE_CHECKING:
    from ..forecast.ledger import LedgerForecast

Forecaster = Callable[[], "LedgerForecast"]  # the forecast of every run, made when first asked for

_ICON = {"pass": "✅", "early-pass": "🌱", "fail": "❌", "expected-fail": "⏳", "skip": "⏭", "error": "💥"}


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _cell(result: dict[str, Any] | None) -> str:
    if result is None:
        return "–"
    text = f"{_ICON.get(result['status'], '')} {result['status']} {words.score(result, bar=False)}".rstrip()
    label = words.CHANGE_LABELS.get(result.get("change") or "")
    return text + (f" **{escape.markdown(label)}**" if label else "")


def _news(title: str, rows: list[dict[str, Any]]) -> list[str]:
    """One section of news: each result with its score and error bar, its baseline, and the evidence."""
    if not rows:
        return []
    lines = [f"### {title} ({len(rows)})", "", "| capability | model | now | baseline | evidence |",
             "|---|---|---|---|---|"]
    for r in rows:
        now = f"{r['status']} {words.score(r)}".rstrip()
        note = r.get("change_note") or ""
        if r.get("nondeterministic"):
            note = f"{note} (a re-run of this checkpoint came out differently)".strip()
        lines.append(f"| {escape.markdown_code(r['capability'])} | {escape.markdown(r['model'])} | {now} "
                     f"| {words.baseline(r, escape.markdown) or '–'} | {escape.markdown(note) or '–'} |")
    return [*lines, ""]


def _headers(document: dict[str, Any]) -> dict[str, ModelHeader]:
    return {m["name"]: ModelHeader.from_dict({"backend": "", **m}) for m in document.get("models", [])
            if isinstance(m, dict) and m.get("name")}


def _title(name: str, header: ModelHeader | None) -> str:
    if header is None:
        return escape.markdown(name)
    scale = [format_number(header.scale["params"])] if header.scale.get("params") else []
    if header.scale.get("step") is not None:
        scale.append(f"step {format_number(header.scale['step'], 'step')}")
    return escape.markdown(name + (f" ({', '.join(scale)})" if scale else ""))


def with_focus(documents: list[dict[str, Any]], focus: dict[str, Any]) -> list[dict[str, Any]]:
    """`documents` with `focus` added when it is not among them (a run not kept in a ledger)."""
    if any(d is focus or (focus.get("run_id") and d.get("run_id") == focus.get("run_id")) for d in documents):
        return documents
    return [*documents, focus]


def _forecast(document: dict[str, Any], history: list[dict[str, Any]] | None, forecast: Forecaster | None) -> list[str]:
    """The forecast table and the emergence order, for the capabilities and families of the run.

    Shown only where the documents allow it: a forecast needs a family with results at three
    or more scales; an order needs several scales, or a prerequisite that passed late.
    `forecast` gives the forecast of every run (computed once for all reports of a session).
    """
    from ..forecast import table
    from ..ledger.checkpoints import checkpoints_of

    if forecast is None:
        from ..forecast.ledger import forecast_runs

        runs = with_focus(history or [], document)
        forecast = lambda: forecast_runs(runs)  # noqa: E731
    capabilities = {r["capability"] for r in document.get("results", [])}
    families = {cp.family for cp in checkpoints_of(document).values()}
    result = forecast()
    lines: list[str] = []
    shown = [s for s in result.series if len(s.points) >= 3 and s.capability in capabilities and s.family in families]
    if shown:
        head = table.header(result)
        axes = ", ".join(sorted({s.axis for s in shown}))
        lines += ["### Forecast", "",
                  f"Where each capability is forecast to reach its threshold ({axes}): {result.method} method, "
                  "90% interval (bootstrap, calibrated); capabilities with results at 3 or more scales of a family.", "",
                  "| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
        for item in shown:
            cells = table.row(item)
            lines.append("| " + " | ".join([escape.markdown_code(cells[0]), *(escape.markdown(c) for c in cells[1:])]) + " |")
        left = sum(1 for s in result.series if s.capability in capabilities and s.family in families) - len(shown)
        lines += [""] + ([f"{_count(left, 'series has', 'series have')} fewer than 3 scales: no forecast.", ""]
                         if left else [])
    orders = [o for o in result.orders if o.family in families and table.worth_showing(o)]
    if orders:
        lines += ["### Emergence order", "", "First scale at which each capability passed, per family; "
                  "an inversion is a capability that passed before one of its prerequisites.", ""]
    for order in orders:
        steps = " → ".join(f"{escape.markdown_code(e.capability)} {table.first(e, order.axis)}" for e in order.entries)
        lines.append(f"- **{escape.markdown(order.family)}** ({order.axis}): {steps}")
        lines += [f"  - ⚠️ **inversion:** {table.inversion(e, order, text=escape.markdown, ident=escape.markdown_code)}"
                  for e in order.inversions]
    return [*lines, ""] if orders else lines


def render_markdown(document: dict[str, Any], history: list[dict[str, Any]] | None = None,
                    forecast: Forecaster | None = None) -> str:
    """The whole report of one run document (with `change` filled in by the ledger).

    `history` is every run of the ledger (`RecordedRun.runs`); with it, or when the run alone
    spans three or more scales of a family, the report ends with the forecast and the emergence order.
    """
    results: list[dict[str, Any]] = document.get("results", [])
    by_change = {change: [r for r in results if r.get("change") == change] for change, _ in words.NEWS}
    regressed, lit_up = by_change["regressed"], by_change["lit-up"]
    early = [r for r in results if r["status"] == Status.EARLY_PASS.value and r.get("change") != "lit-up"]
    headers = _headers(document)
    records = [Result.from_dict({"nodeid": "", **r}) for r in results]
    models = ordered_models(headers, records)
    capabilities = sorted({r["capability"] for r in results}, key=natural_key)
    failed = sum(r["status"] in (Status.FAIL.value, Status.ERROR.value) for r in results)
    if regressed:
        verdict = "❌ regressions"
    elif failed:
        verdict = f"❌ no regressions, {failed} failed"
    else:
        verdict = "✅ no regressions"
    lines = [f"## pytest-emergent: {verdict}, {len(lit_up)} lit up", ""]
    about = [f"run {escape.markdown_code(document['run_id'])}" if document.get("run_id") else "",
             f"started {escape.markdown(document['started'])}" if document.get("started") else "",
             f"commit {escape.markdown_code(str(document['git_commit'])[:10])}" if document.get("git_commit") else "",
             f"{_count(len(capabilities), 'capability', 'capabilities')} × {_count(len(models), 'model', 'models')}"]
    lines += [" · ".join(a for a in about if a), ""]
    for change, title in words.NEWS:
        lines += _news(title, by_change[change])
    lines += _news("Early passes (working below the declared scale)", early)
    lines += ["### Capability × model", "", "| capability | " + " | ".join(_title(m, headers.get(m)) for m in models) + " |",
              "|---" * (len(models) + 1) + "|"]
    table = {(r["capability"], r["model"]): r for r in results}
    for capability in capabilities:
        cells = " | ".join(_cell(table.get((capability, m))) for m in models)
        lines.append(f"| {escape.markdown_code(capability)} | {cells} |")
    counts = count_statuses(records)
    changes = count_changes(document)
    lines += ["", "**Summary:** " + ", ".join(f"{n} {s.value}" for s, n in counts.items() if n),
              "", "**Changes:** " + ", ".join(f"{n} {c}" for c, n in changes.items() if n), ""]
    lines += _forecast(document, history, forecast)
    return "\n".join(lines)


def write_markdown(path: Path | str, document: dict[str, Any], history: list[dict[str, Any]] | None = None,
                   forecast: Forecaster | None = None) -> None:
    """Write the report to `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_markdown(document, history, forecast), encoding="utf-8")


def append_step_summary(document: dict[str, Any], environ: dict[str, str] | None = None,
                        history: list[dict[str, Any]] | None = None, forecast: Forecaster | None = None) -> Path | None:
    """Append the report to `$GITHUB_STEP_SUMMARY` when it is set (GitHub shows it on the run page)."""
    target = (environ if environ is not None else os.environ).get("GITHUB_STEP_SUMMARY")
    if not target:
        return None
    with open(target, "a", encoding="utf-8") as handle:
        handle.write(render_markdown(document, history, forecast) + "\n")
    return Path(target)
