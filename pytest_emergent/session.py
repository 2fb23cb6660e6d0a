"""The plugin's per-session state, registered as a plugin object in `pytest_configure`.

It owns the model pool and gathers result dicts from test reports, which also arrive from
pytest-xdist workers; only the controller (or a run without xdist) writes reports.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from . import __version__
from .config import ModelConfigError, ModelSpec
from .config.paths import session_cache
from .engine.record import Recorder
from .ledger import Ledger, LedgerError, find_run, record_run, regressions
from .outcomes import Status
from .pool import ModelPool, check_spec, header_of
from .report.github import annotations, in_github_actions
from .report.html import write_html
from .report.json_report import build_document, write_json
from .report.markdown import append_step_summary, write_markdown
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


@dataclass(frozen=True)
class Outputs:
    """Where a run's results go; None: not written."""

    json: Path | None = None
    markdown: Path | None = None
    html: Path | None = None
    ledger: Path | None = None
    baseline: str = "latest"
    cache: Path | None = None
    record: Path | None = None


class EmergentState:
    def __init__(self, config: pytest.Config, specs: list[ModelSpec], tiers: dict[str, ScaleRequirement],
                 *, strict: bool, outputs: Outputs, selection_error: str | None = None, isolation: str = "best"):
        self.config = config
        self.isolation = isolation  # --emergent-isolation: require, best or off
        self.specs = specs
        self.tiers = tiers
        self.strict = strict
        self.outputs = outputs
        self.selection_error = selection_error
        self.is_worker = hasattr(config, "workerinput")
        self.spec_ids: dict[str, str] = {}  # YAML capability id -> the spec file that defines it
        recorder = Recorder(outputs.record, fresh=not self.is_worker) if outputs.record else None
        session_cache["folder"] = outputs.cache
        self.pool = ModelPool(specs, say=self._say, cache_folder=outputs.cache, recorder=recorder)
        self.results: dict[str, dict[str, Any]] = {}
        self.headers: dict[str, ModelHeader] = {}
        self.started = dt.datetime.now(dt.timezone.utc)
        self.document: dict[str, Any] | None = None
        self.regressed: list[dict[str, Any]] = []

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
        self._check_baseline()

    def _check_baseline(self) -> None:
        """A pinned baseline that is not in the ledger stops the run before anything runs: found
        only at the end, it would cost the whole run and its record."""
        out = self.outputs
        if self.is_worker or out.baseline in ("latest", "none"):
            return
        if out.ledger is None:
            raise pytest.UsageError(f"pytest-emergent: --emergent-baseline {out.baseline} compares with a run of the "
                                    "ledger, and --emergent-no-ledger turns the ledger off")
        try:
            find_run([{"run_id": run_id} for run_id in Ledger(out.ledger).stored_ids()], out.baseline)
        except LedgerError as exc:
            raise pytest.UsageError(f"pytest-emergent: --emergent-baseline: {exc} (ledger {out.ledger})") from None

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

    def pytest_report_collectionfinish(self, config: pytest.Config, items: list[pytest.Item]) -> str | None:
        """With code checks collected: the isolation their model code gets on this machine."""
        if not any(getattr(item, "uses_sandbox", False) for item in items):
            return None
        from .checks.sandbox import describe_policy

        return f"emergent: code isolation: {describe_policy(self.isolation)}"

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.is_worker or not self.results:
            return
        errors = dict(self.pool.errors)
        for data in self.results.values():
            if data["status"] == Status.ERROR.value and data.get("load_error"):
                errors.setdefault(data["model"], data["load_error"])
        changes = {}
        if self.document is not None:
            changes = {(r["capability"], r["model"]): r.get("change") for r in self.document["results"]}
        write_section(terminalreporter, self.all_headers(), self.result_records(), errors, changes, self.regressed)
        if self.document is not None and in_github_actions():
            for line in annotations(self.document):
                terminalreporter.write_line(line)

    def _header(self) -> dict[str, Any]:
        header = {
            "plugin_version": __version__,
            "pytest_version": pytest.__version__,
            "python_version": sys.version.split()[0],
            "started": self.started.isoformat(timespec="seconds"),
            "finished": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "git_commit": _git_commit(self.config.rootpath),
            "strict": self.strict,
        }
        isolation = sorted({str(d["metrics"]["isolation"]) for d in self.results.values() if "isolation" in
                            (d.get("metrics") or {})})
        if isolation:  # the sandbox modes the run's code checks ran under
            header["code_isolation"] = ", ".join(isolation)
        return header

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        self.pool.close()
        if self.is_worker or not self.results:
            return
        out = self.outputs
        document = build_document(self._header(), self.all_headers(), self.result_records())
        # A run stopped with Ctrl-C is partial by accident: it is reported, not kept as a checkpoint.
        interrupted = exitstatus == pytest.ExitCode.INTERRUPTED
        if interrupted and out.ledger is not None:
            self._say(f"run interrupted after {len(self.results)} results: not recorded in the ledger {out.ledger}")
        try:
            recorded = record_run(document, out.ledger, baseline=out.baseline, store=not interrupted)
        except LedgerError as exc:
            self._say(f"ledger: {exc}; the run is not recorded")
            return
        self.document = recorded.document
        if out.json:
            write_json(out.json, recorded.document)
        if out.markdown:
            write_markdown(out.markdown, recorded.document, recorded.runs)
        if out.html:
            write_html(out.html, recorded.runs, recorded.document)
        append_step_summary(recorded.document, history=recorded.runs)
        self.regressed = regressions(recorded.document)
        if self.regressed and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
