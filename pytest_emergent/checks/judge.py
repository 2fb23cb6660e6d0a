"""`judge`: another configured model grades the answer against a rubric (the reward-model idea of
the seed essay), and its free-text reply is read for a score.
"""

from __future__ import annotations

import re

from .base import Evidence, Grade, clip
from .types import Case, Check

_LABELLED = re.compile(r"(?:score|rating|grade)\s*(?:is|of|=|:)?\s*\**\s*(-?\d+(?:\.\d+)?)", re.IGNORECASE)
_OUT_OF = re.compile(r"(-?\d+(?:\.\d+)?)\s*(?:/|out of)\s*(\d+(?:\.\d+)?)", re.IGNORECASE)
_ANY = re.compile(r"-?\d+(?:\.\d+)?")


def judge_prompt(check: Check, case: Case, output: str) -> str:
    top = check.options.get("max_score", 10)
    return (
        f"You are grading an answer against a rubric.\n\nRubric: {case.extra['rubric']}\n\n"
        f"Task given to the model:\n{case.prompt}\n\nThe model's answer:\n{output}\n\n"
        f"Give a score from 0 to {top:g}, where {top:g} fully meets the rubric. Reply as 'Score: N'."
    )


def parse_score(reply: str, top: float) -> float | None:
    """The judge's score: 'Score: 7', '7/10', '**8** out of 10', else the first number in range."""
    for pattern in (_LABELLED, _OUT_OF):
        match = pattern.search(reply)
        if match:
            value = float(match.group(1))
            if match.re is _OUT_OF and float(match.group(2)) not in (0, top):
                value = value / float(match.group(2)) * top
            if 0 <= value <= top:
                return value
    for token in _ANY.findall(reply):
        value = float(token)
        if 0 <= value <= top:
            return value
    return None


def grade_judge(check: Check, case: Case, evidence: Evidence) -> Grade:
    top = float(check.options.get("max_score", 10))
    need = float(check.options.get("pass_score", 0.7 * top))
    score = parse_score(evidence.judge_reply or "", top)
    if score is None:
        return Grade(False, {}, f"the judge gave no score: {clip(evidence.judge_reply)}")
    ok = score >= need
    return Grade(ok, {"judge_score": score / top}, "" if ok else f"judge score {score:g}/{top:g} < {need:g}")
