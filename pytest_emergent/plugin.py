"""pytest hooks: options, markers, parametrization over models, and the outcome rewrite.

Glue only. Nothing here imports torch or transformers; models load when a test first asks.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from . import scoring
from .backends import BackendError
from .config import ModelConfigError, builtin_specs, load_models_file, select_models, split_selection
from .config.paths import cache_root
from .outcomes import Status, decide_status
from .pool import with_batch_size
from .report.github import junit_properties
from .requirements import evaluate_marks, judge
from .scale import ScaleError, parse_tiers
from .session import HEADER_KEY, MODEL_KEY, REQUIREMENT_KEY, VERDICT_KEY, EmergentState, Outputs

STATE_KEY = pytest.StashKey[EmergentState]()
SCORE_KEY = pytest.StashKey[scoring.ScoreRecord]()
DEFAULT_MODEL = "smollm2-135m"
DEFAULT_MODELS_FILE = "emergent-models.yaml"
DEFAULT_LEDGER = ".emergent"
DEFAULT_CACHE = "~/.cache/pytest-emergent/responses"
ISOLATION_POLICIES = ("require", "best", "off")  # checks.sandbox.POLICIES, kept here to import nothing heavy

MARKERS = (
    "requires_scale(params=None, *, tokens=None, compute=None, step=None, reason=None): "
    "the scale at which this capability is expected to work; below it a failure is expected",
    "requires_traits(*traits): traits (instruct, chat, base, code...) the model needs for this capability",
    "capability(id=None, *, requires=()): explicit capability id (default: the test id without the model), "
    "and the capabilities it builds on",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("emergent", "capability tests across model scales (pytest-emergent)")
    group.addoption("--emergent-model", action="append", default=[], dest="emergent_model", metavar="NAME_OR_SPEC",
                    help="model to run capabilities against (repeatable): a built-in or models-file name, or "
                         "hf:PATH[@REV], gguf:FILE.gguf. Env EMERGENT_MODELS (comma-separated).")
    group.addoption("--emergent-models-file", dest="emergent_models_file", metavar="PATH",
                    help=f"YAML file of models (default: {DEFAULT_MODELS_FILE} when present).")
    group.addoption("--emergent-json", dest="emergent_json", metavar="PATH",
                    help="write the run header and one entry per (capability, model) as JSON.")
    group.addoption("--emergent-strict", action="store_true", default=None, dest="emergent_strict",
                    help="an early pass (pass below the declared scale) fails the run.")
    group.addoption("--emergent-batch-size", dest="emergent_batch_size", metavar="N|auto",
                    help="sequences per batched forward pass (default auto: 16 on the CPU).")
    group.addoption("--emergent-md", dest="emergent_md", metavar="PATH",
                    help="write the Markdown report (also appended to $GITHUB_STEP_SUMMARY when that is set).")
    group.addoption("--emergent-html", dest="emergent_html", metavar="PATH",
                    help="write a self-contained HTML report with emergence plots across the ledger's runs.")
    group.addoption("--emergent-ledger", dest="emergent_ledger", metavar="DIR",
                    help=f"folder of run records (default {DEFAULT_LEDGER}).")
    group.addoption("--emergent-no-ledger", action="store_true", default=None, dest="emergent_no_ledger",
                    help="keep no run record (changes then come only from lower checkpoints of this run).")
    group.addoption("--emergent-baseline", dest="emergent_baseline", metavar="latest|RUN_ID|none",
                    help="what results are compared with (default latest: the previous checkpoint of the family).")
    group.addoption("--emergent-cache", dest="emergent_cache", metavar="DIR|off",
                    help=f"response cache folder, or off (default {DEFAULT_CACHE}). Env EMERGENT_CACHE.")
    group.addoption("--emergent-record", dest="emergent_record", metavar="FILE",
                    help="write every request and response to FILE, for replay:FILE runs without the model.")
    group.addoption("--emergent-isolation", dest="emergent_isolation", metavar="|".join(ISOLATION_POLICIES),
                    choices=ISOLATION_POLICIES,
                    help="how the code check contains model code: require bubblewrap, the best this machine "
                         "allows (default), or off.")
    parser.addini("emergent_models", "models to run against (names or spec strings)", type="linelist", default=[])
    parser.addini("emergent_models_file", "YAML file of models", default="")
    parser.addini("emergent_json", "path of the JSON report", default="")
    parser.addini("emergent_strict", "an early pass fails the run", type="bool", default=False)
    parser.addini("emergent_batch_size", "sequences per batched forward pass", default="")
    parser.addini("emergent_md", "path of the Markdown report", default="")
    parser.addini("emergent_html", "path of the HTML report", default="")
    parser.addini("emergent_ledger", "folder of run records", default="")
    parser.addini("emergent_no_ledger", "keep no run record", type="bool", default=False)
    parser.addini("emergent_baseline", "latest, a run id, or none", default="")
    parser.addini("emergent_cache", "response cache folder, or off", default="")
    parser.addini("emergent_record", "file recording every request and response", default="")
    parser.addini("emergent_isolation", "isolation of model code: require, best or off", default="")
    parser.addini("emergent_tiers", "named scales: 'NAME = 7B' or 'NAME = params:7B tokens:2T' per line",
                  type="linelist", default=[])
    parser.addini("emergent_specs", "globs (relative to the rootdir) of YAML capability spec files",
                  type="linelist", default=["capability_specs/**/*.yaml"])


def _option(config: pytest.Config, name: str) -> Any:
    value = config.getoption(name)
    return value if value not in (None, "", []) else config.getini(name)


def _build_state(config: pytest.Config) -> EmergentState:
    error = None
    specs: list = []
    tiers = {}
    try:
        tiers = parse_tiers(config.getini("emergent_tiers"))
    except ScaleError as exc:
        raise pytest.UsageError(f"pytest-emergent: {exc}") from None
    selection = split_selection(config.getoption("emergent_model") or [])
    if not selection and os.environ.get("EMERGENT_MODELS"):
        selection = split_selection([os.environ["EMERGENT_MODELS"]])
    if not selection:
        selection = split_selection(config.getini("emergent_models"))
    try:
        file_option = _option(config, "emergent_models_file")
        models_file = Path(file_option) if file_option else _default_models_file(config)
        if file_option and not models_file.is_absolute():
            models_file = Path(config.invocation_params.dir) / models_file
        if file_option and not models_file.is_file():
            raise ModelConfigError(f"models file {models_file} does not exist")
        file_specs = load_models_file(models_file) if models_file.is_file() else []
        specs = select_models(selection, file_specs, builtin_specs(), DEFAULT_MODEL)
        specs = with_batch_size(specs, _option(config, "emergent_batch_size") or None)
    except (ModelConfigError, ValueError) as exc:
        error = str(exc)
    isolation = _option(config, "emergent_isolation") or "best"
    if isolation not in ISOLATION_POLICIES:
        raise pytest.UsageError(f"pytest-emergent: emergent_isolation = {isolation}: expected one of "
                                f"{', '.join(ISOLATION_POLICIES)}")
    return EmergentState(
        config, specs, tiers,
        strict=bool(_option(config, "emergent_strict")),
        outputs=_outputs(config),
        selection_error=error,
        isolation=isolation,
    )


def _default_models_file(config: pytest.Config) -> Path:
    """The nearest emergent-models.yaml from the folder pytest was started in up to the rootdir,
    else the rootdir's (pytest may pick a rootdir above the project when an option's value is an
    absolute path: `--emergent-ledger /x`)."""
    start, root = Path(config.invocation_params.dir).resolve(), config.rootpath.resolve()
    if start == root or root in start.parents:
        for folder in (start, *start.parents):
            if (folder / DEFAULT_MODELS_FILE).is_file() or folder == root:
                return folder / DEFAULT_MODELS_FILE
    return root / DEFAULT_MODELS_FILE if (root / DEFAULT_MODELS_FILE).is_file() else start / DEFAULT_MODELS_FILE


def _path(config: pytest.Config, name: str) -> Path | None:
    value = _option(config, name)
    if not value:
        return None
    path = Path(value).expanduser()
    return path if path.is_absolute() else Path(config.invocation_params.dir) / path


def _outputs(config: pytest.Config) -> Outputs:
    cache_value = _option(config, "emergent_cache") or os.environ.get("EMERGENT_CACHE") or ""
    if cache_value == "off":
        cache = None
    elif cache_value:
        cache = Path(cache_value).expanduser()
        cache = cache if cache.is_absolute() else Path(config.invocation_params.dir) / cache
    else:
        cache = cache_root() / "responses"
    no_ledger = bool(_option(config, "emergent_no_ledger"))
    baseline = _option(config, "emergent_baseline") or "latest"
    return Outputs(
        json=_path(config, "emergent_json"),
        markdown=_path(config, "emergent_md"),
        html=_path(config, "emergent_html"),
        ledger=None if no_ledger else (_path(config, "emergent_ledger") or config.rootpath / DEFAULT_LEDGER),
        baseline=baseline,
        cache=cache,
        record=_path(config, "emergent_record"),
    )


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix not in (".yaml", ".yml"):
        return None
    from .specs.collect import collect_file

    return collect_file(file_path, parent)


def _rootdir_taken_from_an_option(config: pytest.Config) -> str | None:
    """pytest picks its rootdir before plugins add their options, so in `--emergent-ledger /x`
    it takes /x for a test path; the rootdir (and ini file) can then be the wrong ones."""
    args, start = list(config.invocation_params.args), Path(config.invocation_params.dir).resolve()
    root = config.rootpath.resolve()
    if root == start or (root in start.parents and config.inipath is not None):
        return None
    for flag, value in zip(args, args[1:]):
        if flag.startswith("--emergent-") and "=" not in flag and (start / value).exists():
            return (f"pytest chose rootdir {root} partly from the value of {flag} ({value}), which it took for a "
                    f"test path; write {flag}={value} so that the project's rootdir and ini file are used")
    return None


def pytest_configure(config: pytest.Config) -> None:
    for line in MARKERS:
        config.addinivalue_line("markers", line)
    warning = _rootdir_taken_from_an_option(config)
    if warning:
        config.issue_config_time_warning(pytest.PytestConfigWarning(warning), stacklevel=2)
    state = _build_state(config)
    config.stash[STATE_KEY] = state
    config.pluginmanager.register(state, "emergent-state")


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(STATE_KEY, None)
    if state is not None:
        junit = getattr(config.option, "xmlpath", None)
        if junit and state.document is not None and not state.is_worker:
            from .report.junit import complete_junit

            complete_junit(Path(config.invocation_params.dir) / junit, state.document, getattr(config.option, "junitprefix", None))
        config.pluginmanager.unregister(state)


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Under xdist's default distribution, each model's items go to one worker (one load each)."""
    from .xdist_groups import explicit_dist, make_scheduler

    if config.getvalue("dist") != "load" or explicit_dist(config):
        return None
    return make_scheduler(config, log, config.stash[STATE_KEY].model_names)


@pytest.hookimpl(trylast=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marked = any(True for name in ("requires_scale", "requires_traits", "capability")
                 for _ in metafunc.definition.iter_markers(name))
    if "model" not in metafunc.fixturenames:
        if marked:
            raise pytest.Collector.CollectError(
                f"{metafunc.definition.nodeid}: requires_scale/requires_traits/capability mark a capability, "
                "which takes the `model` fixture as an argument"
            )
        return
    state = metafunc.config.stash[STATE_KEY]
    try:
        evaluate_marks(metafunc.definition.iter_markers(), state.tiers)
    except ScaleError as exc:
        raise pytest.Collector.CollectError(f"{metafunc.definition.nodeid}: {exc}") from None
    names = state.model_names
    if names:
        metafunc.parametrize("model", names, indirect=True, ids=names)


def pytest_itemcollected(item: pytest.Item) -> None:
    callspec = getattr(item, "callspec", None)
    if callspec is None or "model" not in callspec.params:
        return
    state = item.config.stash[STATE_KEY]
    item.stash[MODEL_KEY] = callspec.params["model"]
    item.stash[REQUIREMENT_KEY] = evaluate_marks(item.iter_markers(), state.tiers)


def capability_id(item: pytest.Item) -> str:
    """The marked id, or the node id with the model's part of the parameter id taken out."""
    requirement = item.stash[REQUIREMENT_KEY]
    if requirement.capability:
        return requirement.capability
    name = item.stash[MODEL_KEY]
    base = item.nodeid.split("[", 1)[0]
    callspec = getattr(item, "callspec", None)
    if callspec is None:
        return item.nodeid
    ident = callspec.id
    if ident == name:
        return base
    if ident.endswith("-" + name):
        return f"{base}[{ident[: -len(name) - 1]}]"
    return item.nodeid


@pytest.fixture
def model(request: pytest.FixtureRequest):
    """The model under test; parametrized over the selected models (test id suffix = model name)."""
    __tracebackhide__ = True
    name = getattr(request, "param", None)
    if name is None:
        pytest.fail("the `model` fixture has no model: no model is selected (see --emergent-model)", pytrace=False)
    return attach_model(request.node, name)


def attach_model(item: pytest.Item, name: str):
    """Load (or reuse) the model for an item and judge it against the item's requirement.

    Any item kind can call this during setup (Python tests through the fixture, YAML spec
    items directly); the outcome rewrite then applies to it. A load failure fails the setup
    with one line, no traceback.
    """
    __tracebackhide__ = True
    state = item.config.stash[STATE_KEY]
    try:
        loaded = state.pool.get(name)
    except BackendError as exc:
        problem = str(exc)
    else:
        problem = None
    if problem is not None:
        pytest.fail(problem, pytrace=False)
    item.stash[VERDICT_KEY] = judge(item.stash[REQUIREMENT_KEY], loaded.scale, loaded.traits)
    item.stash[HEADER_KEY] = state.model_header(name)
    return loaded


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item):
    if MODEL_KEY in item.stash:
        item.stash[SCORE_KEY] = scoring.begin()
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    try:
        return (yield)
    finally:
        if MODEL_KEY in item.stash:
            scoring.end()


def _status_of(item: pytest.Item, report: pytest.TestReport, call: pytest.CallInfo) -> Status | None:
    if call.excinfo is not None and call.excinfo.errisinstance(BackendError):
        return Status.ERROR  # the model could not answer: not evidence about the capability
    if report.when == "setup":
        return Status.ERROR if report.failed else Status.SKIP if report.skipped else None
    if report.when == "teardown":
        return Status.ERROR if report.failed else None
    if hasattr(report, "wasxfail"):  # the user's own pytest.mark.xfail
        return Status.EXPECTED_FAIL if report.skipped else Status.EARLY_PASS
    if report.skipped:
        return Status.SKIP
    verdict = item.stash.get(VERDICT_KEY, None)
    return decide_status(verdict.meets if verdict else True, report.passed)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report: pytest.TestReport = yield
    if MODEL_KEY not in item.stash:
        return report
    state = item.config.stash[STATE_KEY]
    status = _status_of(item, report, call)
    if status is None:
        return report
    verdict = item.stash.get(VERDICT_KEY, None)
    if status is Status.EXPECTED_FAIL and verdict is not None and not verdict.meets:
        report.outcome = "skipped"
        report.wasxfail = verdict.reason
    elif status is Status.EARLY_PASS and verdict is not None and not verdict.meets:
        if state.strict:
            report.outcome = "failed"
            report.longrepr = f"[early pass, strict] {item.nodeid}: passes below its declared scale ({verdict.reason})"
        else:
            report.wasxfail = verdict.reason
    record = item.stash.get(SCORE_KEY, None)
    name = item.stash[MODEL_KEY]
    load_error = state.pool.errors.get(name)
    report.emergent = {  # type: ignore[attr-defined]
        "capability": capability_id(item),
        "nodeid": item.nodeid,
        "model": name,
        "status": status.value,
        "score": record.score if record else None,
        "threshold": record.threshold if record else None,
        "metrics": dict(record.metrics) if record else {},
        "declared": item.stash[REQUIREMENT_KEY].declared(),
        "reason": verdict.reason if verdict else (load_error or ""),
        "duration": round(report.duration, 4),
        "model_header": item.stash.get(HEADER_KEY, None) or state.model_header(name),
        "load_error": load_error,
    }
    # JUnit XML writes the properties of the teardown report, which copies the item's; the change
    # and the baseline are added when the run is compared (report/junit.py).
    properties = junit_properties(report.emergent)
    item.user_properties[:] = [p for p in item.user_properties if not p[0].startswith("emergent_")] + properties
    report.user_properties = list(item.user_properties)
    return report
