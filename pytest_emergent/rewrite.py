"""A capability item's report: its status (the rules of docs/design.md), what pytest shows, its Result.

Like pytest's own xfail: the status comes from the test's outcome and the assessment of the
model against the declared scale; below that scale a failure is shown as xfailed and a pass as
xpassed (a failure under `--emergent-strict`). A request the model could not answer makes the
item an error, never a failure: it says nothing about the capability.
"""

from __future__ import annotations

import pytest

from .backends import BackendError
from .capabilities.fingerprint import result_fingerprint
from .capabilities.requirements import Assessment, Capability
from .capabilities.scoresheet import Scoresheet
from .checks.python_check import GradingError
from .outcomes import Status, decide_status
from .results import Result


def status_of(report: pytest.TestReport, call: pytest.CallInfo, assessment: Assessment | None) -> Status | None:
    """The item's status from one phase's report; None for a phase that decides nothing."""
    if call.excinfo is not None and call.excinfo.errisinstance((BackendError, GradingError)):
        return Status.ERROR  # the model could not answer, or its grader failed: not evidence about the capability
    if report.when == "setup":
        return Status.ERROR if report.failed else Status.SKIP if report.skipped else None
    if report.when == "teardown":
        return Status.ERROR if report.failed else None
    if hasattr(report, "wasxfail"):  # the user's own pytest.mark.xfail
        return Status.EXPECTED_FAIL if report.skipped else Status.EARLY_PASS
    if report.skipped:
        return Status.SKIP
    return decide_status(assessment.meets if assessment else True, report.passed)


def rewrite_outcome(report: pytest.TestReport, status: Status, assessment: Assessment | None, strict: bool,
                    nodeid: str) -> None:
    """Show a result below the declared scale as pytest shows xfail: xfailed, xpassed, or (strict) failed."""
    if assessment is None or assessment.meets:
        return
    if status is Status.EXPECTED_FAIL:
        report.outcome = "skipped"
        report.wasxfail = assessment.reason
    elif status is Status.EARLY_PASS:
        if strict:
            report.outcome = "failed"
            report.longrepr = f"[early pass, strict] {nodeid}: passes below its declared scale ({assessment.reason})"
        else:
            report.wasxfail = assessment.reason


def build_result(capability: Capability, nodeid: str, model: str, status: Status, sheet: Scoresheet | None,
                 reason: str, duration: float) -> Result:
    """The Result of one finished item, from what it declared and what it recorded."""
    sheet = sheet or Scoresheet()
    cases = sheet.evidence()
    verdicts = [c for c in cases if c.passed is not None]
    n = sheet.n if sheet.n is not None else (len(verdicts) or None)
    return Result(
        capability=capability.id, nodeid=nodeid, model=model, status=status, score=sheet.score,
        threshold=sheet.threshold, metrics=dict(sheet.metrics), declared=capability.requirement.declared(),
        reason=reason, duration=round(duration, 4), n=n,
        fingerprint=result_fingerprint(capability.fingerprint, [c.id for c in verdicts], sheet.threshold),
        cases=cases, chance=sheet.chance, tau=sheet.tau, levels=sheet.levels,
    )
