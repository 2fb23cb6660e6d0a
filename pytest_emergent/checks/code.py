"""`code`: run the model's code against the case's tests in the sandbox.

Tests are plain functions named test_* (Hypothesis @given properties included); the model's
code and the tests share one namespace, as if the tests were appended to the answer.
"""

from __future__ import annotations

import re

from .base import Evidence, Grade
from .sandbox import DEFAULT_POLICY, Limits, choose_isolation, run_code
from .types import Case, Check

_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n(.*?)(?:```|\Z)", re.DOTALL)


def extract_code(output: str) -> str:
    """The Python blocks of a fenced answer (all of them, in order), else the whole answer."""
    blocks = [(lang.lower(), body) for lang, body in _FENCE.findall(output)]
    python = [body for lang, body in blocks if lang in ("", "python", "py", "python3")]
    return "\n\n".join(python) if python else output


def grade_code(check: Check, case: Case, evidence: Evidence, policy: str = DEFAULT_POLICY) -> Grade:
    """Run the case's tests against the model's code under the session's isolation `policy`."""
    limits = Limits(cpu_seconds=float(check.options.get("timeout", 10)),
                    memory_mb=int(check.options.get("memory_mb", 1024)))
    result = run_code(extract_code(evidence.output or ""), case.extra["tests"], limits, choose_isolation(policy))
    detail = f"{result.reason} [sandbox: {result.isolation}]" if result.reason else ""
    return Grade(result.passed, {}, detail, isolation=result.isolation)
