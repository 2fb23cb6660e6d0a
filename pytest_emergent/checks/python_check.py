"""`python`: a grading function the user writes, named as 'module:function'.

The module is looked up beside the spec file first, then on the normal import path, so a
suite can keep its graders next to its specs.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .base import Evidence, Grade, clip, target_metrics
from .types import Case, Check


def load_function(reference: str, folder: Path) -> Callable[..., Any]:
    module_name, _, attr = reference.partition(":")
    added = str(folder) not in sys.path
    if added:
        sys.path.insert(0, str(folder))
    try:
        module = importlib.import_module(module_name)
    finally:
        if added:
            sys.path.remove(str(folder))
    function = getattr(module, attr, None)
    if not callable(function):
        raise LookupError(f"python check: {module_name} has no function {attr!r}")
    return function


def grade_python(check: Check, case: Case, evidence: Evidence, folder: Path) -> Grade:
    """Call f(output, case) where case holds the variables plus `expected`; bool passes, a float ≥ 0.5 passes."""
    function = load_function(check.options["function"], folder)
    variables: dict[str, Any] = {**case.variables, "expected": list(case.expected), "prompt": case.prompt}
    value = function(evidence.output or "", variables)
    metrics = dict(target_metrics(evidence))
    if isinstance(value, bool) or value is None:
        ok = bool(value)
    elif isinstance(value, (int, float)):
        metrics["python_score"] = float(value)
        ok = value >= 0.5
    else:
        raise TypeError(f"python check {check.options['function']} returned {value!r}; expected a bool or a number")
    return Grade(ok, metrics, "" if ok else f"{check.options['function']} rejected {clip(evidence.output)}")
