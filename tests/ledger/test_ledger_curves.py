"""Emergence curves: score against scale, one series per family."""

from __future__ import annotations

from ledger.scenario import CHECKPOINTS, checkpoint_runs, sweep_runs

from pytest_emergent.ledger import curves


def test_one_series_per_family_sorted_by_size_with_the_declared_scale():
    drawn = {c.capability: c for c in curves(sweep_runs())}
    add = drawn["arith/add"]
    assert add.axis == "params" and add.declared == 1e9 and add.threshold == 0.5
    assert list(add.series) == ["alpha", "beta"]
    assert [p.x for p in add.series["alpha"]] == [70e6, 400e6, 1.4e9, 7e9]
    assert [round(p.y, 2) for p in add.series["alpha"]] == [0.05, 0.35, 0.65, 0.95]


def test_a_result_without_score_plots_as_pass_1_and_fail_0():
    recall = next(c for c in curves(sweep_runs()) if c.capability == "qa/recall")
    assert [p.y for p in recall.series["beta"]] == [0.0, 1.0, 1.0, 1.0]


def test_a_training_run_of_one_size_is_drawn_by_step():
    add = next(c for c in curves(checkpoint_runs()) if c.capability == "arith/add")
    assert add.axis == "step"
    assert [(p.model, p.x) for p in add.series["tiny"]] == [(cp.name, cp.scale["step"]) for cp in CHECKPOINTS]


def test_checkpoints_at_one_x_collapse_to_the_highest():
    runs = sweep_runs()
    again = dict(runs[0], run_id="again", started="2030-01-01T00:00:00Z",
                 results=[dict(r, score=0.99) if r["capability"] == "arith/add" else r for r in runs[0]["results"]])
    add = next(c for c in curves([*runs, again]) if c.capability == "arith/add")
    assert add.axis == "params" and add.series["alpha"][-1].y == 0.99 and len(add.series["alpha"]) == 4
