"""The terminal section: a capability × model matrix and one summary line."""

from __future__ import annotations

from ..outcomes import Status
from ..results import ModelHeader, Result, count_statuses, natural_key, ordered_models
from ..scale import format_number

_MARKUP = {
    Status.PASS: {"green": True},
    Status.FAIL: {"red": True, "bold": True},
    Status.EXPECTED_FAIL: {"yellow": True},
    Status.EARLY_PASS: {"cyan": True, "bold": True},
    Status.SKIP: {},
    Status.ERROR: {"red": True},
}


_CHANGE_MARK = {"lit-up": " ▲lit-up", "regressed": " ▼regressed"}


def cell(result: Result | None, change: str | None = None) -> str:
    if result is None:
        return "-"
    text = result.status.value
    if result.score is not None:
        text += f" {result.score:.2f}"
    return text + _CHANGE_MARK.get(change or "", "")


def model_title(name: str, header: ModelHeader | None) -> str:
    if header is None or header.scale.get("params") is None:
        return name
    return f"{name} ({format_number(header.scale['params'])})"


def matrix_lines(headers: dict[str, ModelHeader], results: list[Result],
                 changes: dict[tuple[str, str], str | None] | None = None) -> list[tuple[str, dict]]:
    """Rows of (text, markup) for the matrix; models as columns ordered by scale, changes marked."""
    changes = changes or {}
    models = ordered_models(headers, results)
    capabilities = list(dict.fromkeys(sorted((r.capability for r in results), key=natural_key)))
    table = {(r.capability, r.model): r for r in results}
    titles = [model_title(m, headers.get(m)) for m in models]
    first = max([len("capability"), *(len(c) for c in capabilities)])
    widths = [max(len(t), *(len(cell(table.get((c, m)), changes.get((c, m)))) for c in capabilities))
              for t, m in zip(titles, models)]
    lines: list[tuple[str, dict]] = []
    lines.append(("  ".join(["capability".ljust(first), *(t.ljust(w) for t, w in zip(titles, widths))]).rstrip(), {"bold": True}))
    for capability in capabilities:
        row = [table.get((capability, m)) for m in models]
        marks = [changes.get((capability, m)) for m in models]
        text = "  ".join([capability.ljust(first),
                          *(cell(r, c).ljust(w) for r, c, w in zip(row, marks, widths))]).rstrip()
        worst = next((r.status for r in row if r is not None and r.status in (Status.FAIL, Status.ERROR)), None)
        if "regressed" in marks:
            worst = Status.FAIL
        news = any(r is not None and r.status is Status.EARLY_PASS for r in row) or "lit-up" in marks
        markup = _MARKUP[worst] if worst else (_MARKUP[Status.EARLY_PASS] if news else {})
        lines.append((text, markup))
    return lines


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
                  regressed: list[dict] | None = None) -> None:
    tr = terminalreporter
    tr.write_sep("=", "emergent: capability × model")
    for text, markup in matrix_lines(headers, results, changes):
        tr.write_line(text, **markup)
    if regressed:
        tr.write_line("")
        tr.write_line("regressed (passed in the baseline, fails now — this fails the run):", red=True, bold=True)
        for r in regressed:
            base = r.get("baseline") or {}
            tr.write_line(f"  {r['capability']} on {r['model']}: {r['status']} now, {base.get('status')} on "
                          f"{base.get('model')} in run {base.get('run_id')}", red=True)
    early = [r for r in results if r.status is Status.EARLY_PASS]
    if early:
        tr.write_line("")
        tr.write_line("early passes (capability works below its declared scale):", cyan=True, bold=True)
        for r in early:
            tr.write_line(f"  {r.capability} on {r.model}: {r.reason}")
    for name, error in load_errors.items():
        tr.write_line(f"model {name} could not be loaded: {error}", red=True)
    tr.write_line(summary_line(results, changes), bold=True)


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
