"""`python`: a grading function the user writes, named as 'module:function'.

The module is looked up beside the spec file first, then on the normal import path, so a
suite can keep its graders next to its specs. A module found beside a spec file is imported
by its path under a name of its own (two spec folders may each have a `graders.py`; each gets
its own). Functions are resolved when the spec is collected, so a missing module, a syntax
error or a misspelt name is that spec file's error, not a traceback in the middle of a run.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from .base import Evidence, Grade, clip, target_metrics
from .types import Case, Check

_FUNCTIONS: dict[tuple[str, str], Callable[..., Any]] = {}


class GraderProblem(ValueError):
    """A python check's function that cannot be found or called; the message says why and how to fix it."""


class GradingError(Exception):
    """A grading function that raised or returned something that is not a verdict: the item is an
    error (the grader failed, not the model), with one line naming the function and the case."""


def _module_file(module_name: str, folder: Path) -> Path | None:
    base = folder.joinpath(*module_name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _import_by_path(module_name: str, file: Path, folder: Path) -> ModuleType:
    """`file` as a module named after its path, so same-named graders of two folders stay apart."""
    tag = hashlib.sha256(str(file.resolve()).encode()).hexdigest()[:12]
    unique = f"_emergent_grader_{tag}_{module_name.replace('.', '_')}"
    if unique in sys.modules:
        return sys.modules[unique]
    locations = [str(file.parent)] if file.name == "__init__.py" else None
    spec = importlib.util.spec_from_file_location(unique, file, submodule_search_locations=locations)
    if spec is None or spec.loader is None:
        raise GraderProblem(f"{file} cannot be imported as a module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[unique] = module
    added = str(folder) not in sys.path  # the grader may import helpers kept beside it
    if added:
        sys.path.insert(0, str(folder))
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[unique]
        raise
    finally:
        if added:
            sys.path.remove(str(folder))
    return module


def _import(module_name: str, folder: Path) -> ModuleType:
    file = _module_file(module_name, folder)
    try:
        if file is not None:
            return _import_by_path(module_name, file, folder)
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if file is None and exc.name == module_name.split(".")[0]:
            raise GraderProblem(f"module {module_name!r} not found: no {module_name.replace('.', '/')}.py beside "
                                f"the spec file (in {folder}) and none on the import path") from None
        raise GraderProblem(f"importing {module_name!r} failed: {type(exc).__name__}: {exc}") from None
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - the user's module: any failure is its spec's error
        raise GraderProblem(f"importing {file or module_name} failed: {type(exc).__name__}: {exc}") from None


def load_function(reference: str, folder: Path) -> Callable[..., Any]:
    """The function `module:function` names, imported once per (folder, reference); raises GraderProblem."""
    key = (str(folder), reference)
    if key in _FUNCTIONS:
        return _FUNCTIONS[key]
    module_name, _, attr = reference.partition(":")
    module = _import(module_name, folder)
    function = getattr(module, attr, None)
    if not callable(function):
        found = sorted(name for name, value in vars(module).items() if callable(value) and not name.startswith("_")
                       and getattr(value, "__module__", None) == module.__name__)
        what = "has no function" if function is None else "has a name that is not a function:"
        raise GraderProblem(f"{module_name} {what} {attr!r}; its functions: {', '.join(found) or 'none'}")
    try:
        inspect.signature(function).bind("output", {})
    except TypeError:
        raise GraderProblem(f"{reference} must accept two arguments (output, case); its signature is "
                            f"{attr}{inspect.signature(function)}") from None
    except ValueError:  # no signature to inspect (a builtin): found out when it is called
        pass
    _FUNCTIONS[key] = function
    return function


def grade_python(check: Check, case: Case, evidence: Evidence, folder: Path) -> Grade:
    """Call f(output, case) where case holds the variables plus `expected`; bool passes, a float ≥ 0.5 passes."""
    reference = check.options["function"]
    try:
        function = load_function(reference, folder)
    except GraderProblem as exc:
        raise GradingError(f"python check {reference}: {exc}") from None
    variables: dict[str, Any] = {**case.variables, "expected": list(case.expected), "prompt": case.prompt}
    try:
        value = function(evidence.output or "", variables)
    except Exception as exc:  # noqa: BLE001 - the user's grader: its failure is reported, not the model's
        raise GradingError(f"python check {reference} raised {type(exc).__name__}: {exc} (grading the output "
                           f"{clip(evidence.output)} of the prompt {clip(case.prompt)}); fix the grader") from None
    metrics = dict(target_metrics(evidence))
    if isinstance(value, bool) or value is None:
        ok = bool(value)
    elif isinstance(value, (int, float)):
        metrics["python_score"] = float(value)
        ok = value >= 0.5
    else:
        raise GradingError(f"python check {reference} returned {clip(repr(value))}; expected true/false or a "
                           "number (≥ 0.5 passes)")
    return Grade(ok, metrics, "" if ok else f"{reference} rejected {clip(evidence.output)}")
