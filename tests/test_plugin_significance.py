"""`--emergent-alpha` and `--emergent-correction` (and their ini keys) reach the ledger's verdicts."""

from __future__ import annotations

import json

import pytest

TEST = """
import pathlib, pytest

@pytest.mark.requires_scale("1B")
def test_cap(model):
    assert pathlib.Path({flag!r}).exists()
"""


def two_runs(pytester, models_file, *second_args: str):
    """An early pass, then (pinned to it) an expected failure: one observation each."""
    models_file(("tiny", "135M", []))
    flag = pytester.path / "passes"
    pytester.makepyfile(test_x=TEST.format(flag=str(flag)))
    flag.touch()
    pytester.runpytest("--emergent-ledger=led")
    flag.unlink()
    (first,) = [p.stem for p in (pytester.path / "led").glob("*.json")]
    result = pytester.runpytest("--emergent-ledger=led", f"--emergent-baseline={first}", "--emergent-json=run.json",
                                *second_args)
    (entry,) = json.loads((pytester.path / "run.json").read_text())["results"]
    return result, entry


def test_by_default_a_single_observation_flip_is_within_noise_and_the_run_passes(pytester, models_file):
    result, entry = two_runs(pytester, models_file)
    assert result.ret == pytest.ExitCode.OK
    assert entry["change"] == "within-noise" and "one observation per run" in entry["change_note"]


def test_a_level_that_one_observation_can_reach_turns_the_flip_into_a_regression(pytester, models_file):
    result, entry = two_runs(pytester, models_file, "--emergent-alpha=0.6", "--emergent-correction=none")
    assert entry["change"] == "regressed" and entry["significance"]["alpha"] == 0.6
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_the_ini_keys_set_the_same(pytester, models_file):
    pytester.makeini("[pytest]\nemergent_alpha = 0.6\nemergent_correction = bh\n")
    _, entry = two_runs(pytester, models_file)
    assert entry["change"] == "regressed" and entry["significance"]["correction"] == "bh"


@pytest.mark.parametrize(("args", "message"), [
    (["--emergent-alpha=1.5"], "--emergent-alpha (ini emergent_alpha) must be a level between 0 and 1, got '1.5'"),
    (["--emergent-alpha=often"], "got 'often'"),
])
def test_a_bad_level_stops_the_run_naming_the_option(pytester, args, message):
    pytester.makepyfile(test_x="def test_a():\n    pass\n")
    result = pytester.runpytest(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in result.stderr.str()


def test_a_bad_correction_in_the_ini_file_stops_the_run(pytester):
    pytester.makeini("[pytest]\nemergent_correction = bonferroni\n")
    pytester.makepyfile(test_x="def test_a():\n    pass\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "must be one of holm, bh, none, got 'bonferroni'" in result.stderr.str()
