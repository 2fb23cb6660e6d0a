"""Run the capability suite on one checkpoint and read back what it found.

Shared by the CI runner (`emergent ci run`, used by the workflow and the action) and the
Trainer callback: both describe a checkpoint as a one-model models file, build the same
pytest command line, and read the same outcome from the JSON report and the ledger.
A spec string (`hf:org/model@rev`) could not carry the family and the step, and without them
the ledger could not tell that two checkpoints belong together, or which comes first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..ledger import Ledger, LedgerError
from ..ledger.missing import Missing, missing_capabilities

DEFAULT_TESTS = ("tests", "capability_specs")
MODELS_FILE = "emergent-ci-models.yaml"
NO_TESTS_COLLECTED = 5  # pytest.ExitCode.NO_TESTS_COLLECTED, without importing pytest


class SuiteError(Exception):
    """A suite that cannot be run as asked; the message names the input."""


def lines(text: str | None) -> tuple[str, ...]:
    """A multiline input as a list: one item a line, surrounding blanks and empty lines dropped.

    Nothing is split at spaces or unquoted: `-k` on one line and `not instruct` on the next
    are the two arguments `-k`, `not instruct`."""
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


@dataclass(frozen=True)
class CheckpointModel:
    """A checkpoint to test: where it is, and what places it in its family's history."""

    checkpoint: str
    revision: str = ""
    step: str = ""
    family: str = ""
    name: str = ""
    params: str = ""

    def entry(self, base: Path | None = None) -> dict[str, Any]:
        """The models-file entry; a checkpoint that is a local path is made absolute against `base`."""
        location = self.checkpoint.strip().rstrip("/")
        if not location:
            raise SuiteError("no checkpoint given: set the 'checkpoint' input (or client_payload.checkpoint)")
        local = (base or Path.cwd()) / location
        stem = location.rsplit("/", 1)[-1]
        revision = self.revision.strip()
        entry: dict[str, Any] = {
            "name": self.name.strip() or stem + (f"@{revision}" if revision and revision != "main" else ""),
            "backend": "hf",
            "path": str(local.resolve()) if local.exists() else location,
            "family": self.family.strip() or stem,
        }
        if revision:
            entry["revision"] = revision
        for key in ("step", "params"):
            value = getattr(self, key).strip()
            if value:
                entry[key] = _number(value, key) if key == "step" else value
        return entry


def _number(text: str, what: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise SuiteError(f"{what} {text!r} is not a number") from None


def write_models_file(path: Path, model: CheckpointModel, base: Path | None = None) -> str:
    """Write a one-model models file (JSON is YAML); returns the model's name. A checkpoint that
    is a path relative to `base` (default: the current folder) is written as an absolute path."""
    entry = model.entry(base)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([entry], indent=2) + "\n", encoding="utf-8")
    return str(entry["name"])


def resolve_tests(given: tuple[str, ...], cwd: Path) -> tuple[str, ...]:
    """The given paths, or those of the defaults (`tests`, `capability_specs`) that exist: the
    default collects both Python capabilities and YAML specs."""
    if given:
        return given
    found = tuple(p for p in DEFAULT_TESTS if (cwd / p).exists())
    if not found:
        raise SuiteError(f"none of the default test paths ({', '.join(DEFAULT_TESTS)}) exists in {cwd}; "
                         "set the 'tests' input to where your capabilities are")
    return found


@dataclass(frozen=True)
class SuiteOptions:
    """Everything that goes on the pytest command line."""

    tests: tuple[str, ...]
    reports: Path
    models_file: Path | None = None
    models: tuple[str, ...] = ()
    ledger: Path | None = None
    baseline: str | None = None
    extra: tuple[str, ...] = ()

    @property
    def json_report(self) -> Path:
        return self.reports / "emergent.json"

    def prepare(self) -> None:
        """Make the reports folder and remove an earlier JSON report, which would otherwise
        stand in for a run that wrote none."""
        self.reports.mkdir(parents=True, exist_ok=True)
        self.json_report.unlink(missing_ok=True)

    def argv(self) -> list[str]:
        # The = form throughout: pytest would take a separate value for a test path when it
        # chooses its rootdir.
        args = [*self.tests, "-p", "no:cacheprovider", "-rxX",
                f"--emergent-json={self.json_report}", f"--emergent-md={self.reports / 'emergent.md'}",
                f"--emergent-html={self.reports / 'emergent.html'}", f"--junitxml={self.reports / 'junit.xml'}"]
        if self.models_file:
            args.append(f"--emergent-models-file={self.models_file}")
        args += [f"--emergent-model={name}" for name in self.models]
        args.append(f"--emergent-ledger={self.ledger}" if self.ledger else "--emergent-no-ledger")
        if self.baseline:
            args.append(f"--emergent-baseline={self.baseline}")
        return [*args, *self.extra]


@dataclass(frozen=True)
class SuiteOutcome:
    """What one run of the suite found, derived from its JSON report and the ledger."""

    exit_code: int
    run_id: str | None
    results: int
    lit_up: int
    regressed: int
    missing: tuple[Missing, ...]

    @property
    def collected_nothing(self) -> bool:
        return self.results == 0


def read_outcome(exit_code: int, options: SuiteOptions) -> SuiteOutcome:
    """The outcome of a finished run. No JSON report means no capability ran (the plugin
    writes one whenever a capability has a result)."""
    try:
        document = json.loads(options.json_report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return SuiteOutcome(exit_code, None, 0, 0, 0, ())
    results = document.get("results", [])
    changes = [r.get("change") for r in results]
    missing: list[Missing] = []
    if options.ledger is not None:
        try:
            missing = missing_capabilities(document, Ledger(options.ledger).runs(), options.baseline or "latest")
        except LedgerError:
            missing = []  # a pinned baseline the ledger lacks stopped pytest before anything ran
    return SuiteOutcome(exit_code, document.get("run_id"), len(results), changes.count("lit-up"),
                        changes.count("regressed"), tuple(missing))
