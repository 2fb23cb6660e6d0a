"""The plugin's options and ini keys, and the `Settings` a session reads from them once.

Every option also reads an ini key `emergent_<name>` (the command line wins); a few read an
environment variable too (`EMERGENT_MODELS`, `EMERGENT_CACHE`). Paths are relative to the folder
pytest was started in; the ledger's default and the spec globs to the rootdir.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ..scale import ScaleError, ScaleRequirement, parse_tiers
from ..significance import CORRECTIONS
from .builtin import builtin_models
from .defaults import DEFAULT_MODEL, LEDGER_FOLDER, MODELS_FILE, SPEC_GLOBS, default_cache_folder
from .models import ModelConfig, ModelConfigError, load_models_file, select_models, split_selection, with_batch_size
from .writable import unwritable

ISOLATION_POLICIES = ("require", "best", "off")  # checks.sandbox.POLICIES, named here to import nothing heavy


@dataclass(frozen=True)
class Outputs:
    """Where a run's results go; None: not written."""

    json: Path | None = None
    markdown: Path | None = None
    html: Path | None = None
    ledger: Path | None = None
    baseline: str = "latest"
    alpha: float = 0.05  # --emergent-alpha
    correction: str = "holm"  # --emergent-correction
    cache: Path | None = None
    record: Path | None = None


@dataclass(frozen=True)
class Settings:
    """Everything the options say, read once at configure time.

    `models` are the models under test, in the order selected; `known` every model a name can
    refer to (built-ins and the models file), so a judge model is found without reading the
    file again. A selection that cannot be resolved is kept as `error` and stops the run at
    collection, with the message."""

    models: tuple[ModelConfig, ...] = ()
    known: Mapping[str, ModelConfig] = field(default_factory=dict)
    tiers: Mapping[str, ScaleRequirement] = field(default_factory=dict)
    strict: bool = False
    outputs: Outputs = Outputs()
    spec_globs: tuple[str, ...] = SPEC_GLOBS
    error: str | None = None
    isolation: str = "best"  # --emergent-isolation: how the code check contains model code
    specs_data_outside_rootdir: bool = False  # ini emergent_specs_data_outside_rootdir
    full_ids: bool = False  # --emergent-full-ids: the terminal shows capability ids whole

    @property
    def model_names(self) -> list[str]:
        return [m.name for m in self.models]


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("emergent", "capability tests across model scales (pytest-emergent)")

    def option(name: str, help: str, **kwargs: Any) -> None:
        group.addoption(f"--emergent-{name}", dest=f"emergent_{name.replace('-', '_')}", help=help, **kwargs)

    option("model", "model to run capabilities against (repeatable): a built-in or models-file name, or "
                    "hf:PATH[@REV], gguf:FILE.gguf, openai:URL#MODEL, replay:FILE. Env EMERGENT_MODELS "
                    "(comma-separated).", action="append", default=[], metavar="NAME_OR_SPEC")
    option("models-file", f"YAML file of models (default: {MODELS_FILE} when present).", metavar="PATH")
    option("json", "write the run header and one entry per (capability, model) as JSON.", metavar="PATH")
    option("strict", "an early pass (pass below the declared scale) fails the run.", action="store_true", default=None)
    option("batch-size", "rows of 512 tokens per batched forward pass (default auto: probed on CUDA, 16 on the CPU); "
           "generation takes more rows of shorter prompts, up to 4x.",
           metavar="N|auto")
    option("md", "write the Markdown report (also appended to $GITHUB_STEP_SUMMARY when that is set).", metavar="PATH")
    option("html", "write a self-contained HTML report with emergence plots across the ledger's runs.", metavar="PATH")
    option("ledger", f"folder of run records (default {LEDGER_FOLDER} in the rootdir).", metavar="DIR")
    option("no-ledger", "keep no run record (changes then come only from lower checkpoints of this run).",
           action="store_true", default=None)
    option("baseline", "what results are compared with (default latest: the previous checkpoint of the family).",
           metavar="latest|RUN_ID|none")
    option("alpha", "significance level a change must reach to count as regressed or lit up (default 0.05).",
           metavar="LEVEL")
    option("correction", "control of false changes over a run's results: holm (default), bh, none.",
           choices=CORRECTIONS)
    option("cache", f"response cache folder, or off (default {default_cache_folder()}). Env EMERGENT_CACHE.",
           metavar="DIR|off")
    option("record", "write every request and response to FILE, for replay:FILE runs without the model.",
           metavar="FILE")
    option("full-ids", "the terminal matrix shows whole capability ids (default: the shortest unique tail, "
                       "`test_qa[x]` for `tests/test_essay.py::test_qa[x]`).", action="store_true", default=None)
    option("isolation", "how the code check contains model code: require bubblewrap, the best this machine "
                        "allows (default), or off.", metavar="|".join(ISOLATION_POLICIES), choices=ISOLATION_POLICIES)
    ini = parser.addini
    ini("emergent_models", "models to run against (names or spec strings)", type="linelist", default=[])
    for name, what in (("models_file", "YAML file of models"), ("json", "path of the JSON report"),
                       ("batch_size", "rows of 512 tokens per batched forward pass"), ("md", "path of the Markdown report"),
                       ("html", "path of the HTML report"), ("ledger", "folder of run records"),
                       ("baseline", "latest, a run id, or none"), ("cache", "response cache folder, or off"),
                       ("alpha", "significance level of a change (default 0.05)"),
                       ("correction", "holm, bh or none (default holm)"),
                       ("record", "file recording every request and response"),
                       ("isolation", "isolation of model code: require, best or off")):
        ini(f"emergent_{name}", what, default="")
    ini("emergent_strict", "an early pass fails the run", type="bool", default=False)
    ini("emergent_no_ledger", "keep no run record", type="bool", default=False)
    ini("emergent_full_ids", "the terminal matrix shows whole capability ids", type="bool", default=False)
    ini("emergent_tiers", "named scales: 'NAME = 7B' or 'NAME = params:7B tokens:2T' per line", type="linelist",
        default=[])
    ini("emergent_specs", "globs (relative to the rootdir) of YAML capability spec files", type="linelist",
        default=list(SPEC_GLOBS))
    ini("emergent_specs_data_outside_rootdir", "let a spec's data: name a file outside the rootdir (default false)",
        type="bool", default=False)


def option(config: pytest.Config, name: str) -> Any:
    """The command-line value, else the ini key's (a bad true/false there is a usage error naming it)."""
    value = config.getoption(name, None)  # None for an ini key with no option
    if value not in (None, "", []):
        return value
    try:
        return config.getini(name)
    except (ValueError, pytest.UsageError) as exc:  # pytest 9 raises UsageError, older ones ValueError
        raise pytest.UsageError(f"pytest-emergent: ini {name}: {exc}; write true or false") from None


def _path(config: pytest.Config, name: str) -> Path | None:
    value = option(config, name)
    if not value:
        return None
    path = Path(value).expanduser()
    return path if path.is_absolute() else Path(config.invocation_params.dir) / path


def default_models_file(config: pytest.Config) -> Path:
    """The nearest emergent-models.yaml from the folder pytest was started in up to the rootdir,
    else the rootdir's (pytest may pick a rootdir above the project when an option's value is an
    absolute path: `--emergent-ledger /x`)."""
    start, root = Path(config.invocation_params.dir).resolve(), config.rootpath.resolve()
    if start == root or root in start.parents:
        for folder in (start, *start.parents):
            if (folder / MODELS_FILE).is_file() or folder == root:
                return folder / MODELS_FILE
    return root / MODELS_FILE if (root / MODELS_FILE).is_file() else start / MODELS_FILE


def _significance(config: pytest.Config) -> tuple[float, str]:
    """(alpha, correction) from the options or ini keys; a bad value stops the run at once."""
    text, correction = option(config, "emergent_alpha") or "0.05", option(config, "emergent_correction") or "holm"
    try:
        alpha = float(text)
    except ValueError:
        alpha = -1.0
    if not 0 < alpha < 1:
        raise pytest.UsageError(f"pytest-emergent: --emergent-alpha (ini emergent_alpha) must be a level between 0 "
                                f"and 1, got {text!r}")
    if correction not in CORRECTIONS:
        raise pytest.UsageError(f"pytest-emergent: --emergent-correction (ini emergent_correction) must be one of "
                                f"{', '.join(CORRECTIONS)}, got {correction!r}")
    return alpha, correction


def _outputs(config: pytest.Config) -> Outputs:
    cache_value = option(config, "emergent_cache") or os.environ.get("EMERGENT_CACHE") or ""
    if cache_value == "off":
        cache = None
    elif cache_value:
        cache = Path(cache_value).expanduser()
        cache = cache if cache.is_absolute() else Path(config.invocation_params.dir) / cache
    else:
        cache = default_cache_folder()
    no_ledger = bool(option(config, "emergent_no_ledger"))
    alpha, correction = _significance(config)
    return Outputs(
        json=_path(config, "emergent_json"),
        markdown=_path(config, "emergent_md"),
        html=_path(config, "emergent_html"),
        ledger=None if no_ledger else (_path(config, "emergent_ledger") or config.rootpath / LEDGER_FOLDER),
        baseline=option(config, "emergent_baseline") or "latest",
        alpha=alpha,
        correction=correction,
        cache=cache,
        record=_path(config, "emergent_record"),
    )


def _check_writable(config: pytest.Config, outputs: Outputs) -> None:
    """An output named by an option or ini key that cannot be written stops the run at once, one line.

    The default ledger folder is not checked here: a read-only checkout still runs, compares with
    what its ledger holds, and says at the end that the run was not recorded."""
    named = [("json", outputs.json, False), ("md", outputs.markdown, False), ("html", outputs.html, False),
             ("record", outputs.record, False)]
    if _path(config, "emergent_ledger") is not None:
        named.append(("ledger", outputs.ledger, True))
    for name, path, folder in named:
        why = None if path is None else unwritable(path, folder=folder)
        if why:
            raise pytest.UsageError(f"pytest-emergent: --emergent-{name} (ini emergent_{name}) {path}: cannot be "
                                    f"written: {why}; choose another path")


def _batch_size(value: Any) -> str | None:
    """`auto` or a whole number ≥ 1; anything else is an error that names the option."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    if text == "auto" or (text.isdigit() and int(text) >= 1):
        return text
    raise pytest.UsageError(f"pytest-emergent: --emergent-batch-size (ini emergent_batch_size): expected 'auto' or "
                            f"a whole number ≥ 1, got {text!r}")


def read_settings(config: pytest.Config) -> Settings:
    """The session's settings; a bad tier or batch size stops pytest at once with a usage error."""
    try:
        tiers = parse_tiers(config.getini("emergent_tiers"))
    except ScaleError as exc:
        raise pytest.UsageError(f"pytest-emergent: {exc}") from None
    batch_size = _batch_size(option(config, "emergent_batch_size"))
    selection = split_selection(config.getoption("emergent_model") or [])
    if not selection and os.environ.get("EMERGENT_MODELS"):
        selection = split_selection([os.environ["EMERGENT_MODELS"]])
    if not selection:
        selection = split_selection(config.getini("emergent_models"))
    known = builtin_models()
    models: list[ModelConfig] = []
    error = None
    try:
        given = option(config, "emergent_models_file")
        models_file = Path(given) if given else default_models_file(config)
        if given and not models_file.is_absolute():
            models_file = Path(config.invocation_params.dir) / models_file
        if given and not models_file.is_file():
            raise ModelConfigError(f"models file {models_file} does not exist")
        file_models = load_models_file(models_file) if models_file.is_file() else []
        known = {**known, **{m.name: m for m in file_models}}
        models = with_batch_size(select_models(selection, file_models, builtin_models(), DEFAULT_MODEL), batch_size)
    except (ModelConfigError, ValueError) as exc:
        error = str(exc)
    isolation = option(config, "emergent_isolation") or "best"
    if isolation not in ISOLATION_POLICIES:
        raise pytest.UsageError(f"pytest-emergent: emergent_isolation = {isolation}: expected one of "
                                f"{', '.join(ISOLATION_POLICIES)}")
    outputs = _outputs(config)
    if not getattr(config.option, "help", False):
        _check_writable(config, outputs)
    return Settings(tuple(models), known, tiers, bool(option(config, "emergent_strict")), outputs,
                    tuple(config.getini("emergent_specs") or SPEC_GLOBS), error, isolation,
                    bool(option(config, "emergent_specs_data_outside_rootdir")),
                    bool(option(config, "emergent_full_ids")))
