"""Text checks: exact, contains, starts_with, regex, number.

Each compares the normalised output with every accepted answer (a BIG-bench target may list
several) and records the log-probability of the first one, the smooth signal of emergence.

`regex` patterns run on the `regex` package (the syntax of `re`) with a time limit: the output is
the model's, and a pattern that backtracks catastrophically on it (`(a+)+$` on a long run of a's)
must fail that case, not hold the run for hours.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

import regex

from .base import Evidence, Grade, clip, normalize, target_metrics
from .types import Case, Check

REGEX_SECONDS = 1.0  # the most one pattern may take on one output
_NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?|[-+]?\.\d+")


def first_number(text: str) -> float | None:
    """The first number written in `text` ("1,234" and "-3.5e2" included), or None."""
    match = _NUMBER.search(text)
    if not match:
        return None
    try:
        return float(match.group(0).replace(",", ""))
    except ValueError:
        return None


STRING_MATCHES = ("exact", "contains", "starts_with")


def string_match(kind: str, got: str, wants: list[str]) -> bool:
    """Whether a normalised output equals, contains or starts with one of the normalised answers."""
    if kind == "exact":
        return got in wants
    if kind == "contains":
        return any(w in got for w in wants)
    return any(got.startswith(w) for w in wants)


def compile_pattern(pattern: str, ignore_case: bool) -> regex.Pattern[str]:
    """A check's pattern as it is matched (raises regex.error for one that does not compile)."""
    return regex.compile(pattern, regex.IGNORECASE if ignore_case else 0)


def _compare(check: Check, case: Case, evidence: Evidence) -> tuple[bool, str]:
    output = evidence.output or ""
    how = check.normalize
    got = normalize(output, how)
    wants = [normalize(w, how) for w in case.expected]
    kind = check.type
    if kind in STRING_MATCHES:
        ok = string_match(kind, got, wants)
    elif kind == "regex":
        pattern = case.extra["pattern"]
        try:
            ok = regex.search(compile_pattern(pattern, how.ignore_case), got if how.strip or how.collapse_whitespace
                              else output, timeout=REGEX_SECONDS) is not None
        except TimeoutError:
            return False, (f"/{pattern}/ took more than {REGEX_SECONDS:g} s on {clip(output)} (catastrophic "
                           "backtracking); simplify the pattern")
        return ok, "" if ok else f"{clip(output)} does not match /{pattern}/"
    elif kind == "number":
        value = first_number(output)
        tolerance = float(check.options.get("tolerance", 0))
        targets = [first_number(w) for w in case.expected]
        ok = value is not None and any(t is not None and math.isclose(value, t, rel_tol=0, abs_tol=tolerance + 1e-12)
                                       for t in targets)
        return ok, "" if ok else f"first number {value!r} in {clip(output)}; expected {case.expected[0]!r}"
    else:
        raise ValueError(f"not a text check: {kind}")
    return ok, "" if ok else f"got {clip(output)}; expected ({kind}) {clip(case.expected[0] if case.expected else '')}"


def grade_text(check: Check, case: Case, evidence: Evidence) -> Grade:
    ok, detail = _compare(check, case, evidence)
    metrics: Mapping[str, float] = target_metrics(evidence)
    return Grade(ok, metrics, detail)
