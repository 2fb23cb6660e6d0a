"""The ledger in a shared folder (mounted or synced): records copied, never overwritten."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from pytest_emergent.ledger import Ledger, LedgerError
from pytest_emergent.ledger.mirror import pull_folder, push_folder


def record(folder: Path, capability: str = "arith/add") -> str:
    return Ledger(folder).write({"results": [{"capability": capability, "model": "m", "status": "pass"}]})


def test_push_adds_the_runs_the_shared_folder_lacks_and_pull_brings_back_the_others(tmp_path: Path):
    shared = tmp_path / "shared"
    shared.mkdir()
    mine, theirs = record(tmp_path / "mine"), record(tmp_path / "theirs")
    assert push_folder(tmp_path / "mine", shared).pushed == (f"{mine}.json",)
    assert push_folder(tmp_path / "theirs", shared).pushed == (f"{theirs}.json",)
    assert push_folder(tmp_path / "mine", shared).pushed == ()
    assert pull_folder(tmp_path / "mine", shared).pulled == (f"{theirs}.json",)
    assert Ledger(tmp_path / "mine").run_ids() == Ledger(shared).run_ids() == sorted([mine, theirs])
    assert not [p for p in shared.iterdir() if p.name.startswith(".")]  # no temporary file left behind


def test_many_runs_pushing_into_one_folder_at_once_all_land(tmp_path: Path):
    shared = tmp_path / "shared"
    shared.mkdir()
    runs = [record(tmp_path / f"run{i}") for i in range(8)]
    with ThreadPoolExecutor(8) as pool:
        reports = list(pool.map(lambda i: push_folder(tmp_path / f"run{i}", shared), range(8)))
    assert [r.pushed for r in reports] == [(f"{run}.json",) for run in runs]
    assert Ledger(shared).run_ids() == sorted(runs)


def test_a_file_of_the_same_name_with_other_content_is_reported_and_neither_is_changed(tmp_path: Path):
    shared = tmp_path / "shared"
    run = record(tmp_path / "mine")
    shared.mkdir()
    (shared / f"{run}.json").write_text("something else\n")
    report = push_folder(tmp_path / "mine", shared)
    assert report.pushed == () and "has other content; neither is changed" in report.skipped[0]
    assert (shared / f"{run}.json").read_text() == "something else\n"


def test_a_shared_folder_that_is_not_there_is_an_error_not_an_empty_ledger(tmp_path: Path):
    with pytest.raises(LedgerError, match="does not exist: mount it, or create it empty"):
        pull_folder(tmp_path / "mine", tmp_path / "not-mounted")
