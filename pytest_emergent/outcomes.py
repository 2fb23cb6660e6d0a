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
    LIT_UP = "lit-up"  # passes now, failed in the baseline, and the rise is significant
    REGRESSED = "regressed"  # fails now, passed in the baseline, and the drop is significant
    WITHIN_NOISE = "within-noise"  # the status flipped, but the change is not significant
    DROPPED = "dropped"  # passes in both, with a significant drop in between
    REDEFINED = "redefined"  # the capability's definition changed since the baseline
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


def decide_change(current: Status, baseline: Status | None, *, significant_drop: bool | None = None,
                  significant_rise: bool | None = None, redefined: bool = False) -> Change:
    """Change of a result against its baseline record (None: no baseline).

    A status flip counts only when the change behind it is significant: `significant_drop`
    and `significant_rise` carry the verdict of the ledger's test (None: not tested, the flip
    alone decides). A baseline that measured something else (`redefined`) is no comparison.
    """
    if baseline is None:
        return Change.NEW
    if redefined:
        return Change.REDEFINED
    if current.passed and baseline.failed:
        return Change.WITHIN_NOISE if significant_rise is False else Change.LIT_UP
    if current.failed and baseline.passed:
        return Change.WITHIN_NOISE if significant_drop is False else Change.REGRESSED
    if current.passed and baseline.passed and significant_drop:
        return Change.DROPPED
    return Change.UNCHANGED
