"""What a check names, made real at collection: each case's regex compiled, a python grader imported.

A pattern that does not compile or a grader that cannot be imported is the spec file's error
(naming the entry, the field and the case), found before any model is asked anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import regex

from ...checks.python_check import GraderProblem, load_function
from ...checks.text import compile_pattern
from ...checks.types import Case, Check
from .render import RenderProblem


def resolve_check(check: Check, rendered: Mapping[str, tuple[Case, ...]], folder: Path) -> None:
    """Raise RenderProblem (field `check`) for a pattern that does not compile or a grader not found."""
    if check.type == "regex":
        for i, case in enumerate(next(iter(rendered.values()), ())):
            pattern = case.extra.get("pattern", "")
            try:
                compile_pattern(pattern, check.normalize.ignore_case)
            except regex.error as exc:
                where = f" at position {exc.pos}" if exc.pos is not None else ""
                raise RenderProblem("check", f"regex.pattern {pattern!r} is not a regular expression: "
                                             f"{exc.msg}{where}", i if "{" in check.options["pattern"] else None) from None
    elif check.type == "python":
        try:
            load_function(str(check.options["function"]), folder)
        except GraderProblem as exc:
            raise RenderProblem("check", f"python.function: {exc}") from None
