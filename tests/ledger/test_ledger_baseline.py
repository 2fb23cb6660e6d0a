"""Baselines and changes: the nearest decided checkpoint below, within the family."""

from __future__ import annotations

import pytest
from ledger.scenario import CASES, CHECKPOINTS, DECLARED, EXPECTED, STEPS, changes, checkpoint_runs, header, make_run

from pytest_emergent.ledger import LedgerError, assign_changes


def assigned_in_order(runs):
    done = []
    for run in runs:
        assign_changes(run, done)
        done.append(run)
    return done


def test_three_checkpoints_in_three_runs_light_up_regress_and_stay():
    runs = assigned_in_order(checkpoint_runs())
    assert [changes(r) for r in runs] == EXPECTED


def test_the_baseline_names_the_run_the_model_and_the_status():
    runs = assigned_in_order(checkpoint_runs())
    recall = next(r for r in runs[2]["results"] if r["capability"] == "qa/recall")
    assert recall["baseline"] == {"run_id": runs[1]["run_id"], "model": "tiny-step2000", "status": "pass", "score": 0.9,
                                  "n": 40, "interval": pytest.approx([0.769, 0.960], abs=1e-3)}
    assert all(r["baseline"] is None for r in runs[0]["results"])


def test_three_checkpoints_in_one_run_compare_with_the_lower_checkpoints_of_that_run():
    outcomes = {(cap, cp.name): out for cp, step in zip(CHECKPOINTS, STEPS) for cap, out in step.items()}
    run = assign_changes(make_run(CHECKPOINTS, outcomes, declared=DECLARED, n=CASES), [])
    got = {(r["capability"], r["model"]): r["change"] for r in run["results"]}
    want = {(cap, cp.name): change for cp, expected in zip(CHECKPOINTS, EXPECTED) for cap, change in expected.items()}
    assert got == want
    assert next(r for r in run["results"] if r["model"] == "tiny-step2000" and r["capability"] == "arith/add")[
        "baseline"]["run_id"] == run["run_id"]


def test_checkpoints_evaluated_out_of_order_still_compare_by_step():
    first, second, third = checkpoint_runs()
    runs = assigned_in_order([third, first, second])  # step 3000 was evaluated first
    assert changes(runs[0])["qa/recall"] == "new"
    assert changes(runs[2]) == EXPECTED[1]  # step 2000 compares with step 1000, not with step 3000


def test_a_rerun_of_a_checkpoint_is_not_its_own_baseline():
    cp = CHECKPOINTS[0]
    before = make_run([cp], {("qa/recall", cp.name): ("pass", 0.9)}, minutes=0, n=CASES)
    after = make_run([cp], {("qa/recall", cp.name): ("fail", 0.2)}, minutes=5, n=CASES)
    assign_changes(before, [])
    assign_changes(after, [before])
    (result,) = after["results"]
    assert result["change"] == "new" and result["baseline"] is None
    assert result["nondeterministic"] is True and result["first_run"]["run_id"] == before["run_id"]
    assert f"the first run of this checkpoint (run {before['run_id']}) had pass" in result["change_note"]


def test_other_families_are_never_a_baseline():
    other = header("other-1b", "other", 1e9)
    before = make_run([other], {("qa/recall", "other-1b"): ("pass", None)})
    now = make_run([CHECKPOINTS[0]], {("qa/recall", "tiny-step1000"): ("fail", None)}, minutes=1)
    assert changes(assign_changes(now, [before])) == {"qa/recall": "new"}


def test_a_model_without_family_is_its_own_family():
    lone = header("lone", None)
    before = make_run([lone], {("qa/recall", "lone"): ("fail", 0.1)}, n=CASES, weights={"lone": "w1"})
    now = make_run([lone], {("qa/recall", "lone"): ("pass", 0.9)}, minutes=1, n=CASES, weights={"lone": "w2"})
    assert changes(assign_changes(now, [before])) == {"qa/recall": "lit-up"}


def test_skipped_and_errored_results_are_looked_past():
    cp = CHECKPOINTS
    runs = [make_run([cp[0]], {("qa/recall", cp[0].name): ("pass", 0.9)}, n=CASES),
            make_run([cp[1]], {("qa/recall", cp[1].name): ("error", None)}, minutes=1),
            make_run([cp[2]], {("qa/recall", cp[2].name): ("fail", 0.3)}, minutes=2, n=CASES)]
    assigned_in_order(runs)
    assert changes(runs[1]) == {"qa/recall": "unchanged"}
    assert changes(runs[2]) == {"qa/recall": "regressed"}
    assert runs[2]["results"][0]["baseline"]["model"] == cp[0].name


def test_sizes_without_steps_are_ordered_by_params():
    small, big = header("f-125m", "f", 125e6), header("f-1b", "f", 1e9)
    run = make_run([big, small], {("c", "f-125m"): ("fail", 0.1), ("c", "f-1b"): ("pass", 0.9)}, n=CASES)
    got = {r["model"]: r["change"] for r in assign_changes(run, [])["results"]}
    assert got == {"f-125m": "new", "f-1b": "lit-up"}


def test_a_checkpoint_without_a_step_comes_after_those_with_one():
    final = header("tiny-final", "tiny", 135e6, None)
    steps = make_run([CHECKPOINTS[2]], {("c", CHECKPOINTS[2].name): ("pass", 0.9)}, minutes=5, n=CASES)
    released = make_run([final], {("c", "tiny-final"): ("fail", 0.2)}, minutes=0, n=CASES)
    assert changes(assign_changes(released, [steps])) == {"c": "regressed"}


def test_baseline_none_makes_every_result_new():
    first, second, _ = checkpoint_runs()
    assign_changes(second, [first], baseline="none")
    assert set(changes(second).values()) == {"new"}
    assert all(r["baseline"] is None for r in second["results"])


def test_a_pinned_baseline_run_is_the_only_one_compared():
    first, second, third = assigned_in_order(checkpoint_runs())
    assign_changes(third, [first, second], baseline=first["run_id"][:-3])
    assert changes(third) == {"arith/add": "lit-up", "qa/recall": "regressed", "fmt/json": "lit-up", "code/sort": "new"}
    assert {r["baseline"]["run_id"] for r in third["results"] if r["baseline"]} == {first["run_id"]}


def test_an_unknown_pinned_baseline_names_the_known_runs():
    first, second, _ = assigned_in_order(checkpoint_runs())
    with pytest.raises(LedgerError, match=f"'nope' is not a run in the ledger; known runs: {first['run_id']}"):
        assign_changes(second, [first], baseline="nope")


def test_a_run_started_in_the_same_second_as_the_previous_one_still_has_it_as_baseline():
    # Two different weights under one name (a model file updated in place), one right after the other.
    first, second = (make_run([CHECKPOINTS[0]], {("qa/recall", CHECKPOINTS[0].name): (status, score)}, n=CASES,
                              weights={CHECKPOINTS[0].name: weights})
                     for status, score, weights in (("pass", 0.9, "w1"), ("fail", 0.2, "w2")))
    second["started"] = first["started"]  # `started` is kept to the second; fast cached re-runs share one
    first["run_id"], second["run_id"] = "20260101T120000.100Z-aaaaaa", "20260101T120000.900Z-000000"
    (result,) = assign_changes(second, [first])["results"]
    assert result["change"] == "regressed" and result["baseline"]["run_id"] == first["run_id"]
