"""The terminal section: a capability × model matrix fitted to the terminal, and one summary line.

Capabilities show by their short ids (textfit.short_ids; `--emergent-full-ids` for node ids).
A cell reads `pass 0.80 ±0.17 ▲lit-up`: status, score, the wider side of its 95% interval and
the change. When that is too wide for the terminal, cells go compact (`pass .80 ▲`, with a
legend) and then model columns go in blocks under the same capability column. The lists under
the matrix (regressed, early passes) wrap at the terminal's width with a hanging indent.
"""

from __future__ import annotations

from collections.abc import Callable

from ..outcomes import Status
from ..results import ModelHeader, Result, count_statuses, natural_key, ordered_models
from ..scale import format_number
from ..textfit import render, short_ids, shorten, width_of, wrap
from .escape import terminal

_MARKUP = {
    Status.PASS: {"green": True},
    Status.FAIL: {"red": True, "bold": True},
    Status.EXPECTED_FAIL: {"yellow": True},
    Status.EARLY_PASS: {"cyan": True, "bold": True},
    Status.SKIP: {},
    Status.ERROR: {"red": True},
}

# change -> (symbol, word): the same symbols as `emergent history` and the other reports.
CHANGE_MARKS = {"lit-up": ("▲", "lit-up"), "regressed": ("▼", "regressed"), "dropped": ("↓", "dropped"),
                "within-noise": ("≈", "within-noise"), "redefined": ("≠", "redefined")}
SHORT_STATUS = {Status.PASS: "pass", Status.FAIL: "FAIL", Status.EXPECTED_FAIL: "xfail",
                Status.EARLY_PASS: "early", Status.SKIP: "skip", Status.ERROR: "error"}
CHANGE_LEGEND = {"lit-up": "▲ lit up", "regressed": "▼ regressed", "dropped": "↓ dropped (a significant drop, still passing)",
                 "within-noise": "≈ flipped within noise", "redefined": "≠ redefined (not compared)"}
TITLE_ROOM = 24  # compact model titles are shortened to this


def _margin(result: Result) -> str:
    """`±0.17`: the wider side of the score's 95% interval, where there is one."""
    if result.score is None or result.interval is None:
        return ""
    low, high = result.interval
    return f"±{max(result.score - low, high - result.score):.2f}"


def cell(result: Result | None, change: str | None = None, compact: bool = False) -> str:
    if result is None:
        return "-"
    symbol, word = CHANGE_MARKS.get(change or "", ("", ""))
    if compact:
        score = "" if result.score is None else f"{result.score:.2f}".replace("0.", ".", 1).replace("1.00", "1.0")
        return " ".join(p for p in (SHORT_STATUS[result.status], score, symbol) if p)
    score = "" if result.score is None else f"{result.score:.2f}"
    return " ".join(p for p in (result.status.value, score, _margin(result), symbol + word if symbol else "") if p)


def _scale(header: ModelHeader | None) -> str:
    params = None if header is None else header.scale.get("params")
    return "" if params is None else format_number(params)


def model_title(name: str, header: ModelHeader | None) -> str:
    if header is None or header.scale.get("params") is None:
        return name
    return f"{name} ({format_number(header.scale['params'])})"


def terminal_safe(text: str) -> str:
    return terminal(text, None)


def _row_markup(row: list[Result | None], marks: list[str | None]) -> dict:
    worst = next((r.status for r in row if r is not None and r.status in (Status.FAIL, Status.ERROR)), None)
    if "regressed" in marks:
        worst = Status.FAIL
    news = any(r is not None and r.status is Status.EARLY_PASS for r in row) or "lit-up" in marks
    return _MARKUP[worst] if worst else (_MARKUP[Status.EARLY_PASS] if news else {})


def matrix_lines(headers: dict[str, ModelHeader], results: list[Result],
                 changes: dict[tuple[str, str], str | None] | None = None, width: int | None = None,
                 names: Callable[[list[str]], dict[str, str]] | None = short_ids) -> list[tuple[str, dict]]:
    """Rows of (text, markup): models as columns ordered by scale, changes marked, fitted to `width`
    columns (None: no limit). `names` maps capability ids to what is shown (None: the ids)."""
    changes = changes or {}
    models = ordered_models(headers, results)
    capabilities = list(dict.fromkeys(r.capability for r in results))
    shown = names(capabilities) if names else {c: c for c in capabilities}
    capabilities.sort(key=lambda c: natural_key(shown[c]))  # in the order the reader sees them
    table = {(r.capability, r.model): r for r in results}
    rows = [[table.get((c, m)) for m in models] for c in capabilities]
    marks = [[changes.get((c, m)) for m in models] for c in capabilities]
    label = max([len("capability"), *(width_of(shown[c]) for c in capabilities)])

    def build(compact: bool) -> tuple[list, list]:
        body = [(terminal_safe(shown[c]), [cell(r, k, compact) for r, k in zip(row, mark)])
                for c, row, mark in zip(capabilities, rows, marks)]
        if not compact:
            return [("capability", [terminal_safe(model_title(m, headers.get(m))) for m in models])], body
        # compact: the scale goes under the name, names longer than TITLE_ROOM lose their middle
        scales = [_scale(headers.get(m)) for m in models]
        header = [("capability", [terminal_safe(shorten(m, TITLE_ROOM)) for m in models])]
        return header + ([("", scales)] if any(scales) else []), body

    compact = False
    header, body = build(False)
    widths = [max(width_of(v[i]) for _, v in [*header, *body]) for i in range(len(models))]
    if width is not None and label + sum(2 + w for w in widths) > width:
        compact = True
        header, body = build(True)
    lines: list[tuple[str, dict]] = []
    blocks = render(header, body, width)
    for number, block in enumerate(blocks):
        if number:
            lines.append(("", {}))
        lines += [(text, {"bold": True}) for text in block[:len(header)]]
        lines += [(text, _row_markup(row, mark)) for text, row, mark in zip(block[len(header):], rows, marks)]
    margins = not compact and any(r is not None and _margin(r) for row in rows for r in row)
    legend = legend_lines(compact, margins, {k for mark in marks for k in mark if k}, width)
    return lines + [(text, {}) for text in legend]


def legend_lines(compact: bool, margins: bool, used: set[str], width: int | None) -> list[str]:
    """What the abbreviations, margins and change marks mean, in as few lines as fit."""
    words = []
    if compact:
        words += ["xfail = expected-fail", "early = early-pass", ".80 = 0.80 (compact: no ±interval)"]
    if margins:
        words += ["±: the wider side of the score's 95% interval"]
    words += [text for change, text in CHANGE_LEGEND.items() if change in used]
    lines, line = [], ""
    for word in words:
        if line and width is not None and width_of(line) + 3 + width_of(word) > width:
            lines.append(line)
            line = ""
        line = f"{line}   {word}" if line else word
    return [*lines, line] if line else lines


def summary_line(results: list[Result], changes: dict[tuple[str, str], str | None] | None = None) -> str:
    counts = count_statuses(results)
    parts = [f"{n} {status.value}" for status, n in counts.items() if n]
    models = len({r.model for r in results})
    capabilities = len({r.capability for r in results})
    counted = {kind: sum(1 for c in (changes or {}).values() if c == kind) for kind in ("lit-up", "regressed")}
    news = [f"{n} {kind}" for kind, n in counted.items() if n]
    news_text = f"; {', '.join(news)}" if news else ""
    return f"emergent: {', '.join(parts) or 'no results'} ({_count(capabilities, 'capability', 'capabilities')} × {_count(models, 'model', 'models')}){news_text}"


def write_section(terminalreporter, headers: dict[str, ModelHeader], results: list[Result],
                  load_errors: dict[str, str], changes: dict[tuple[str, str], str | None] | None = None,
                  regressed: list[dict] | None = None, full_ids: bool = False,
                  flips: dict[tuple[str, str], list[str]] | None = None) -> None:
    """`flips`: for a regressed (capability, model), lines naming the cases that flipped."""
    tr = terminalreporter
    width = tr._tw.fullwidth if hasattr(tr, "_tw") else None
    names = None if full_ids else short_ids
    shown = (names or (lambda ids: {i: i for i in ids}))(sorted({r.capability for r in results}))
    tr.write_sep("=", "emergent: capability × model")
    for text, markup in matrix_lines(headers, results, changes, width, names):
        tr.write_line(text, **markup)
    if regressed:
        tr.write_line("")
        tr.write_line("regressed (passed in the baseline, fails now — this fails the run):", red=True, bold=True)
        for r in regressed:
            base = r.get("baseline") or {}
            name = terminal_safe(shown.get(r["capability"], r["capability"]))
            for line in wrap(f"  {name} on {terminal_safe(r['model'])}: {r['status']} now, {base.get('status')} on "
                             f"{terminal_safe(str(base.get('model')))} in run {terminal_safe(str(base.get('run_id')))}",
                             width):
                tr.write_line(line, red=True)
            for line in (flips or {}).get((r["capability"], r["model"]), []):
                tr.write_line(line)
    early = [r for r in results if r.status is Status.EARLY_PASS]
    if early:
        tr.write_line("")
        tr.write_line("early passes (capability works below its declared scale):", cyan=True, bold=True)
        for r in early:
            for line in wrap(f"  {terminal_safe(shown.get(r.capability, r.capability))} on {terminal_safe(r.model)}: "
                             f"{terminal_safe(r.reason)}", width):
                tr.write_line(line)
    # Error lines and the summary line stay whole, one line each, for grep and log search.
    for name, error in load_errors.items():
        tr.write_line(f"model {terminal_safe(name)} could not be loaded: {terminal_safe(error)}", red=True)
    tr.write_line(summary_line(results, changes), bold=True)


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
