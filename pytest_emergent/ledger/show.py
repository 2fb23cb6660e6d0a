"""`emergent show`: a result's cases as text for a terminal, model output made harmless.

Model output is untrusted: an escape sequence in it could move the cursor, recolour or retitle
the terminal, and a bidirectional override could make a wrong answer read as the right one.
Every control and format character is printed as its escape (`\\n`, `\\x1b`, `\\u202e`).
"""

from __future__ import annotations

import unicodedata
from typing import Any

from .cases import Flip

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_HIDDEN = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def visible(text: Any, limit: int | None = 300) -> str:
    """`text` on one line with control characters shown as escapes, cut after `limit` characters."""
    text = "" if text is None else str(text)
    cut = limit is not None and len(text) > limit
    shown = text[:limit] if cut else text
    out = []
    for char in shown:
        if char in _NAMED:
            out.append(_NAMED[char])
        elif unicodedata.category(char) in _HIDDEN:
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(char)
    return "".join(out) + (f"… ({len(text) - len(shown)} more characters)" if cut else "")


def _mark(case: dict[str, Any]) -> str:
    passed = case.get("passed")
    return "✓" if passed is True else "✗" if passed is False else "!"


def _number(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, (int, float)) and not isinstance(value, bool) else visible(value, 40)


def case_lines(case: dict[str, Any], limit: int | None = 300) -> list[str]:
    """A case as a block: the mark and id, then prompt, output or choice scores, expected, metrics."""
    lines = [f"  {_mark(case)} {visible(case.get('id'), 120)}"]
    if case.get("prompt") is not None:
        lines.append(f"      prompt:   {visible(case.get('prompt'), limit)}")
    if case.get("choices"):
        scores = case.get("scores") or []
        choices = [visible(c, 60) + (f" ({_number(scores[i])})" if i < len(scores) else "")
                   for i, c in enumerate(case["choices"])]
        lines.append(f"      choices:  {' | '.join(choices)}")
    if case.get("output") is not None:
        lines.append(f"      output:   {visible(case.get('output'), limit)}")
    if case.get("expected"):
        lines.append(f"      expected: {' | '.join(visible(e, 80) for e in case['expected'])}")
    if case.get("passed") is None:
        lines.append("      not graded (the request failed)")
    if case.get("metrics"):
        lines.append("      metrics:  " + ", ".join(f"{visible(k, 40)}={_number(v)}" for k, v in case["metrics"].items()))
    if case.get("detail"):
        lines.append(f"      detail:   {visible(case.get('detail'), limit)}")
    return lines


def describe_result(result: dict[str, Any]) -> str:
    """Status, score, 95% interval and n in one short phrase: `fail 0.4 [0.26–0.55] n=40`."""
    text = str(result.get("status"))
    score = result.get("score")
    if isinstance(score, (int, float)) and not isinstance(score, bool):
        text += f" {score:.3g}"
    interval = result.get("interval")
    if isinstance(interval, list) and len(interval) == 2:
        text += f" [{interval[0]:.2f}–{interval[1]:.2f}]"
    if isinstance(result.get("n"), int) and not isinstance(result.get("n"), bool):
        text += f" n={result['n']}"
    return text


def show_result(document: dict[str, Any], result: dict[str, Any], cases: list[dict[str, Any]] | None, *,
                failed_only: bool = False, limit: int | None = 300) -> list[str]:
    """The lines of `emergent show` for one result."""
    threshold = result.get("threshold")
    lines = [f"{visible(result['capability'], 200)} on {visible(result['model'], 80)} "
             f"(run {document.get('run_id')}): {describe_result(result)}"
             + (f", threshold {threshold:g}" if isinstance(threshold, (int, float)) else "")]
    base = result.get("baseline")
    if result.get("change"):
        against = f" against {base.get('model')} (run {base.get('run_id')}): {describe_result(base)}" \
            if isinstance(base, dict) else ""
        lines.append(f"  change: {result['change']}{against}")
    if result.get("change_note"):
        lines.append(f"  why: {visible(result['change_note'], None)}")
    if cases is None:
        lines.append("  no cases recorded for this result (recorded before per-case evidence, "
                     "imported, or from a test that records none)")
        return lines
    shown = [c for c in cases if c.get("passed") is not True] if failed_only else cases
    not_passed = sum(1 for c in cases if c.get("passed") is not True)
    lines.append(f"  {len(cases)} cases, {not_passed} not passed" + (": those not passed" if failed_only else ""))
    for case in shown:
        lines += case_lines(case, limit)
    return lines


def flip_lines(flips: list[Flip], limit: int | None = 120) -> list[str]:
    """The flipped cases of a diff entry, one line each: ↓ lost, ↑ gained."""
    lines = []
    for flip in flips:
        arrow = "↓" if flip.lost else "↑"
        was = visible(flip.before.get("output"), limit) if flip.before.get("output") is not None else "–"
        now = visible(flip.after.get("output"), limit) if flip.after.get("output") is not None else "–"
        expected = " | ".join(visible(e, 60) for e in flip.after.get("expected") or [])
        lines.append(f"      {arrow} {visible(flip.id, 80)}: {was} → {now}" + (f" (expected {expected})" if expected else ""))
    return lines
