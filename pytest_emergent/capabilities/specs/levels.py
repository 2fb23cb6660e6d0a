"""The levels a task's score should be read against: what guessing scores (chance) and what
answering the most common answer to every case scores (majority).

A score means little without them: 15 of 25 navigate targets are "No", so a model that answers
"No" to everything scores 0.60 without reading a single question. Both are computed from the
rendered cases by the check itself, once per entry and format, and reported beside the score as
`levels` (not `baseline`, which is the earlier result a score is compared with, nor the `chance` of
a threshold relative to chance, which keeps its own definition).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from ...checks import Evidence
from ...checks.base import normalize
from ...checks.text import STRING_MATCHES, grade_text, string_match
from ...checks.types import TEXT_CHECKS, Case, Check


def _choice(cases: Sequence[Case]) -> dict[str, float]:
    """Guessing among each case's own options; always picking the option text most often right."""
    chance = sum(len(c.correct) / len(c.choices) for c in cases) / len(cases)
    right = Counter(text for c in cases for text in {c.choices[k].strip() for k in c.correct})
    return _rounded(chance, max(right.values()) / len(cases))


def _rounded(chance: float, majority: float) -> dict[str, float]:
    return {"chance": round(chance, 6), "majority": round(majority, 6)}


def _constant_answers(check: Check, cases: Sequence[Case]) -> dict[str, float] | None:
    """Every distinct expected answer given as the output of every case, graded by the check: the
    best of them is the majority level, their mean the chance of guessing among them. An open
    task, where no answer passes more than one case (a sorted word list), has neither."""
    wants = [[normalize(e, check.normalize) for e in c.expected] for c in cases]
    answers = list(dict.fromkeys(w for ws in wants for w in ws))
    if not answers:
        return None
    if check.type in STRING_MATCHES:  # the grader's comparison, each answer normalised once
        rates = [sum(string_match(check.type, a, ws) for ws in wants) / len(cases) for a in answers]
    else:
        rates = [sum(grade_text(check, c, Evidence(output=a)).passed for c in cases) / len(cases) for a in answers]
    if max(rates) * len(cases) <= 1:
        return None
    return _rounded(sum(rates) / len(rates), max(rates))


def levels(check: Check, cases: Sequence[Case]) -> dict[str, float] | None:
    """`{chance, majority}` of one entry in one format, or None where no answer can be guessed
    without the model (python, code, similar and judge checks; text checks without expected answers)."""
    if not cases:
        return None
    if check.type == "choice":
        return _choice(cases) if all(c.choices and c.correct for c in cases) else None
    if check.type in TEXT_CHECKS:
        return _constant_answers(check, cases)
    return None
