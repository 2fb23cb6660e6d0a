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
