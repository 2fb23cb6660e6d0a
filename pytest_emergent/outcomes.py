"""The status and change rules of docs/design.md (§3, §4), as pure functions."""

from __future__ import annotations

from enum import Enum


class Status(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    EXPECTED_FAIL = "expected-fail"
    EARLY_PASS = "early-pass"
    SKIP = "skip"
    ERROR = "error"

    def __str__(self) -> str:
        return self.value

    @property
    def passed(self) -> bool:
        return self in (Status.PASS, Status.EARLY_PASS)

    @property
    def failed(self) -> bool:
        return self in (Status.FAIL, Status.EXPECTED_FAIL)


class Change(str, Enum):
    LIT_UP = "lit-up"
    REGRESSED = "regressed"
    UNCHANGED = "unchanged"
    NEW = "new"

    def __str__(self) -> str:
        return self.value


# Display order in reports: most newsworthy first.
STATUS_ORDER = (
    Status.EARLY_PASS,
    Status.FAIL,
    Status.ERROR,
    Status.PASS,
    Status.EXPECTED_FAIL,
    Status.SKIP,
)


def decide_status(meets_scale: bool, passed: bool) -> Status:
    """Status of a finished test from whether the model meets the declared scale."""
    if meets_scale:
        return Status.PASS if passed else Status.FAIL
    return Status.EARLY_PASS if passed else Status.EXPECTED_FAIL


def decide_change(current: Status, baseline: Status | None) -> Change:
    """Change of a result against its baseline record (None: no baseline)."""
    if baseline is None:
        return Change.NEW
    if current.passed and baseline.failed:
        return Change.LIT_UP
    if current.failed and baseline.passed:
        return Change.REGRESSED
    return Change.UNCHANGED
