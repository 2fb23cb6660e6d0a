"""The forecast is pure math: it imports numpy and the standard library, nothing of the plugin.

Two adapters are the exception: `ledger` reads run records and `table` words the result; they
may read the ledger, the statuses and the scales of the plugin, and still never pytest.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest_emergent

FORECAST = Path(pytest_emergent.__file__).parent / "forecast"
ADAPTERS = {"ledger.py", "table.py"}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def reaches_outside_the_package(path: Path) -> bool:
    return any(isinstance(node, ast.ImportFrom) and node.level > 1 for node in ast.walk(ast.parse(path.read_text())))


def test_forecast_modules_import_only_numpy_and_the_standard_library():
    allowed = set(sys.stdlib_module_names) | {"numpy"}
    for module in sorted(FORECAST.glob("*.py")):
        assert imported_roots(module) <= allowed, module.name


def test_only_the_adapters_reach_into_the_rest_of_the_plugin():
    for module in sorted(FORECAST.glob("*.py")):
        assert reaches_outside_the_package(module) == (module.name in ADAPTERS), module.name
