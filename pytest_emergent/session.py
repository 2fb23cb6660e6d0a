"""The plugin's per-session state, registered as a plugin object in `pytest_configure`.

It owns the model pool and gathers result dicts from test reports, which also arrive from
pytest-xdist workers; only the controller (or a run without xdist) writes reports.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from . import __version__
from .config import ModelConfigError, ModelSpec
from .outcomes import Status
from .pool import ModelPool, check_spec, header_of
from .report.json_report import build_document, write_json
from .report.terminal import write_section
from .requirements import Requirement, Verdict
from .results import ModelHeader, Result
from .scale import ScaleRequirement

MODEL_KEY = pytest.StashKey[str]()
REQUIREMENT_KEY = pytest.StashKey[Requirement]()
VERDICT_KEY = pytest.StashKey[Verdict]()
HEADER_KEY = pytest.StashKey[dict]()


def _git_commit(root: Path) -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


class EmergentState:
    def __init__(self, config: pytest.Config, specs: list[ModelSpec], tiers: dict[str, ScaleRequirement],
                 *, strict: bool, json_path: Path | None, selection_error: str | None = None):
        self.config = config
        self.specs = specs
        self.tiers = tiers
        self.strict = strict
        self.json_path = json_path
        self.selection_error = selection_error
        self.is_worker = hasattr(config, "workerinput")
        self.pool = ModelPool(specs, say=self._say)
        self.results: dict[str, dict[str, Any]] = {}
        self.headers: dict[str, ModelHeader] = {}
        self.started = dt.datetime.now(dt.timezone.utc)

    @property
    def model_names(self) -> list[str]:
        return [s.name for s in self.specs]

    def _say(self, message: str) -> None:
        """Progress that the user sees even while output is captured."""
        capman = self.config.pluginmanager.getplugin("capturemanager")
        reporter = self.config.pluginmanager.getplugin("terminalreporter")
        if reporter is None or self.is_worker:
            return
        if capman is not None:
            with capman.global_and_fixture_disabled():
                reporter.write_line(f"[pytest-emergent] {message}")
        else:
            reporter.write_line(f"[pytest-emergent] {message}")

    # -- collection ------------------------------------------------------------------------
    @pytest.hookimpl(tryfirst=True)
    def pytest_collection(self, session: pytest.Session) -> None:
        if self.selection_error:
            raise pytest.UsageError(f"pytest-emergent: {self.selection_error}")

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
        order = {name: i for i, name in enumerate(self.model_names)}
        used: set[str] = set()
        for item in items:
            name = item.stash.get(MODEL_KEY, None)
            if name is not None:
                used.add(name)
        if not used:
            return
        for spec in self.specs:
            if spec.name in used:
                try:
                    check_spec(spec)
                except ModelConfigError as exc:
                    raise pytest.UsageError(f"pytest-emergent: {exc}") from None
        # All items of one model together, models in the order selected: one load each.
        items.sort(key=lambda it: order.get(it.stash.get(MODEL_KEY, ""), -1))

    # -- running ---------------------------------------------------------------------------
    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None):
        try:
            return (yield)
        finally:
            name = item.stash.get(MODEL_KEY, None)
            following = nextitem.stash.get(MODEL_KEY, None) if nextitem is not None else None
            if name is not None and following != name:
                self.pool.release(name)

    def model_header(self, name: str) -> dict[str, Any]:
        model = self.pool.loaded.get(name)
        spec = next(s for s in self.specs if s.name == name)
        return header_of(spec, model).to_dict()

    # -- gathering -------------------------------------------------------------------------
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        data = getattr(report, "emergent", None)
        if not data:
            return
        self.results[report.nodeid] = data
        header = data.get("model_header")
        if header and (header["name"] not in self.headers or header.get("info")):
            self.headers[header["name"]] = ModelHeader.from_dict(header)

    def result_records(self) -> list[Result]:
        return [Result.from_dict(d) for d in self.results.values()]

    def all_headers(self) -> dict[str, ModelHeader]:
        headers = dict(self.headers)
        used = {d["model"] for d in self.results.values()}
        for spec in self.specs:
            if spec.name in used and spec.name not in headers:
                headers[spec.name] = header_of(spec)
        return headers

    # -- reporting -------------------------------------------------------------------------
    def pytest_report_header(self, config: pytest.Config) -> str | None:
        if not self.specs:
            return None
        return f"emergent: models {', '.join(self.model_names)}" + (" (strict)" if self.strict else "")

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.is_worker or not self.results:
            return
        errors = {n: e for n, e in self.pool.errors.items()}
        for data in self.results.values():
            if data["status"] == Status.ERROR.value and data.get("load_error"):
                errors.setdefault(data["model"], data["load_error"])
        write_section(terminalreporter, self.all_headers(), self.result_records(), errors)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        self.pool.release_all()
        if self.is_worker or self.json_path is None:
            return
        header = {
            "plugin_version": __version__,
            "pytest_version": pytest.__version__,
            "python_version": sys.version.split()[0],
            "started": self.started.isoformat(timespec="seconds"),
            "finished": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "git_commit": _git_commit(self.config.rootpath),
            "strict": self.strict,
        }
        write_json(self.json_path, build_document(header, self.all_headers(), self.result_records()))
