"""`choice`: the most likely option by log-likelihood, as BIG-bench's multiple_choice_grade.

Its continuous metrics are the margin of the right option over the best wrong one and the
log-probability of the right option: both move smoothly long before the argmax flips.
"""

from __future__ import annotations

from .base import Evidence, Grade
from .types import Case, Check


def grade_choice(check: Check, case: Case, evidence: Evidence) -> Grade:
    per_token = bool(check.options.get("length_normalize", False))
    scores = [s.logprob / max(1, s.n_tokens) if per_token else s.logprob for s in evidence.choices]
    best = max(range(len(scores)), key=scores.__getitem__)
    right = max(scores[k] for k in case.correct)
    wrong = [s for k, s in enumerate(scores) if k not in case.correct]
    margin = right - max(wrong) if wrong else 0.0
    ok = best in case.correct
    metrics = {"choice_margin": margin, "target_logprob": evidence.choices[case.correct[0]].logprob}
    detail = "" if ok else f"chose {case.choices[best]!r} over {case.choices[case.correct[0]]!r} (margin {margin:.3g})"
    return Grade(ok, metrics, detail)
