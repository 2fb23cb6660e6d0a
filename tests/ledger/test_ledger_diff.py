"""`diff`: results matched by (capability, family) across two runs."""

from __future__ import annotations

from ledger.scenario import checkpoint_runs, header, make_run

from pytest_emergent.ledger import diff, format_diff
from pytest_emergent.outcomes import Status


def test_diff_sorts_every_capability_into_exactly_one_list():
    first, _, third = checkpoint_runs()
    result = diff(first, third)
    names = {kind: [e.capability for e in getattr(result, kind)] for kind in
             ("lit_up", "regressed", "unchanged", "new", "missing")}
    assert names == {"lit_up": ["arith/add", "fmt/json"], "regressed": ["qa/recall"], "unchanged": [],
                     "new": ["code/sort"], "missing": []}
    assert result.has_regressions


def test_a_capability_gone_from_b_is_missing_not_regressed():
    _, _, third = checkpoint_runs()
    first = checkpoint_runs()[0]
    result = diff(third, first)
    assert [e.capability for e in result.missing] == ["code/sort"]
    assert result.missing[0].b is None and result.missing[0].a.status is Status.FAIL


def test_the_highest_checkpoint_of_a_family_stands_for_it():
    small, big = header("f-125m", "f", 125e6), header("f-1b", "f", 1e9)
    a = make_run([small, big], {("c", "f-125m"): ("fail", 0.1), ("c", "f-1b"): ("pass", 0.9)}, n=40)
    b = make_run([small, big], {("c", "f-125m"): ("pass", 0.9), ("c", "f-1b"): ("fail", 0.1)}, minutes=1, n=40)
    result = diff(a, b)
    assert [(e.a.model, e.b.model) for e in result.regressed] == [("f-1b", "f-1b")]


def test_the_text_shows_regressions_before_what_lit_up():
    first, _, third = checkpoint_runs()
    text = format_diff(diff(first, third))
    assert text.index("regressed (1)") < text.index("lit up (2)")
    assert "new" not in text.split("\n")[1] and "code/sort" not in text  # new results only with --verbose
    assert "code/sort" in format_diff(diff(first, third), verbose=True)
