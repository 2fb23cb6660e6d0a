"""The end of a session: the run recorded and compared once, the forecast made once, every output written.

Each output (ledger record, JSON, Markdown, HTML, job summary, JUnit properties) is written on
its own: one that cannot be written is one clear line, and the others still appear.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .ledger import CaseLoader, LedgerError, flipped_cases, record_run, regressions
from .ledger.show import flip_lines
from .report.forecast_once import OnceForecast
from .report.github import annotations, in_github_actions
from .report.terminal import write_section
from .results import build_document, write_json
from .version import __version__

if TYPE_CHECKING:
    from .state import EmergentState


def _git_commit(root: Path) -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def run_header(state: EmergentState) -> dict[str, Any]:
    header = {
        "plugin_version": __version__,
        "pytest_version": pytest.__version__,
        "python_version": sys.version.split()[0],
        "started": state.started.isoformat(timespec="seconds"),
        "finished": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "git_commit": _git_commit(state.config.rootpath),
        "strict": state.strict,
    }
    isolation = sorted({str(r.metrics["isolation"]) for r in state.results.values() if "isolation" in r.metrics})
    if isolation:  # the sandbox modes the run's code checks ran under (from the results: xdist workers too)
        header["code_isolation"] = ", ".join(isolation)
    return header


def _write(state: EmergentState, what: str, path: Any, action: Callable[[], Any]) -> None:
    """One output: a failure to write it is one line naming it, never the end of the others."""
    try:
        action()
    except OSError as exc:
        state.say(f"{what} {path}: cannot be written ({exc.strerror or exc}); the other outputs are written")


def finish_run(state: EmergentState, session: pytest.Session, exitstatus: int) -> None:
    """Record the run in the ledger, compare it with its baselines, and write every output."""
    from .report.html import write_html
    from .report.markdown import append_step_summary, write_markdown

    out = state.settings.outputs
    document = build_document(run_header(state), state.all_headers(), list(state.results.values()))
    # A run stopped with Ctrl-C is partial by accident: it is reported, not kept as a checkpoint.
    interrupted = exitstatus == pytest.ExitCode.INTERRUPTED
    if interrupted and out.ledger is not None:
        state.say(f"run interrupted after {len(state.results)} results: not recorded in the ledger {out.ledger}")
    try:
        recorded = record_run(document, out.ledger, baseline=out.baseline, store=not interrupted, alpha=out.alpha,
                              correction=out.correction)
    except (LedgerError, OSError) as exc:
        why = f"cannot be written ({exc.strerror or exc})" if isinstance(exc, OSError) else str(exc)
        state.say(f"ledger {out.ledger}: {why}; the run is not recorded, the other outputs are written")
        recorded = record_run(document, None, baseline="latest" if out.baseline != "none" else "none",
                              alpha=out.alpha, correction=out.correction)
    state.document = document = recorded.document
    forecast = OnceForecast(recorded.runs)
    if out.json:
        _write(state, "JSON report", out.json, lambda: write_json(out.json, document))
    if out.markdown:
        _write(state, "Markdown report", out.markdown,
               lambda: write_markdown(out.markdown, document, recorded.runs, forecast))
    if out.html:
        _write(state, "HTML report", out.html,
               lambda: write_html(out.html, recorded.runs, document, forecast, CaseLoader(out.ledger)))
    _write(state, "job summary", "$GITHUB_STEP_SUMMARY",
           lambda: append_step_summary(document, history=recorded.runs, forecast=forecast))
    state.regressed = regressions(document)
    state.flips = regressed_flips(state.regressed, document, recorded.runs, CaseLoader(out.ledger))
    if state.regressed and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


SHOWN_FLIPS = 3  # the cases under each regressed result in the terminal; `emergent diff --cases` has all


def regressed_flips(regressed: list[dict[str, Any]], document: dict[str, Any], runs: list[dict[str, Any]],
                    cases: CaseLoader) -> dict[tuple[str, str], list[str]]:
    """Under each regressed result, the first cases that passed in its baseline and fail now."""
    out: dict[tuple[str, str], list[str]] = {}
    for result in regressed:
        base = result.get("baseline") or {}
        run = document if base.get("run_id") == document.get("run_id") else next(
            (r for r in runs if r.get("run_id") == base.get("run_id")), {"run_id": base.get("run_id")})
        before = next((r for r in run.get("results", []) if r.get("capability") == result["capability"]
                       and r.get("model") == base.get("model")), {"capability": result["capability"], "model": base.get("model")})
        lost = [f for f in flipped_cases(cases(run, before), cases(document, result)) if f.lost]
        lines = flip_lines(lost[:SHOWN_FLIPS])
        if len(lost) > SHOWN_FLIPS:
            lines.append(f"      … {len(lost) - SHOWN_FLIPS} more cases flipped pass → fail "
                         f"(emergent diff {base.get('run_id')} {document.get('run_id')} --cases)")
        out[(result["capability"], result["model"])] = lines or ["      (no flipped cases recorded)"]
    return out


def write_terminal(state: EmergentState, terminalreporter: Any) -> None:
    """The matrix of capabilities × models, what regressed and lit up, and the GitHub annotations."""
    changes = {}
    if state.document is not None:
        changes = {(r["capability"], r["model"]): r.get("change") for r in state.document["results"]}
    write_section(terminalreporter, state.all_headers(), list(state.results.values()), state.load_errors(), changes,
                  state.regressed, full_ids=state.settings.full_ids, flips=state.flips)
    if state.document is not None and in_github_actions():
        for line in annotations(state.document):
            terminalreporter.write_line(line)


def finish_junit(state: EmergentState) -> None:
    """The JUnit XML gets every result's emergent_* properties as compared, once pytest has written it."""
    path = state.junit_path()
    if path is None or state.document is None or state.is_worker:
        return
    from .junit import complete_junit

    try:
        complete_junit(path, state.document, getattr(state.config.option, "junitprefix", None))
    except OSError as exc:
        state.say(f"JUnit XML {path}: cannot be completed ({exc.strerror or exc})")
