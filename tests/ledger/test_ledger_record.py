"""`record_run`: what the plugin calls once at the end of a session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ledger.scenario import CASES, CHECKPOINTS, EXPECTED, STEPS, changes, checkpoint_runs, make_run

from pytest_emergent.ledger import Ledger, LedgerError, record_run


def test_each_run_is_compared_with_the_ledger_then_stored(tmp_path: Path):
    recorded = [record_run(run, tmp_path) for run in checkpoint_runs()]
    assert [changes(r.document) for r in recorded] == EXPECTED
    last = recorded[-1]
    assert json.loads(last.path.read_text())["run_id"] == last.document["run_id"]
    assert [r["run_id"] for r in last.runs] == Ledger(tmp_path).run_ids()


def test_without_a_ledger_lower_checkpoints_of_the_run_are_still_baselines(tmp_path: Path):
    outcomes = {(cap, cp.name): out for cp, step in zip(CHECKPOINTS, STEPS) for cap, out in step.items()}
    recorded = record_run(make_run(CHECKPOINTS, outcomes, n=CASES), None)
    assert recorded.path is None and recorded.runs == [recorded.document]
    assert {r["change"] for r in recorded.document["results"] if r["model"] == CHECKPOINTS[2].name} == \
        {"unchanged", "regressed", "lit-up", "new"}


def test_a_pinned_baseline_needs_the_ledger():
    with pytest.raises(LedgerError, match="needs a ledger"):
        record_run(checkpoint_runs()[0], None, baseline="20260101")


def test_baseline_none_still_stores_the_run(tmp_path: Path):
    record_run(checkpoint_runs()[0], tmp_path)
    recorded = record_run(checkpoint_runs()[1], tmp_path, baseline="none")
    assert set(changes(recorded.document).values()) == {"new"} and len(Ledger(tmp_path).runs()) == 2
