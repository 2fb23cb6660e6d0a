"""Capabilities the baseline checkpoint ran and this run lacks."""

from __future__ import annotations

from pytest_emergent.ledger.missing import Missing, missing_capabilities


def run(run_id: str, step: int, capabilities: list[str], *, family: str = "tiny", status: str = "pass") -> dict:
    model = f"{family}-{step}"
    return {"run_id": run_id, "started": f"2026-01-0{run_id[-1]}T00:00:00+00:00",
            "models": [{"name": model, "family": family, "scale": {"step": step}}],
            "results": [{"capability": c, "model": model, "status": status} for c in capabilities]}


def test_a_capability_of_the_previous_checkpoint_without_a_result_now_is_missing():
    earlier = [run("r1", 1000, ["a", "b", "c"]), run("r2", 2000, ["a", "b", "c"])]
    now = run("r3", 3000, ["a"])
    assert missing_capabilities(now, earlier) == [
        Missing("b", "tiny", "tiny-3000", "r2", "tiny-2000"), Missing("c", "tiny", "tiny-3000", "r2", "tiny-2000")]


def test_the_baseline_is_the_previous_checkpoint_not_the_latest_run():
    earlier = [run("r1", 1000, ["a", "b"]), run("r2", 3000, ["a"])]
    assert [m.capability for m in missing_capabilities(run("r3", 2000, ["a"]), earlier)] == ["b"]


def test_an_errored_capability_is_not_missing_and_other_families_do_not_count():
    earlier = [run("r1", 1000, ["a", "b"], status="error"), run("r2", 1000, ["z"], family="other")]
    assert missing_capabilities(run("r3", 2000, ["a", "b"]), earlier) == []


def test_a_pinned_baseline_compares_with_that_run_and_none_with_nothing():
    earlier = [run("r1", 1000, ["a", "b", "c"]), run("r2", 2000, ["a", "b"])]
    now = run("r3", 3000, ["a"])
    assert [m.capability for m in missing_capabilities(now, earlier, "r1")] == ["b", "c"]
    assert missing_capabilities(now, earlier, "none") == []


def test_a_first_checkpoint_has_nothing_missing():
    assert missing_capabilities(run("r1", 1000, ["a"]), []) == []
