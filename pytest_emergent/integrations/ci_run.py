"""`emergent ci run`: the capability suite on one checkpoint, as the workflow and the action run it.

It exists so that a CI run cannot pass by testing nothing. The default paths collect both
Python capabilities and YAML specs; a run in which no capability ran fails; capabilities the
baseline checkpoint ran and this run lacks are listed in the job summary (and fail the run
with `--fail-on-missing`). Extra pytest arguments arrive one a line, never split by a shell.
Outputs for later steps go to `$GITHUB_OUTPUT`, the summary to `$GITHUB_STEP_SUMMARY`.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .suite import (
    MODELS_FILE,
    NO_TESTS_COLLECTED,
    CheckpointModel,
    SuiteError,
    SuiteOptions,
    SuiteOutcome,
    read_outcome,
    resolve_tests,
    write_models_file,
)

_SHOWN = 50  # missing capabilities listed one by one; the rest are counted


@dataclass(frozen=True)
class CiRequest:
    """The inputs of the action (and the workflow), as text."""

    checkpoint: str = ""
    revision: str = ""
    step: str = ""
    family: str = ""
    names: tuple[str, ...] = ()
    params: str = ""
    models_file: str = ""
    tests: tuple[str, ...] = ()
    pytest_args: tuple[str, ...] = ()
    baseline: str = ""
    fail_on_missing: bool = False
    ledger: str = ".emergent"
    reports: str = "reports"


def plan(request: CiRequest, cwd: Path) -> SuiteOptions:
    """The pytest run a request asks for; a contradiction is an error naming the inputs."""
    reports = cwd / request.reports
    if request.checkpoint.strip():
        if request.models_file.strip():
            raise SuiteError("give either 'checkpoint' (described for you) or 'models-file' with 'name', not both")
        if len(request.names) > 1:
            raise SuiteError("one checkpoint has one name; several names select models of a models file")
        model = CheckpointModel(request.checkpoint, request.revision, request.step, request.family,
                                "".join(request.names), request.params)
        models_file: Path | None = reports / MODELS_FILE
        names = (write_models_file(models_file, model, cwd),)
    else:
        given = [k for k in ("revision", "step", "family", "params") if getattr(request, k).strip()
                 and not (k == "revision" and request.revision.strip() == "main")]
        if given:
            raise SuiteError(f"{', '.join(given)} describe a checkpoint and need the 'checkpoint' input; "
                             "a model of a models file has its own")
        models_file = cwd / request.models_file if request.models_file.strip() else None
        if models_file is not None and not models_file.is_file():
            raise SuiteError(f"models file {request.models_file} does not exist")
        names = request.names  # none: the models file's models, else the default model
    return SuiteOptions(tests=resolve_tests(request.tests, cwd), reports=reports, models_file=models_file,
                        models=names, ledger=cwd / request.ledger if request.ledger.strip() else None,
                        baseline=request.baseline.strip() or None, extra=request.pytest_args)


def verdict(outcome: SuiteOutcome, fail_on_missing: bool) -> int:
    """The exit status: pytest's, made a failure when no capability ran or (when asked) when
    capabilities went missing."""
    code = outcome.exit_code
    if outcome.collected_nothing and code == 0:
        return NO_TESTS_COLLECTED
    if outcome.missing and fail_on_missing and code == 0:
        return 1
    return code


def _command(text: str) -> str:
    """A value escaped for a GitHub workflow command."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _cell(text: str) -> str:
    """Plain text in a Markdown table cell: no row break, no HTML, no emphasis."""
    text = text.replace("\n", " ").replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")
    return re.sub(r"([*_\[\]`])", r"\\\1", text)


def _code(text: str) -> str:
    """Text as a code span in a table cell: a fence longer than any backtick run inside it (a
    backslash does not escape in a code span; GitHub's tables still need `\\|`)."""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    body = text.replace("\n", " ").replace("|", "\\|")
    pad = " " if body.startswith("`") or body.endswith("`") else ""
    return f"{fence}{pad}{body}{pad}{fence}"


def messages(outcome: SuiteOutcome, fail_on_missing: bool) -> tuple[list[str], list[str]]:
    """(log lines, with GitHub annotations; Markdown lines for the job summary)."""
    log: list[str] = []
    summary: list[str] = []
    if outcome.collected_nothing:
        text = ("no capability ran: pytest collected no test that takes the `model` fixture and no YAML spec "
                f"(pytest exit status {outcome.exit_code}); check the 'tests' input and -k/-m arguments")
        log.append(f"::error title=pytest-emergent::{_command(text)}")
        summary += ["### pytest-emergent: no capability ran", "", text, ""]
    if outcome.missing:
        level = "error" if fail_on_missing else "warning"
        count = len(outcome.missing)
        head = f"{count} capabilit{'y' if count == 1 else 'ies'} of the baseline checkpoint did not run"
        log.append(f"::{level} title=pytest-emergent::{_command(head)}")
        summary += [f"### Missing against the baseline: {count}", "",
                    head + (" (this fails the run: fail-on-missing)" if fail_on_missing else "") + ".", "",
                    "| capability | family | model | baseline model | baseline run |", "|---|---|---|---|---|"]
        for m in outcome.missing[:_SHOWN]:
            log.append(f"  missing: {m.capability} [{m.family}] (ran on {m.baseline_model} in {m.baseline_run})")
            summary.append(f"| {_code(m.capability)} | {_cell(m.family)} | {_cell(m.model)} | "
                           f"{_cell(m.baseline_model)} | {_cell(m.baseline_run)} |")
        if count > _SHOWN:
            summary.append(f"| … and {count - _SHOWN} more | | | | |")
        summary.append("")
    return log, summary


def _append(path: str | None, lines: list[str]) -> None:
    if path and lines:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")


def outputs(outcome: SuiteOutcome, status: int) -> list[str]:
    return [f"exit-code={status}", f"run-id={outcome.run_id or ''}", f"results={outcome.results}",
            f"lit-up={outcome.lit_up}", f"regressed={outcome.regressed}", f"missing={len(outcome.missing)}"]


def run(request: CiRequest, environ: Mapping[str, str], cwd: Path | None = None) -> int:
    """Run the suite, write the outputs and the summary, and return the exit status."""
    cwd = cwd or Path.cwd()
    options = plan(request, cwd)
    options.prepare()
    command = [sys.executable, "-m", "pytest", *options.argv()]
    print(f"emergent ci: {shlex.join(command)}", flush=True)
    code = subprocess.run(command, cwd=cwd).returncode
    outcome = read_outcome(code, options)
    status = verdict(outcome, request.fail_on_missing)
    log, summary = messages(outcome, request.fail_on_missing)
    for line in log:
        print(line)
    print(f"emergent ci: {outcome.results} results, {outcome.lit_up} lit up, {outcome.regressed} regressed, "
          f"{len(outcome.missing)} missing; exit status {status}")
    _append(environ.get("GITHUB_STEP_SUMMARY"), summary)
    _append(environ.get("GITHUB_OUTPUT"), outputs(outcome, status))
    return status
