"""The HTML report's drill-down: every capability on every model of a run, with its cases.

Each result opens (a `<details>` element: no script) to its evidence: the change and why, the
score with its error bar, and the table of cases as the model saw and answered them. Cases that
flipped against the baseline are marked: lost (passed before, fail now) and gained.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from ..ledger.cases import flipped_cases
from ..results import natural_key
from . import escape, words

CasesOf = Callable[[dict[str, Any], dict[str, Any]], "list[dict[str, Any]] | None"]  # (run, result) -> cases
MAX_CASES = 200  # per result; the rest are counted, and `emergent show` prints them all
PROMPT_TAIL = 600  # characters of a prompt shown (its end: the case itself, after any few-shot examples)

CSS = """
details.result{border:1px solid #d0d7de;border-radius:6px;margin:6px 0;padding:4px 8px}
details.result>summary{cursor:pointer;font-size:13px}details.result[open]>summary{margin-bottom:6px}
table.cases td{font-size:12px;max-width:520px}table.cases pre{margin:0;white-space:pre-wrap;word-break:break-word;
max-height:9em;overflow:auto;font:12px/1.35 ui-monospace,monospace}
tr.lost td{background:#ffebe9}tr.gained td{background:#dafbe1}tr.err td{background:#fff1e5}
.verdict{font-weight:600}.note{color:#57606a;font-size:13px;margin:2px 0 6px}
"""


def anchor(capability: str, model: str) -> str:
    """The id of a result's drill-down, for links from the matrix."""
    return "r-" + hashlib.sha256(f"{capability}\0{model}".encode()).hexdigest()[:12]


def _pre(text: Any, tail: int | None = None) -> str:
    if text is None:
        return ""
    text = str(text)
    if tail is not None and len(text) > tail:
        text = "…" + text[-tail:]
    return f"<pre>{escape.html(text)}</pre>"


def _answer(case: dict[str, Any]) -> str:
    if case.get("choices"):
        scores = case.get("scores") or []
        rows = [f"{escape.html(c)}" + (f" <small>({words.number(scores[i])})</small>" if i < len(scores) else "")
                for i, c in enumerate(case["choices"])]
        return "<br>".join(rows)
    if case.get("error"):
        return f"<i>not asked: {escape.html(case['error'])}</i>"
    return _pre(case.get("output"))


def _verdict(case: dict[str, Any]) -> str:
    passed = case.get("passed")
    return "✓ pass" if passed is True else "✗ fail" if passed is False else ("! error" if case.get("error") else "–")


def _case_rows(cases: list[dict[str, Any]], flips: dict[str, str]) -> str:
    rows = []
    for i, case in enumerate(cases[:MAX_CASES]):
        flip = flips.get(str(case.get("id")))
        cls = flip or ("err" if case.get("error") else "")
        mark = {"lost": " ▼ was pass", "gained": " ▲ was fail"}.get(flip or "", "")
        expected = "<br>".join(escape.html(e) for e in case.get("expected") or [])
        detail = escape.html(case.get("detail") or "")
        metrics = ", ".join(f"{escape.html(k)} {words.number(v)}" for k, v in sorted((case.get("metrics") or {}).items())
                            if isinstance(v, (int, float)) and not isinstance(v, bool))
        rows.append(f'<tr class="{cls}" data-case="{escape.html(case.get("id"))}"><td>{i}</td>'
                    f'<td class="verdict">{_verdict(case)}{mark}</td><td>{_pre(case.get("prompt"), PROMPT_TAIL)}</td>'
                    f"<td>{_answer(case)}</td><td>{expected}</td><td>{detail}"
                    f"{'<br><small>' + metrics + '</small>' if metrics else ''}</td></tr>")
    more = len(cases) - MAX_CASES
    if more > 0:
        rows.append(f'<tr><td colspan="6">… {more} more cases (emergent show prints them all)</td></tr>')
    return "".join(rows)


def _summary(result: dict[str, Any]) -> str:
    change = result.get("change") or ""
    label = words.CHANGE_LABELS.get(change, change)
    badge = f' <span class="chg {escape.html(change)}">{escape.html(label)}</span>' if label else ""
    score = words.score(result)
    return (f"<code>{escape.html(result['capability'])}</code> on {escape.html(result['model'])}: "
            f'<span class="s-{escape.html(result["status"])}">{escape.html(result["status"])}</span>'
            f"{' ' + escape.html(score) if score else ''}{badge}")


def _one(run: dict[str, Any], result: dict[str, Any], baseline: dict[str, Any] | None, cases_of: CasesOf) -> str:
    cases = cases_of(run, result) or []
    before = cases_of(baseline, result_in(baseline, result)) if baseline is not None else None
    flips = {f.id: ("lost" if f.lost else "gained") for f in flipped_cases(before, cases)}
    notes = []
    if result.get("baseline"):
        notes.append(f"baseline: {escape.html(words.baseline(result))}")
    if result.get("change_note"):
        notes.append(escape.html(result["change_note"]))
    if result.get("nondeterministic"):
        notes.append("a re-run of this checkpoint came out differently")
    if result.get("reason"):
        notes.append(escape.html(result["reason"]))
    if flips:
        lost = sum(1 for f in flips.values() if f == "lost")
        notes.append(f"{lost} cases lost and {len(flips) - lost} gained against the baseline (marked)")
    body = (f'<table class="cases"><tr><th>#</th><th>verdict</th><th>prompt (as sent)</th><th>answer</th>'
            f"<th>expected</th><th>detail</th></tr>{_case_rows(cases, flips)}</table>" if cases
            else "<p class=\"note\">no cases were recorded (a skipped test, or one that asked no model)</p>")
    note = "".join(f'<p class="note">{n}</p>' for n in notes)
    opened = " open" if result.get("change") in ("regressed", "dropped") else ""
    return (f'<details class="result" id="{anchor(result["capability"], result["model"])}"{opened}>'
            f"<summary>{_summary(result)}</summary>{note}{body}</details>")


def result_in(run: dict[str, Any] | None, result: dict[str, Any]) -> dict[str, Any]:
    """The baseline's own result for this capability (its model is named in `result['baseline']`)."""
    base = result.get("baseline") or {}
    for other in (run or {}).get("results", []):
        if other.get("capability") == result.get("capability") and other.get("model") == base.get("model"):
            return other
    return {"capability": result.get("capability"), "model": base.get("model")}


def cases_section(run: dict[str, Any], runs: list[dict[str, Any]], cases_of: CasesOf) -> str:
    """Every result of `run`, news first, each with its cases; `runs` hold the baselines."""
    by_id = {str(r.get("run_id")): r for r in runs}
    order = {change: i for i, (change, _) in enumerate(words.NEWS)}
    results = sorted(run.get("results", []), key=lambda r: (order.get(r.get("change"), len(order)),
                                                            natural_key(r["capability"]), r["model"]))
    parts = []
    for result in results:
        base = result.get("baseline") or {}
        baseline = by_id.get(str(base.get("run_id"))) if base.get("run_id") else (run if base else None)
        parts.append(_one(run, result, baseline, cases_of))
    return ('<h2 id="cases">Cases</h2><p class="meta">Each capability on each model, with the evidence behind its '
            "result: every case as the model saw and answered it. Cases that flipped against the baseline are "
            "marked.</p>" + "".join(parts))
