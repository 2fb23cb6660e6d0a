"""Under pytest-xdist, all items of one model go to one worker (docs/design.md: one load per model).

xdist's default `load` mode hands items out one by one, so every worker would load every model
(memory times the number of workers) and plan every YAML spec item of it. This scheduler is
xdist's `loadscope` with the model as the scope: each model's items form one unit of work;
items that take no model are spread one by one as before. It applies when the run uses xdist's
default distribution; an explicit `--dist MODE` is left as it is.
"""

from __future__ import annotations

import os
import shlex
from typing import Any

import pytest


def explicit_dist(config: pytest.Config) -> bool:
    """Whether the user chose a distribution mode (command line, PYTEST_ADDOPTS or ini addopts)."""
    args = [*config.invocation_params.args, *shlex.split(os.environ.get("PYTEST_ADDOPTS", ""))]
    args += config.getini("addopts")
    return any(a == "--dist" or a.startswith("--dist=") or a == "-d" for a in args)


def model_of(nodeid: str, names: list[str]) -> str | None:
    """The model an item runs on, read from its parameter id (`test_x[3-smollm2-135m]`)."""
    if not nodeid.endswith("]") or "[" not in nodeid:
        return None
    ident = nodeid[nodeid.index("[") + 1:-1]
    matches = [n for n in names if ident == n or ident.endswith("-" + n)]
    return max(matches, key=len) if matches else None


def make_scheduler(config: pytest.Config, log: Any, names: list[str]) -> Any:
    from xdist.scheduler import LoadScopeScheduling

    class ByModel(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            model = model_of(nodeid, names)
            return f"model:{model}" if model is not None else nodeid

    return ByModel(config, log)
