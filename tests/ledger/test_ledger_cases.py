"""Per-case evidence beside each record, error bars on every result, and records read field by field."""

from __future__ import annotations

import gzip
import json
import warnings
from pathlib import Path

import pytest
from ledger.scenario import CHECKPOINTS, make_run
from ledger.simulation import AFTER, BEFORE, graded_run

from pytest_emergent.ledger import Ledger, LedgerWarning, complete_error_bars, read_cases, record_run
from pytest_emergent.significance import wilson_interval

FLAGS = [True] * 27 + [False] * 3


def test_cases_go_to_a_compressed_file_beside_the_record_and_stay_in_the_returned_document(tmp_path: Path):
    recorded = record_run(graded_run(BEFORE, {"qa": FLAGS}), tmp_path)
    run_id = recorded.document["run_id"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{run_id}.cases.json.gz", f"{run_id}.json"]
    record = json.loads((tmp_path / f"{run_id}.json").read_text())
    assert "cases" not in record["results"][0] and record["cases_file"] == f"{run_id}.cases.json.gz"
    assert len(recorded.document["results"][0]["cases"]) == 30  # the JSON report still gets them
    stored = read_cases(tmp_path / f"{run_id}.cases.json.gz")
    assert stored[("qa", BEFORE.name)] == recorded.document["results"][0]["cases"]


def test_a_run_without_cases_writes_no_cases_file(tmp_path: Path):
    recorded = record_run(make_run([CHECKPOINTS[0]], {("c", CHECKPOINTS[0].name): ("pass", 0.9)}), tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [f"{recorded.document['run_id']}.json"]
    assert "cases_file" not in json.loads(recorded.path.read_text())


def test_listing_runs_never_opens_a_cases_file_and_a_broken_one_costs_only_the_pairing(tmp_path: Path):
    base = record_run(graded_run(BEFORE, {"qa": FLAGS}), tmp_path).document
    broken = tmp_path / f"{base['run_id']}.cases.json.gz"
    broken.write_bytes(b"not gzip at all")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(Ledger(tmp_path).runs()) == 1  # the record alone is read
    with pytest.warns(LedgerWarning, match=f"ledger cases file {broken} skipped: cannot be read"):
        after = record_run(graded_run(AFTER, {"qa": [True] * 9 + [False] * 21}, minutes=1), tmp_path).document
    (result,) = after["results"]
    assert result["change"] == "regressed" and result["significance"]["test"] == "fisher-exact"  # from n alone
    assert broken.read_bytes() == b"not gzip at all"  # left for a person to look at


def test_a_wrongly_typed_case_field_is_dropped_with_a_warning_naming_the_file_and_field(tmp_path: Path):
    path = tmp_path / "r.cases.json.gz"
    cases = [{"id": "a", "passed": True, "output": "x"}, {"id": "b", "passed": "yes", "output": "y"}, {"passed": True}]
    path.write_bytes(gzip.compress(json.dumps({"results": [{"capability": "c", "model": "m", "cases": cases}]}).encode()))
    with pytest.warns(LedgerWarning) as caught:
        stored = read_cases(path)
    message = str(caught[0].message)
    assert str(path) in message and "results[0].cases[1].passed is str, not true, false or null" in message
    assert "results[0].cases[2] has no string 'id'" in message
    assert stored[("c", "m")] == [{"id": "a", "passed": True, "output": "x"}, {"id": "b", "output": "y"}]


def test_a_record_of_schema_version_1_still_reads_and_serves_as_baseline(tmp_path: Path):
    old = {"schema_version": 1, "run_id": "20250101T000000.000Z-aaaaaa", "started": "2025-01-01T00:00:00+00:00",
           "models": [{"name": BEFORE.name, "backend": "hf", "family": "sim", "traits": [],
                       "scale": {"params": 1e9, "step": 1000}, "info": {}}],
           "results": [{"capability": "qa", "nodeid": "t::qa", "model": BEFORE.name, "status": "pass", "score": 0.9,
                        "threshold": 0.5, "metrics": {}, "declared": {}, "reason": "", "duration": 0.1,
                        "change": "new", "baseline": None}]}
    (tmp_path / f"{old['run_id']}.json").write_text(json.dumps(old))
    (result,) = record_run(graded_run(AFTER, {"qa": [True] * 6 + [False] * 24}, minutes=1), tmp_path).document["results"]
    assert result["baseline"]["run_id"] == old["run_id"] and result["change"] == "regressed"
    assert "the baseline's n is not recorded, taken as 30" in result["change_note"]


def test_a_wrongly_typed_field_is_dropped_and_named_and_the_rest_of_the_record_kept(tmp_path: Path):
    run = record_run(graded_run(BEFORE, {"qa": FLAGS, "other": FLAGS}), tmp_path).document
    path = tmp_path / f"{run['run_id']}.json"
    data = json.loads(path.read_text())
    data["results"][0]["score"] = "0.9"
    data["results"][1]["status"] = "maybe"
    data["models"][0]["scale"]["step"] = "late"
    path.write_text(json.dumps(data))
    with pytest.warns(LedgerWarning) as caught:
        (read,) = Ledger(tmp_path).runs()
    message = str(caught[0].message)
    assert str(path) in message and "results[0].score is '0.9', not a number or null; ignored" in message
    assert "results[1] has unknown status 'maybe'; the result is ignored" in message
    assert "models[0].scale.step is 'late', not a number or null; ignored" in message
    assert [r["capability"] for r in read["results"]] == ["other"] and "score" not in read["results"][0]


def test_error_bars_come_from_the_cases_else_the_stderr_else_n():
    from_cases = {"score": 0.9, "cases": [{"id": str(i), "passed": ok} for i, ok in enumerate(FLAGS + [None])]}
    complete_error_bars(from_cases)
    assert from_cases["n"] == 30 and from_cases["interval"] == pytest.approx(list(wilson_interval(27, 30)))
    imported = {"score": 0.6, "metric": "acc", "metrics": {"acc": 0.6, "acc_stderr": 0.02}}
    complete_error_bars(imported)
    assert imported["stderr"] == 0.02 and imported["interval"] == pytest.approx([0.6 - 1.96 * 0.02, 0.6 + 1.96 * 0.02],
                                                                                 abs=1e-3)
    counted = {"score": 0.25, "n": 8}
    complete_error_bars(counted)
    assert counted["interval"] == pytest.approx(list(wilson_interval(2, 8)))
    bare = {"score": None}
    complete_error_bars(bare)
    assert (bare["n"], bare["interval"], bare["stderr"]) == (None, None, None)
    given = {"score": 0.5, "n": 10, "interval": [0.1, 0.9], "stderr": 0.2}
    complete_error_bars(given)
    assert given == {"score": 0.5, "n": 10, "interval": [0.1, 0.9], "stderr": 0.2}  # a producer's values are kept
