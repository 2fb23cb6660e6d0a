"""pytest hooks: options, markers, parametrization over models, and the outcome rewrite.

Glue only: each hook forwards to the session's state (`state.py`) or to the module that does
the work. Nothing here imports torch or transformers; models load when a test first asks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .capabilities import active
from .capabilities.fingerprint import source_fingerprint
from .capabilities.requirements import Capability, evaluate_marks
from .config.options import add_options, read_settings
from .rewrite import build_result, rewrite_outcome, status_of
from .scale import ScaleError
from .stash import ASSESSMENT_KEY, CAPABILITY_KEY, MODEL_KEY, SHEET_KEY, STATE_KEY
from .state import EmergentState

MARKERS = (
    "requires_scale(params=None, *, tokens=None, compute=None, step=None, reason=None): "
    "the scale at which this capability is expected to work; below it a failure is expected",
    "requires_traits(*traits): traits (instruct, chat, base, code...) the model needs for this capability",
    "capability(id=None, *, requires=()): explicit capability id (default: the test id without the model), "
    "and the capabilities it builds on",
)
MARK_NAMES = ("requires_scale", "requires_traits", "capability")


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def _rootdir_taken_from_an_option(config: pytest.Config) -> str | None:
    """pytest picks its rootdir before plugins add their options, so in `--emergent-ledger /x`
    it takes /x for a test path; the rootdir (and ini file) can then be the wrong ones, and the
    project's spec globs, models and ledger silently unused: an error, not a warning."""
    args, start = list(config.invocation_params.args), Path(config.invocation_params.dir).resolve()
    root = config.rootpath.resolve()
    if root == start or (root in start.parents and config.inipath is not None):
        return None
    for flag, value in zip(args, args[1:]):
        if flag.startswith("--emergent-") and "=" not in flag and (start / value).exists():
            return (f"pytest chose rootdir {root} partly from the value of {flag} ({value}), which it took for a "
                    f"test path, so the project's ini file and specs would not be used; write {flag}={value}")
    return None


def pytest_configure(config: pytest.Config) -> None:
    for line in MARKERS:
        config.addinivalue_line("markers", line)
    problem = _rootdir_taken_from_an_option(config)
    if problem:
        raise pytest.UsageError(f"pytest-emergent: {problem}")
    state = EmergentState(config, read_settings(config))
    config.stash[STATE_KEY] = state
    config.pluginmanager.register(state, "emergent-state")
    active.enter(state)


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(STATE_KEY, None)
    if state is not None:
        from .finish import finish_junit

        finish_junit(state)
        config.pluginmanager.unregister(state)
        active.leave(state)


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Under xdist's default distribution, each model's items go to one worker (one load each)."""
    from .xdist_groups import explicit_dist, make_scheduler

    if config.getvalue("dist") != "load" or explicit_dist(config):
        return None
    return make_scheduler(config, log, config.stash[STATE_KEY].model_names)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix not in (".yaml", ".yml"):
        return None
    from .capabilities.specs.collect import collect_file

    return collect_file(file_path, parent)


@pytest.hookimpl(trylast=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marked = any(True for name in MARK_NAMES for _ in metafunc.definition.iter_markers(name))
    if "model" not in metafunc.fixturenames:
        if marked:
            raise pytest.Collector.CollectError(
                f"{metafunc.definition.nodeid}: requires_scale/requires_traits/capability mark a capability, "
                "which takes the `model` fixture as an argument"
            )
        return
    state = metafunc.config.stash[STATE_KEY]
    try:
        evaluate_marks(metafunc.definition.iter_markers(), state.settings.tiers)
    except ScaleError as exc:
        raise pytest.Collector.CollectError(f"{metafunc.definition.nodeid}: {exc}") from None
    if state.model_names:
        metafunc.parametrize("model", state.model_names, indirect=True, ids=state.model_names)


def pytest_itemcollected(item: pytest.Item) -> None:
    callspec = getattr(item, "callspec", None)
    if callspec is None or "model" not in callspec.params:
        return
    name = callspec.params["model"]
    requirement = evaluate_marks(item.iter_markers(), item.config.stash[STATE_KEY].settings.tiers)
    item.stash[MODEL_KEY] = name
    item.stash[CAPABILITY_KEY] = Capability(requirement.capability or default_capability_id(item.nodeid, callspec.id,
                                                                                               name),
                                            requirement, source_fingerprint(getattr(item, "function", None)))


def default_capability_id(nodeid: str, ident: str, name: str) -> str:
    """The node id with the model's part of the parameter id taken out."""
    base = nodeid.split("[", 1)[0]
    if ident == name:
        return base
    if ident.endswith("-" + name):
        return f"{base}[{ident[: -len(name) - 1]}]"
    return nodeid


@pytest.fixture
def model(request: pytest.FixtureRequest):
    """The model under test; parametrized over the selected models (test id suffix = model name)."""
    __tracebackhide__ = True
    name = getattr(request, "param", None)
    if name is None:
        pytest.fail("the `model` fixture has no model: no model is selected (see --emergent-model)", pytrace=False)
    return request.config.stash[STATE_KEY].attach(request.node, name)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item):
    if MODEL_KEY in item.stash:
        state = item.config.stash[STATE_KEY]
        state.begin(item)
        if "model" not in getattr(item, "fixturenames", ()):  # a YAML item: no fixture asks for the model
            state.attach(item, item.stash[MODEL_KEY])
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    try:
        return (yield)
    finally:
        if MODEL_KEY in item.stash:
            item.config.stash[STATE_KEY].end(item)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report: pytest.TestReport = yield
    if MODEL_KEY not in item.stash:
        return report
    state = item.config.stash[STATE_KEY]
    assessment = item.stash.get(ASSESSMENT_KEY, None)
    status = status_of(report, call, assessment)
    if status is None:
        return report
    rewrite_outcome(report, status, assessment, state.strict, item.nodeid)
    name = item.stash[MODEL_KEY]
    load_error = state.pool.load_error(name)
    duration = getattr(item, "own_duration", lambda d: d)(report.duration)
    result = build_result(item.stash[CAPABILITY_KEY], item.nodeid, name, status, item.stash.get(SHEET_KEY, None),
                          assessment.reason if assessment else (load_error or ""), duration)
    # Plain data on the report: it travels from xdist workers; the session turns it back into a Result.
    report.emergent = {**result.to_dict(), "model_header": state.pool.header(name).to_dict(),  # type: ignore[attr-defined]
                       "load_error": load_error}
    # JUnit XML writes the properties of the teardown report, which copies the item's; the change
    # and the baseline are added when the run is compared (report/junit.py).
    from .report.github import junit_properties

    properties = junit_properties(report.emergent)
    item.user_properties[:] = [p for p in item.user_properties if not p[0].startswith("emergent_")] + properties
    report.user_properties = list(item.user_properties)
    return report
