"""`emergent ci run`'s plan and verdict, without running pytest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_emergent.integrations.ci_run import CiRequest, messages, plan, verdict
from pytest_emergent.integrations.suite import SuiteError, SuiteOutcome, lines
from pytest_emergent.ledger.missing import Missing


def test_multiline_inputs_are_one_item_a_line_never_split_at_spaces():
    assert lines("-k\n  not instruct  \n\n-m\nslow or big\n") == ("-k", "not instruct", "-m", "slow or big")
    assert lines("") == lines(None) == ()


def test_the_default_paths_are_those_of_tests_and_capability_specs_that_exist(tmp_path: Path):
    (tmp_path / "capability_specs").mkdir()
    assert plan(CiRequest(checkpoint="org/m"), tmp_path).tests == ("capability_specs",)
    (tmp_path / "tests").mkdir()
    assert plan(CiRequest(checkpoint="org/m"), tmp_path).tests == ("tests", "capability_specs")
    assert plan(CiRequest(checkpoint="org/m", tests=("evals",)), tmp_path).tests == ("evals",)


def test_no_default_path_at_all_is_an_error_that_says_which_input_to_set(tmp_path: Path):
    with pytest.raises(SuiteError, match="none of the default test paths .tests, capability_specs. exists"):
        plan(CiRequest(checkpoint="org/m"), tmp_path)


def test_a_checkpoint_is_described_with_family_step_revision_and_params(tmp_path: Path):
    (tmp_path / "tests").mkdir()
    options = plan(CiRequest(checkpoint="org/my-model", revision="step-2000", step="2000", params="1.1B"), tmp_path)
    assert options.models == ("my-model@step-2000",)
    assert json.loads(options.models_file.read_text()) == [{
        "name": "my-model@step-2000", "backend": "hf", "path": "org/my-model", "family": "my-model",
        "revision": "step-2000", "step": 2000.0, "params": "1.1B"}]
    assert [a for a in options.argv() if a.startswith("--emergent-model=")] == ["--emergent-model=my-model@step-2000"]


def test_a_local_checkpoint_is_written_as_an_absolute_path(tmp_path: Path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "checkpoints" / "step-10").mkdir(parents=True)
    options = plan(CiRequest(checkpoint="checkpoints/step-10"), tmp_path)
    assert json.loads(options.models_file.read_text())[0]["path"] == str(tmp_path / "checkpoints" / "step-10")


def test_one_checkpoint_takes_one_name(tmp_path: Path):
    (tmp_path / "tests").mkdir()
    with pytest.raises(SuiteError, match="one checkpoint has one name"):
        plan(CiRequest(checkpoint="org/m", names=("a", "b")), tmp_path)


def test_a_models_file_that_does_not_exist_is_named(tmp_path: Path):
    (tmp_path / "tests").mkdir()
    with pytest.raises(SuiteError, match="models file models.yaml does not exist"):
        plan(CiRequest(models_file="models.yaml"), tmp_path)


def outcome(code: int, results: int, missing: int = 0) -> SuiteOutcome:
    gone = tuple(Missing(f"cap{i}", "fam", "m2", "run1", "m1") for i in range(missing))
    return SuiteOutcome(code, "run2" if results else None, results, 0, 0, gone)


@pytest.mark.parametrize(("result", "fail_on_missing", "status"), [
    (outcome(0, 3), False, 0), (outcome(1, 3), False, 1), (outcome(5, 0), False, 5), (outcome(0, 0), False, 5),
    (outcome(0, 3, missing=2), False, 0), (outcome(0, 3, missing=2), True, 1), (outcome(4, 0), True, 4),
])
def test_the_exit_status_fails_a_run_that_tested_nothing_and_when_asked_one_with_missing_capabilities(
        result: SuiteOutcome, fail_on_missing: bool, status: int):
    assert verdict(result, fail_on_missing) == status


def test_missing_capabilities_go_to_the_log_as_one_annotation_and_to_the_summary_as_a_table():
    log, summary = messages(outcome(0, 3, missing=2), fail_on_missing=False)
    assert log[0] == "::warning title=pytest-emergent::2 capabilities of the baseline checkpoint did not run"
    assert "| `cap0` | fam | m2 | m1 | run1 |" in summary and "| `cap1` | fam | m2 | m1 | run1 |" in summary


def test_capability_ids_cannot_break_the_summary_table_or_the_annotation():
    tricky = SuiteOutcome(0, "r", 1, 0, 0, (Missing("a|b`<script>", "f", "m", "r0", "m0"),
                                            Missing("c", "f", "<b>m_1|", "r0", "m0")))
    log, summary = messages(tricky, fail_on_missing=True)
    assert "| ``a\\|b`<script>`` | f | m | m0 | r0 |" in summary  # inside a code span < is text
    assert "| `c` | f | &lt;b>m\\_1\\| | m0 | r0 |" in summary
    nothing, _ = messages(outcome(5, 0), fail_on_missing=False)
    assert "\n" not in nothing[0] and nothing[0].startswith("::error title=pytest-emergent::no capability ran")
