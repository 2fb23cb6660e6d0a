"""The plugin's per-session state, registered as a plugin object in `pytest_configure`.

It owns what one session holds: the settings, the model pool and the response cache, the
plans of the YAML items, the scoresheet of the capability that is running, and the results
gathered from test reports (which also arrive from pytest-xdist workers). Only the controller
(or a run without xdist) writes the outputs, once, at the end (`finish.py`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from .backends import BackendError
from .capabilities import active
from .capabilities.requirements import assess
from .capabilities.scoresheet import Scoresheet
from .config import ModelConfigError
from .config.options import Settings
from .engine.cache import LazyCache
from .engine.recording import Recorder
from .ledger import Ledger, LedgerError, find_run
from .models.model import Model
from .models.pool import ModelPool, check_model
from .progress import TerminalProgress
from .progress.screen import ReporterScreen
from .results import ModelHeader, Result
from .stash import ASSESSMENT_KEY, CAPABILITY_KEY, MODEL_KEY, SHEET_KEY


class EmergentState:
    def __init__(self, config: pytest.Config, settings: Settings):
        self.config = config
        self.settings = settings
        self.is_worker = hasattr(config, "workerinput")
        out = settings.outputs
        # The plugin's lines and the progress of model work, on the terminal past the capture.
        self.progress = TerminalProgress(ReporterScreen(config, self.is_worker))
        recorder = Recorder(out.record, fresh=not self.is_worker, say=self.say) if out.record else None
        self.cache = LazyCache(out.cache)
        self.pool = ModelPool(list(settings.models), say=self.say, cache=self.cache, recorder=recorder,
                              progress=self.progress)
        self.spec_ids: dict[str, str] = {}  # YAML capability id -> the spec file that defines it
        self.plans: dict[str, Any] = {}  # model name -> the plan of its YAML items (capabilities/specs/planner)
        self.drawn: dict[tuple[str, int, int], list[Any]] = {}  # cases given by `draw`, by strategy, n, seed
        self.current: Scoresheet | None = None  # the scoresheet of the capability that is running
        self.results: dict[str, Result] = {}
        self.headers: dict[str, ModelHeader] = {}
        self.reported_errors: dict[str, str] = {}  # model -> why it could not load, as items reported it
        self.started = dt.datetime.now(dt.timezone.utc)
        self.document: dict[str, Any] | None = None  # the run as recorded, once the session has finished
        self.regressed: list[dict[str, Any]] = []
        self.flips: dict[tuple[str, str], list[str]] = {}  # regressed (capability, model) -> its flipped cases

    @property
    def strict(self) -> bool:
        return self.settings.strict

    @property
    def model_names(self) -> list[str]:
        return self.settings.model_names

    def say(self, message: str) -> None:
        """Progress that the user sees even while output is captured."""
        self.progress.line(message)

    # -- collection ------------------------------------------------------------------------
    @pytest.hookimpl(tryfirst=True)
    def pytest_collection(self, session: pytest.Session) -> None:
        if self.settings.error:
            raise pytest.UsageError(f"pytest-emergent: {self.settings.error}")
        self._check_baseline()

    def _check_baseline(self) -> None:
        """A pinned baseline that is not in the ledger stops the run before anything runs: found
        only at the end, it would cost the whole run and its record."""
        out = self.settings.outputs
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
    def pytest_collection_modifyitems(self, session: pytest.Session, config: pytest.Config,
                                      items: list[pytest.Item]) -> None:
        used = {item.stash[MODEL_KEY] for item in items if MODEL_KEY in item.stash}
        if not used:
            return
        for model in self.settings.models:
            if model.name in used:
                try:
                    check_model(model)
                except ModelConfigError as exc:
                    raise pytest.UsageError(f"pytest-emergent: {exc}") from None
        # All items of one model together, models in the order selected: one load each.
        order = {name: i for i, name in enumerate(self.model_names)}
        items.sort(key=lambda it: order.get(it.stash.get(MODEL_KEY, ""), -1))

    # -- running ---------------------------------------------------------------------------
    def attach(self, item: pytest.Item, name: str) -> Model:
        """Load (or reuse) the model for an item and assess it against the item's declaration.

        Python tests (through the `model` fixture) and YAML items (the setup hook) both come
        here; a model that cannot load fails the setup with one line, no traceback."""
        __tracebackhide__ = True
        try:
            model = self.pool.get(name)
        except BackendError as exc:
            problem = str(exc)
        else:
            problem = None
        if problem is not None:
            pytest.fail(problem, pytrace=False)
        item.stash[ASSESSMENT_KEY] = assess(item.stash[CAPABILITY_KEY].requirement, model.scale, model.traits)
        model.observer = self.current.observe if self.current is not None else None
        return model

    def begin(self, item: pytest.Item) -> None:
        """A capability item starts: a fresh scoresheet receives what it records."""
        self.current = item.stash[SHEET_KEY] = Scoresheet()

    def end(self, item: pytest.Item) -> None:
        self.current = None
        model = self.pool.loaded.get(item.stash[MODEL_KEY])
        if model is not None:
            model.observer = None

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None):
        try:
            return (yield)
        finally:
            name = item.stash.get(MODEL_KEY, None)
            following = nextitem.stash.get(MODEL_KEY, None) if nextitem is not None else None
            if name is not None and following != name:
                self.pool.release(name)

    def judge_model(self, name: str) -> Model:
        """A judge: any model a name refers to (the models file, a built-in), loaded by the pool."""
        if name not in self.pool.configs:
            if name not in self.settings.known:
                raise LookupError(f"judge model {name!r} is neither in the models file nor a built-in model")
            self.pool.add(self.settings.known[name])
        return self.pool.get(name)

    # -- gathering -------------------------------------------------------------------------
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        data = getattr(report, "emergent", None)
        if not data:
            return
        self.results[report.nodeid] = Result.from_dict(data)
        if data.get("load_error"):
            self.reported_errors.setdefault(data["model"], data["load_error"])
        header = data.get("model_header")
        if header and (header["name"] not in self.headers or header.get("info")):
            self.headers[header["name"]] = ModelHeader.from_dict(header)

    def all_headers(self) -> dict[str, ModelHeader]:
        headers = dict(self.headers)
        for result in self.results.values():
            if result.model not in headers and result.model in self.pool.configs:
                headers[result.model] = self.pool.header(result.model)
        return headers

    def load_errors(self) -> dict[str, str]:
        """Why each model that failed to load did (here, or on an xdist worker)."""
        errors = {name: error for name in self.pool.configs if (error := self.pool.load_error(name))}
        return {**self.reported_errors, **errors}

    # -- reporting -------------------------------------------------------------------------
    def pytest_report_header(self, config: pytest.Config) -> str | None:
        if not self.settings.models:
            return None
        return f"emergent: models {', '.join(self.model_names)}" + (" (strict)" if self.strict else "")

    def pytest_report_collectionfinish(self, config: pytest.Config, items: list[pytest.Item]) -> str | None:
        """With code checks collected: the isolation their model code gets on this machine."""
        if not any(getattr(item, "uses_sandbox", False) for item in items):
            return None
        from .checks.sandbox import describe_policy

        return f"emergent: code isolation: {describe_policy(self.settings.isolation)}"

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.is_worker or not self.results:
            return
        from .finish import write_terminal

        write_terminal(self, terminalreporter)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        self.pool.close()
        if self.is_worker or not self.results:
            return
        from .finish import finish_run

        finish_run(self, session, exitstatus)

    def junit_path(self) -> Path | None:
        junit = getattr(self.config.option, "xmlpath", None)
        return Path(self.config.invocation_params.dir) / junit if junit else None

    def close(self) -> None:
        active.leave(self)
