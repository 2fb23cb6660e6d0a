"""`draw` gives the same cases in every process and run."""

from __future__ import annotations

import subprocess
import sys

from hypothesis import strategies as st

from pytest_emergent import draw

SNIPPET = ("from hypothesis import strategies as st; from pytest_emergent import draw; "
           "print(draw(st.tuples(st.integers(10, 99), st.text('abc', min_size=1, max_size=4)), 12, seed=7))")


def test_draw_is_the_same_in_a_fresh_process():
    runs = {subprocess.run([sys.executable, "-c", SNIPPET], capture_output=True, text=True, timeout=120).stdout
            for _ in range(2)}
    assert len(runs) == 1
    assert runs.pop().strip() == repr(draw(st.tuples(st.integers(10, 99), st.text("abc", min_size=1, max_size=4)), 12, seed=7))


def test_draw_gives_n_distinct_cases_and_the_seed_changes_them():
    first = draw(st.integers(0, 10_000), 20, seed=1)
    assert len(first) == 20 and len(set(first)) == 20
    assert draw(st.integers(0, 10_000), 20, seed=2) != first


def test_a_small_strategy_gives_what_it_has_with_a_warning():
    import pytest

    with pytest.warns(UserWarning, match="only 2 distinct"):
        assert sorted(draw(st.sampled_from(["a", "b"]), 5)) == ["a", "b"]
