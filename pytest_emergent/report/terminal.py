"""The terminal section: a capability × model matrix and one summary line."""

from __future__ import annotations

from ..outcomes import Status
from ..results import ModelHeader, Result, count_statuses, ordered_models
from ..scale import format_number

_MARKUP = {
    Status.PASS: {"green": True},
    Status.FAIL: {"red": True, "bold": True},
    Status.EXPECTED_FAIL: {"yellow": True},
    Status.EARLY_PASS: {"cyan": True, "bold": True},
    Status.SKIP: {},
    Status.ERROR: {"red": True},
}


def cell(result: Result | None) -> str:
    if result is None:
        return "-"
    text = result.status.value
    if result.score is not None:
        text += f" {result.score:.2f}"
    return text


def model_title(name: str, header: ModelHeader | None) -> str:
    if header is None or header.scale.get("params") is None:
        return name
    return f"{name} ({format_number(header.scale['params'])})"


def matrix_lines(headers: dict[str, ModelHeader], results: list[Result]) -> list[tuple[str, dict]]:
    """Rows of (text, markup) for the matrix; models as columns ordered by scale."""
    models = ordered_models(headers, results)
    capabilities = list(dict.fromkeys(sorted(r.capability for r in results)))
    table = {(r.capability, r.model): r for r in results}
    titles = [model_title(m, headers.get(m)) for m in models]
    first = max([len("capability"), *(len(c) for c in capabilities)])
    widths = [max(len(t), *(len(cell(table.get((c, m)))) for c in capabilities)) for t, m in zip(titles, models)]
    lines: list[tuple[str, dict]] = []
    lines.append(("  ".join(["capability".ljust(first), *(t.ljust(w) for t, w in zip(titles, widths))]).rstrip(), {"bold": True}))
    for capability in capabilities:
        row = [table.get((capability, m)) for m in models]
        text = "  ".join([capability.ljust(first), *(cell(r).ljust(w) for r, w in zip(row, widths))]).rstrip()
        worst = next((r.status for r in row if r is not None and r.status in (Status.FAIL, Status.ERROR)), None)
        news = any(r is not None and r.status is Status.EARLY_PASS for r in row)
        markup = _MARKUP[worst] if worst else (_MARKUP[Status.EARLY_PASS] if news else {})
        lines.append((text, markup))
    return lines


def summary_line(results: list[Result]) -> str:
    counts = count_statuses(results)
    parts = [f"{n} {status.value}" for status, n in counts.items() if n]
    models = len({r.model for r in results})
    capabilities = len({r.capability for r in results})
    return f"emergent: {', '.join(parts) or 'no results'} ({capabilities} capabilities × {models} models)"


def write_section(terminalreporter, headers: dict[str, ModelHeader], results: list[Result],
                  load_errors: dict[str, str]) -> None:
    tr = terminalreporter
    tr.write_sep("=", "emergent: capability × model")
    for text, markup in matrix_lines(headers, results):
        tr.write_line(text, **markup)
    early = [r for r in results if r.status is Status.EARLY_PASS]
    if early:
        tr.write_line("")
        tr.write_line("early passes (capability works below its declared scale):", cyan=True, bold=True)
        for r in early:
            tr.write_line(f"  {r.capability} on {r.model}: {r.reason}")
    for name, error in load_errors.items():
        tr.write_line(f"model {name} could not be loaded: {error}", red=True)
    tr.write_line(summary_line(results), bold=True)
