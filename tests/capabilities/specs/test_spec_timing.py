"""A model's spec items are planned together by the first of them; each item's reported duration is
its share of that plan (by the requests it made) plus its own grading, and nothing is lost: the
durations add up to the time the items took."""

from __future__ import annotations

import pytest

SPECS = """
- id: small
  description: one case
  prompt: "Say {{ w }}"
  examples: [{w: a}]
  expected: a
  max_new_tokens: 2
  threshold: 0
- id: large
  description: four cases
  prompt: "Say {{ w }}"
  examples: [{w: b}, {w: c}, {w: d}, {w: e}]
  expected: b
  max_new_tokens: 2
  threshold: 0
- id: last
  description: two cases
  prompt: "Repeat {{ w }}"
  examples: [{w: f}, {w: g}]
  expected: f
  max_new_tokens: 2
  threshold: 0
"""


def test_each_items_duration_is_its_share_of_the_plan_and_the_total_is_kept(pytester, models_file, spec_file):
    models_file(("tiny", "135M", []))
    spec_file("timed", SPECS)
    reprec = pytester.inline_run("-p", "no:cacheprovider")
    calls = [r for r in reprec.getreports("pytest_runtest_logreport") if r.when == "call"]
    assert [r.emergent["capability"] for r in calls] == ["small", "large", "last"]
    raw = [r.duration for r in calls]  # pytest's own: the first item made the plan for all three
    own = [r.emergent["duration"] for r in calls]
    assert sum(own) == pytest.approx(sum(raw), abs=1e-3)
    assert own[0] < raw[0] and own[1] > raw[1] and own[2] > raw[2]
    # the plan's time goes by requests: "large" asked four times what "small" asked
    assert (own[1] - raw[1]) > (own[2] - raw[2])
