"""GitHub annotations and JUnit properties."""

from __future__ import annotations

from ledger.scenario import checkpoint_runs

from pytest_emergent.ledger import assign_changes
from pytest_emergent.report.github import annotation, annotations, in_github_actions, junit_properties


def last_checkpoint() -> dict:
    done: list[dict] = []
    for run in checkpoint_runs():
        done.append(assign_changes(run, done))
    return done[-1]


def test_an_error_for_each_regression_and_a_notice_for_each_capability_that_lit_up():
    lines = annotations(last_checkpoint())
    assert len(lines) == 2
    assert lines[0].startswith("::error file=tests/test_caps.py,title=regressed%3A qa/recall::")
    assert "qa/recall regressed on tiny-step3000: now fail 0.4 [" in lines[0] and ", was pass 0.9 [" in lines[0]
    assert "significant drop: 36/40 → 16/40 cases passed" in lines[0]  # the evidence
    assert lines[1].startswith("::notice file=tests/test_caps.py,title=lit up%3A fmt/json::fmt/json lit up")


def test_unchanged_and_new_results_are_not_annotated():
    assert annotations(assign_changes(checkpoint_runs()[0], [])) == []


def test_values_are_escaped_so_the_command_is_not_cut_short():
    result = {"capability": "a,b:c", "model": "m", "status": "fail", "change": "regressed", "nodeid": "x",
              "baseline": {"status": "pass", "model": "m\nx", "run_id": "100%"}}
    line = annotation(result)
    assert line.startswith("::error title=regressed%3A a%2Cb%3Ac::")
    assert "\n" not in line and "m%0Ax" in line and "100%25" in line


def test_annotations_are_only_for_github_actions():
    assert in_github_actions({"GITHUB_ACTIONS": "true"}) and not in_github_actions({})


def test_junit_properties_name_status_change_score_baseline_and_scales():
    recall = next(r for r in last_checkpoint()["results"] if r["capability"] == "qa/recall")
    props = dict(junit_properties(recall))
    assert props["emergent_status"] == "fail" and props["emergent_change"] == "regressed"
    assert props["emergent_score"] == "0.4" and props["emergent_model"] == "tiny-step3000"
    assert props["emergent_baseline_status"] == "pass" and props["emergent_baseline_model"] == "tiny-step2000"
    assert "emergent_threshold" not in props
    add = next(r for r in last_checkpoint()["results"] if r["capability"] == "arith/add")
    assert dict(junit_properties(add))["emergent_declared_params"] == "1000000000"
    assert all(isinstance(v, str) for _, v in junit_properties(add))


def test_junit_properties_of_a_result_before_the_ledger_has_no_change():
    result = checkpoint_runs()[0]["results"][0]
    assert "emergent_change" not in dict(junit_properties(result))
