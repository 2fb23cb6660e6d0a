"""The ledger folder: atomic writes, tolerant reads, lookups by id."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest
from ledger.scenario import checkpoint_runs

from pytest_emergent.ledger import Ledger, LedgerError, LedgerWarning, new_run_id


def test_write_assigns_a_sortable_run_id_and_names_the_file_after_it(tmp_path: Path):
    ledger = Ledger(tmp_path)
    first, second = checkpoint_runs()[:2]
    ids = [ledger.write(first), ledger.write(second)]
    assert ids == sorted(ids) and first["run_id"] == ids[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{i}.json" for i in ids]
    assert json.loads((tmp_path / f"{ids[0]}.json").read_text())["schema_version"] == 2


def test_run_ids_made_in_one_process_strictly_increase():
    ids = [new_run_id() for _ in range(200)]
    assert ids == sorted(ids) and len(set(ids)) == 200


def test_runs_come_back_oldest_first(tmp_path: Path):
    ledger = Ledger(tmp_path)
    runs = checkpoint_runs()
    for run in reversed(runs):  # written newest first
        ledger.write(run)
    assert [r["started"] for r in ledger.runs()] == sorted(r["started"] for r in runs)
    assert ledger.latest()["started"] == runs[-1]["started"]


def test_an_empty_or_missing_folder_has_no_runs(tmp_path: Path):
    assert Ledger(tmp_path / "absent").runs() == [] and Ledger(tmp_path / "absent").latest() is None


def test_get_accepts_a_unique_prefix_and_names_the_known_runs_otherwise(tmp_path: Path):
    ledger = Ledger(tmp_path)
    ids = [ledger.write(run) for run in checkpoint_runs()]
    assert ledger.get(ids[1])["run_id"] == ids[1]
    assert ledger.get(ids[1][:-2])["run_id"] == ids[1]
    with pytest.raises(LedgerError, match="is not a run; known runs: " + ids[0]):
        ledger.get("nope")
    with pytest.raises(LedgerError, match="matches several runs"):
        ledger.get(ids[0][:4])


def test_a_recorded_run_is_never_overwritten(tmp_path: Path):
    ledger = Ledger(tmp_path)
    run = checkpoint_runs()[0]
    ledger.write(run)
    with pytest.raises(LedgerError, match="already recorded"):
        ledger.write(dict(run))


def test_an_invalid_document_is_refused_before_anything_is_written(tmp_path: Path):
    with pytest.raises(LedgerError, match="unknown status 'maybe'"):
        Ledger(tmp_path).write({"results": [{"capability": "c", "model": "m", "status": "maybe"}]})
    assert list(tmp_path.iterdir()) == []


def test_a_corrupt_record_is_reported_once_skipped_and_left_untouched(tmp_path: Path):
    ledger = Ledger(tmp_path)
    good = ledger.write(checkpoint_runs()[0])
    broken = tmp_path / "20260101T000000.000Z-broken.json"
    broken.write_bytes(b'{"schema_version": 1, "results": [')
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        runs = ledger.runs()
    assert [r["run_id"] for r in runs] == [good]
    assert len(caught) == 1 and caught[0].category is LedgerWarning and str(broken) in str(caught[0].message)
    assert broken.read_bytes() == b'{"schema_version": 1, "results": ['


def test_a_record_from_a_newer_version_is_skipped_with_a_reason(tmp_path: Path):
    (tmp_path / "future.json").write_text(json.dumps({"schema_version": 99, "results": []}))
    with pytest.warns(LedgerWarning, match="newer than this pytest-emergent reads"):
        assert Ledger(tmp_path).runs() == []


def test_leftover_temporary_files_are_ignored_silently(tmp_path: Path):
    (tmp_path / ".20260101T000000.000Z-abc.json.x1y2.tmp").write_text('{"half')
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert Ledger(tmp_path).runs() == []


WRITER = """
import sys
from pytest_emergent.ledger import Ledger
results = [{"capability": f"cap/{i}", "model": "m", "status": "pass", "metrics": {"pad": "x" * 100}}
           for i in range(200_000)]  # tens of MB: the write takes long enough to be killed halfway
print("writing", flush=True)
Ledger(sys.argv[1]).write({"started": "2026-02-01T00:00:00+00:00", "models": [], "results": results})
print("done", flush=True)
"""


def test_a_run_killed_during_its_write_leaves_every_earlier_record_readable(tmp_path: Path):
    ledger = Ledger(tmp_path)
    before = [ledger.write(run) for run in checkpoint_runs()[:2]]
    snapshot = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "writing"
        deadline = time.monotonic() + 60
        while not any(p.name.startswith(".") and p.stat().st_size > 0 for p in tmp_path.iterdir()):
            assert time.monotonic() < deadline and proc.poll() is None, "the writer never started its temporary file"
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert [p for p in tmp_path.iterdir() if p.name.startswith(".")], "the kill came after the write, not during it"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the half-written temporary file is not a record: no warning
        assert [r["run_id"] for r in ledger.runs()] == before
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.name in snapshot} == snapshot
    after = ledger.write(checkpoint_runs()[2])
    assert [r["run_id"] for r in ledger.runs()] == [*before, after]
