"""Under pytest-xdist the controller gathers results from workers: same statuses, counts, JSON."""

from __future__ import annotations

import json

import pytest
from test_plugin import STATUS_SUITE

pytest.importorskip("xdist")

SCORED = """
import pytest
from pytest_emergent import draw, record_score
from hypothesis import strategies as st

CASES = draw(st.integers(0, 1000), 5, seed=3)

@pytest.mark.requires_scale("1B")
@pytest.mark.parametrize("n", CASES)
def test_scored(model, n):
    record_score(n / 1000, metric=n)
"""


def comparable(document: dict) -> list[dict]:
    """Results without what differs between any two runs: timings and the run's own id."""
    out = []
    for result in document["results"]:
        entry = {k: v for k, v in result.items() if k not in ("duration", "model_header", "load_error")}
        if entry.get("baseline"):
            entry["baseline"] = {k: v for k, v in entry["baseline"].items() if k != "run_id"}
        out.append(entry)
    return out


def test_xdist_gives_the_same_statuses_counts_and_json_entries(pytester, models_file):
    models_file(("small", "135M", []), ("big", "2B", ["instruct"]))
    pytester.makepyfile(test_caps=STATUS_SUITE, test_scored=SCORED)
    # No ledger: the second run would otherwise be compared with the first.
    plain = pytester.runpytest_subprocess("--emergent-json", "plain.json", "--emergent-no-ledger")
    spread = pytester.runpytest_subprocess("--emergent-json", "spread.json", "--emergent-no-ledger", "-n", "2")
    plain_doc = json.loads((pytester.path / "plain.json").read_text())
    spread_doc = json.loads((pytester.path / "spread.json").read_text())
    assert plain.parseoutcomes() == spread.parseoutcomes()
    assert comparable(plain_doc) == comparable(spread_doc)
    assert plain_doc["summary"] == spread_doc["summary"]
    assert [m["scale"] for m in plain_doc["models"]] == [m["scale"] for m in spread_doc["models"]]
    assert len(plain_doc["results"]) == 2 * (6 + 5)
    summary = [line for line in spread.stdout.lines if line.startswith("emergent: ") and "capabilities" in line]
    assert summary == [line for line in plain.stdout.lines if line.startswith("emergent: ") and "capabilities" in line]


WHERE = """
import json, os
import pytest

@pytest.mark.parametrize("n", range(4))
def test_where(model, n, request):
    log = request.config.rootpath / "where.jsonl"
    with open(log, "a") as handle:
        handle.write(json.dumps([model.name, os.environ.get("PYTEST_XDIST_WORKER")]) + "\\n")

@pytest.mark.parametrize("n", range(6))
def test_no_model(n):
    pass
"""


def workers_per_model(pytester, *args):
    log = pytester.path / "where.jsonl"
    log.unlink(missing_ok=True)
    result = pytester.runpytest_subprocess("--emergent-no-ledger", "-n", "2", *args)
    result.assert_outcomes(passed=2 * 4 + 6)
    seen: dict[str, set[str]] = {}
    for line in log.read_text().splitlines():
        name, worker = json.loads(line)
        seen.setdefault(name, set()).add(worker)
    return seen


def test_under_xdist_each_model_runs_on_one_worker_unless_a_mode_is_chosen(pytester, models_file):
    models_file(("small", "135M", []), ("big", "2B", []))
    pytester.makepyfile(test_where=WHERE)
    grouped = workers_per_model(pytester)
    assert set(grouped) == {"small", "big"}
    assert all(len(workers) == 1 for workers in grouped.values()), grouped
    assert grouped["small"] != grouped["big"]  # two models, two workers: one each
    by_file = workers_per_model(pytester, "--dist", "loadfile")  # the user's mode: one file, one worker
    assert len(by_file["small"]) == 1 and by_file["small"] == by_file["big"], by_file


def test_an_items_model_is_read_from_its_parameter_id_longest_name_first():
    from pytest_emergent.xdist_groups import model_of

    names = ["b", "a-b", "gemma3-270m"]
    assert model_of("t.py::test_x[3-a-b]", names) == "a-b"
    assert model_of("t.py::test_x[b]", names) == "b"
    assert model_of("specs/s.yaml::arith/add-1d[qa-gemma3-270m]", names) == "gemma3-270m"
    assert model_of("t.py::test_plain", names) is None
    assert model_of("t.py::test_x[3-c]", names) is None
