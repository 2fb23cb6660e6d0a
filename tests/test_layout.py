"""The package's layout holds: data moves one way, so imports go one way (docs/design.md, "Layout").

Each top-level module and each folder of `pytest_emergent` is a unit with a layer; a unit may
import only units of lower layers (and itself). Imports that run only for type checkers
(`if TYPE_CHECKING:`) do not count: they are names for readers, not dependencies. Imports inside
functions count: they run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import pytest_emergent

PACKAGE = Path(pytest_emergent.__file__).parent

# Lowest first. A unit imports only units of earlier layers (or itself).
LAYERS: list[set[str]] = [
    # rules and tests of change; stash keys; text tables; the progress of model work; version
    {"hints", "outcomes", "progress", "significance", "stash", "textfit", "version"},
    {"scale"},
    {"config", "results"},  # configuration; the typed records of a run
    {"backends"},  # the models' weights or servers, list in, list out
    {"engine", "checks"},  # weights loaded on first use, response cache, fingerprints, recording; graders, sandbox
    {"models"},  # framings, the Model tests see, the pool that loads models
    {"capabilities", "ledger"},  # Python tests and YAML specs; run records across runs
    {"forecast"},
    {"report"},
    {"integrations"},  # the CI runner, the GitHub dispatch client, the Trainer callback
    {"rewrite", "junit", "xdist_groups"},  # a session's parts: results from items, JUnit, xdist grouping
    {"finish"},  # the end of a session: record, compare, write every output
    {"state"},  # the session's state, which owns them
    {"cli_ci"},  # the `emergent` command's CI verbs: ledger pull/push/publish, dispatch, ci run
    {"plugin", "cli"},  # the pytest hooks; the `emergent` command
    {"__init__"},  # the public API gathers names from every layer
]
NEVER_PYTEST = {"backends", "engine", "ledger", "report", "forecast", "results", "outcomes", "scale", "significance",
                "progress"}
IMPORT_NOTHING = {"outcomes", "hints", "significance", "textfit", "version"}  # of the project


def _unit(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def _module(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(child) for child in ast.walk(node)}
    return skipped


def runtime_imports(path: Path) -> tuple[set[str], set[str]]:
    """(modules of the package this file imports at run time, top-level outside packages it imports)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_nodes(tree)
    here = [part for part in _module(path).split(".") if part]
    package = here if path.name == "__init__.py" else here[:-1]
    inside, outside = set(), set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("pytest_emergent"):
                    inside.add(alias.name.removeprefix("pytest_emergent").lstrip("."))
                else:
                    outside.add(alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                if (node.module or "").startswith("pytest_emergent"):
                    inside.add(node.module.removeprefix("pytest_emergent").lstrip("."))
                else:
                    outside.add((node.module or "").split(".")[0])
                continue
            base = package[: len(package) - (node.level - 1)]
            target = [*base, *(node.module.split(".") if node.module else [])]
            names = [".".join(target)] if node.module else [".".join([*target, a.name]) for a in node.names]
            inside |= set(names)
    return {m for m in inside if m}, outside


def _files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _graph() -> dict[str, set[str]]:
    """File-level graph: module -> the package's modules it imports (a name imported from a
    package counts as the package's __init__ when it is not a module of its own)."""
    modules = {_module(p): p for p in _files()}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for imported in runtime_imports(path)[0]:
            while imported and imported not in modules:
                imported = imported.rpartition(".")[0]
            if imported and imported != name:
                targets.add(imported)
        graph[name] = targets
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    colour: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        colour[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if colour.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if colour.get(nxt) is None and (found := visit(nxt)):
                return found
        colour[node] = 2
        stack.pop()
        return None

    for node in sorted(graph):
        if colour.get(node) is None and (found := visit(node)):
            return found
    return None


def _unit_of_module(name: str) -> str:
    return name.split(".")[0] if name else "__init__"


def test_every_unit_has_a_layer():
    layered = set().union(*LAYERS)
    units = {_unit(p) for p in _files()}
    assert units <= layered, f"give these a layer in LAYERS: {sorted(units - layered)}"


def test_no_module_imports_a_module_that_imports_it_back():
    assert _cycle(_graph()) is None, " -> ".join(_cycle(_graph()) or [])


def test_no_folder_imports_a_folder_that_imports_it_back():
    units: dict[str, set[str]] = {}
    for module, targets in _graph().items():
        units.setdefault(_unit_of_module(module), set()).update(
            _unit_of_module(t) for t in targets if _unit_of_module(t) != _unit_of_module(module))
    assert _cycle(units) is None, " -> ".join(_cycle(units) or [])


@pytest.mark.parametrize("path", _files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_go_down_the_layers_only(path: Path):
    rank = {unit: i for i, layer in enumerate(LAYERS) for unit in layer}
    here = _unit(path)
    upward = sorted({m for m in runtime_imports(path)[0]
                     if _unit_of_module(m) != here and rank[_unit_of_module(m)] >= rank[here]})
    assert not upward, f"{here} (layer {rank[here]}) imports {upward}"


@pytest.mark.parametrize("unit", sorted(NEVER_PYTEST))
def test_the_stages_a_command_line_tool_uses_never_import_pytest(unit: str):
    files = [p for p in _files() if _unit(p) == unit]
    assert files
    assert not [p.name for p in files if {"pytest", "_pytest"} & runtime_imports(p)[1]]


@pytest.mark.parametrize("unit", sorted(IMPORT_NOTHING))
def test_the_rules_import_nothing_of_the_project(unit: str):
    assert not [p.name for p in _files() if _unit(p) == unit and runtime_imports(p)[0]]
