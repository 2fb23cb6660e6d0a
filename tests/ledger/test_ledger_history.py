"""`history`: capability × checkpoint over every run."""

from __future__ import annotations

from ledger.scenario import CHECKPOINTS, checkpoint_runs, header, make_run

from pytest_emergent.ledger import assign_changes, format_history, history


def test_columns_go_by_family_then_checkpoint_order():
    runs = checkpoint_runs()
    other = make_run([header("aaa-1b", "aaa", 1e9)], {("qa/recall", "aaa-1b"): ("pass", None)}, minutes=99)
    table = history([runs[2], other, runs[0], runs[1]])
    assert [cp.model for cp in table.checkpoints] == ["aaa-1b", *(cp.name for cp in CHECKPOINTS)]
    assert table.capabilities == ("arith/add", "code/sort", "fmt/json", "qa/recall")


def test_a_capability_pattern_and_a_family_narrow_the_table():
    runs = checkpoint_runs()
    assert history(runs, "qa/*").capabilities == ("qa/recall",)
    assert history(runs, "json").capabilities == ("fmt/json",)
    assert history(runs, family="nobody").checkpoints == ()


def test_the_text_shows_status_score_and_change_marks():
    done = []
    for run in checkpoint_runs():
        done.append(assign_changes(run, done))
    text = format_history(history(done, "qa/recall"))
    lines = text.splitlines()
    assert lines[0] == "family tiny: 3 checkpoints"
    assert lines[1].split() == ["capability", "tiny-step1000", "tiny-step2000", "tiny-step3000"]
    assert "step 1,000" in lines[2]
    assert lines[4].split() == ["qa/recall", "pass", "0.9", "pass", "0.9", "fail", "0.4", "▼"]
    assert lines[-1] == "▼ regressed"


def test_each_family_gets_its_own_table_and_last_keeps_the_newest_checkpoints():
    done = []
    for run in checkpoint_runs():
        done.append(assign_changes(run, done))
    other = make_run([header("aaa-1b", "aaa", 1e9)], {("qa/other", "aaa-1b"): ("pass", None)}, minutes=99)
    text = format_history(history([*done, other]))
    assert text.index("family aaa: 1 checkpoint") < text.index("family tiny: 3 checkpoints")
    aaa, tiny = text.split("family tiny")
    assert "qa/other" in aaa and "qa/recall" not in aaa  # a family's table has only its capabilities
    assert "qa/recall" in tiny and "qa/other" not in tiny
    last = format_history(history([*done, other], last=2))
    assert "family tiny: 2 checkpoints, the last 2 of 3" in last
    assert "tiny-step1000" not in last and "tiny-step2000" in last and "tiny-step3000" in last
    assert "family aaa: 1 checkpoint" in last


def test_a_narrow_terminal_gets_the_columns_in_blocks():
    done = []
    for run in checkpoint_runs():
        done.append(assign_changes(run, done))
    text = format_history(history(done), width=40)
    assert max(len(line) for line in text.splitlines()) <= 40
    assert all(cp.name in text for cp in CHECKPOINTS)
    assert text.count("capability") == 3  # one block per checkpoint at this width


def test_a_model_recorded_in_two_runs_gets_a_column_per_run_named_by_run():
    cp = CHECKPOINTS[0]
    runs = [make_run([cp], {("c", cp.name): ("pass", None)}, minutes=m, run_id=f"2026010{m}T000000.000Z-aa")
            for m in (1, 2)]
    assert history(runs).column_titles() == [f"{cp.name} @20260101T000000", f"{cp.name} @20260102T000000"]


def test_an_empty_ledger_says_so():
    assert format_history(history([])) == "no results in the ledger match"
