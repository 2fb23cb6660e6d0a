"""Graders of spec cases: text checks, choice, python, code (sandboxed), similar, judge."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .base import Evidence, Grade, normalize
from .choice import grade_choice
from .code import extract_code, grade_code
from .judge import grade_judge, judge_prompt, parse_score
from .python_check import grade_python
from .text import first_number, grade_text
from .types import TEXT_CHECKS, Case, Check


def grade_cases(check: Check, cases: list[Case], evidence: list[Evidence], folder: Path, store: Any = None,
                isolation: str = "best") -> list[Grade]:
    """Grade every case of one item; `folder` is the spec file's folder (for python checks), `store`
    the session's response cache (the similar check keeps its embeddings there; None: off),
    `isolation` the session's policy for model code (--emergent-isolation)."""
    if check.type == "similar":
        from .similar import grade_similar

        return grade_similar(check, cases, evidence, store)
    out = []
    for case, ev in zip(cases, evidence):
        if check.type in TEXT_CHECKS:
            out.append(grade_text(check, case, ev))
        elif check.type == "choice":
            out.append(grade_choice(check, case, ev))
        elif check.type == "python":
            out.append(grade_python(check, case, ev, folder))
        elif check.type == "code":
            out.append(grade_code(check, case, ev, isolation))
        elif check.type == "judge":
            out.append(grade_judge(check, case, ev))
        else:
            raise ValueError(f"unknown check {check.type!r}")
    return out


__all__ = ["Evidence", "Grade", "extract_code", "first_number", "grade_cases", "judge_prompt", "normalize",
           "parse_score"]
