"""A checkpoint is never its own baseline; a changed definition is never a change of the model."""

from __future__ import annotations

from pathlib import Path

from ledger.scenario import header
from ledger.simulation import AFTER, BEFORE, graded_run

from pytest_emergent.ledger import Ledger, assign_changes, record_run, regressions

GOOD = [True] * 27 + [False] * 3  # 0.9 of 30 cases
BAD = [True] * 9 + [False] * 21  # 0.3 of the same cases


def test_github_rerun_jobs_a_regression_on_attempt_1_is_still_reported_on_attempt_2(tmp_path: Path):
    base = record_run(graded_run(BEFORE, {"qa": GOOD}), tmp_path).document
    attempts = [record_run(graded_run(AFTER, {"qa": BAD}, minutes=m), tmp_path).document for m in (10, 20)]
    for attempt in attempts:  # each would exit 1: the session fails the run on `regressions`
        (result,) = regressions(attempt)
        assert result["change"] == "regressed" and result["baseline"]["run_id"] == base["run_id"]
        assert result["nondeterministic"] is False
        assert result["significance"]["test"] == "mcnemar-exact"  # paired with the cases stored on disk


def test_a_rerun_whose_outcome_differs_keeps_the_first_runs_baseline_and_is_flagged(tmp_path: Path):
    base = record_run(graded_run(BEFORE, {"qa": GOOD}), tmp_path).document
    first = record_run(graded_run(AFTER, {"qa": GOOD}, minutes=10), tmp_path).document
    again = record_run(graded_run(AFTER, {"qa": BAD}, minutes=20), tmp_path).document
    assert first["results"][0]["change"] == "unchanged"
    (result,) = again["results"]
    assert result["baseline"]["run_id"] == base["run_id"] and result["change"] == "regressed"
    assert result["nondeterministic"] is True and result["first_run"]["run_id"] == first["run_id"]
    assert f"nondeterministic: the first run of this checkpoint (run {first['run_id']}) had pass" in result["change_note"]


def test_a_rerun_of_the_first_checkpoint_ever_has_no_baseline(tmp_path: Path):
    record_run(graded_run(BEFORE, {"qa": GOOD}), tmp_path)
    (result,) = record_run(graded_run(BEFORE, {"qa": BAD}, minutes=5), tmp_path).document["results"]
    assert (result["change"], result["baseline"], result["nondeterministic"]) == ("new", None, True)


def test_raising_the_threshold_with_the_same_model_and_score_is_not_a_regression(tmp_path: Path):
    # 0.75 passes at 0.5 and fails at 0.8: the suite changed, not the model.
    cases = [True] * 15 + [False] * 5
    record_run(graded_run(BEFORE, {"qa": cases}, threshold=0.5), tmp_path)
    (result,) = record_run(graded_run(BEFORE, {"qa": cases}, threshold=0.8, minutes=5), tmp_path).document["results"]
    assert result["status"] == "fail" and result["change"] == "new"
    assert result["nondeterministic"] is False  # a changed definition is not nondeterminism


def test_a_changed_threshold_against_an_earlier_checkpoint_is_redefined(tmp_path: Path):
    cases = [True] * 15 + [False] * 5
    record_run(graded_run(BEFORE, {"qa": cases}, threshold=0.5), tmp_path)
    (result,) = record_run(graded_run(AFTER, {"qa": cases}, threshold=0.8, minutes=5), tmp_path).document["results"]
    assert result["change"] == "redefined" and "its threshold changed (0.5 → 0.8)" in result["change_note"]
    assert result["significance"] is None


def test_a_changed_fingerprint_is_redefined_even_after_a_large_drop():
    before = assign_changes(graded_run(BEFORE, {"qa": GOOD}, fingerprint="def-1"), [])
    after = graded_run(AFTER, {"qa": BAD}, minutes=1, fingerprint="def-2")
    (result,) = assign_changes(after, [before])["results"]
    assert result["change"] == "redefined" and "definition changed (fingerprint def-1 → def-2)" in result["change_note"]
    assert regressions(after) == []


def test_a_baseline_recorded_without_a_fingerprint_compares_as_before():
    before = assign_changes(graded_run(BEFORE, {"qa": GOOD}), [])
    (result,) = assign_changes(graded_run(AFTER, {"qa": BAD}, minutes=1, fingerprint="def-2"), [before])["results"]
    assert result["change"] == "regressed"


def test_the_same_weights_under_another_name_are_a_rerun_and_other_weights_under_one_name_are_not():
    renamed = header("sim-copy", "sim", 1e9, 1000)
    before = assign_changes(graded_run(BEFORE, {"qa": GOOD}, weights={BEFORE.name: "w1"}), [])
    copy = graded_run(renamed, {"qa": BAD}, minutes=1, weights={"sim-copy": "w1"})
    assert assign_changes(copy, [before])["results"][0]["change"] == "new"
    retrained = graded_run(BEFORE, {"qa": BAD}, minutes=2, weights={BEFORE.name: "w2"})
    assert assign_changes(retrained, [before])["results"][0]["change"] == "regressed"


def test_the_stored_records_keep_the_nondeterminism_flag(tmp_path: Path):
    record_run(graded_run(BEFORE, {"qa": GOOD}), tmp_path)
    record_run(graded_run(BEFORE, {"qa": BAD}, minutes=5), tmp_path)
    assert [r["results"][0]["nondeterministic"] for r in Ledger(tmp_path).runs()] == [False, True]
