"""`draw` gives the same cases in every process and run."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import strategies as st

from pytest_emergent import draw
from pytest_emergent.capabilities import active
from pytest_emergent.capabilities import draw as draw_module
from pytest_emergent.engine.cache import LazyCache, ResponseCache

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
    with pytest.warns(UserWarning, match="only 2 distinct"):
        assert sorted(draw(st.sampled_from(["a", "b"]), 5)) == ["a", "b"]


class Session:
    """What `draw` uses of a running session: its response cache and its memo of drawn cases."""

    def __init__(self, folder):
        self.cache = LazyCache(folder)
        self.drawn = {}


@pytest.fixture
def session(tmp_path):
    one = Session(tmp_path)
    active.enter(one)
    yield one
    active.leave(one)
    one.cache.close()


def test_drawn_cases_are_kept_in_the_cache_and_read_back_without_drawing(session, tmp_path, monkeypatch):
    strategy = st.tuples(st.integers(0, 99), st.text("xyz", min_size=1, max_size=3), st.booleans())
    first = draw(strategy, 8, seed=3)
    assert ResponseCache(tmp_path).stats()["entries"] >= 1

    def no_drawing(*args):
        raise AssertionError("drew again")

    session.drawn.clear()
    monkeypatch.setattr(draw_module, "_generate", no_drawing)
    again = draw(strategy, 8, seed=3)
    assert again == first and all(isinstance(case, tuple) for case in again)


def test_a_session_draws_each_strategy_once(session, monkeypatch):
    calls = []
    real = draw_module._generate
    monkeypatch.setattr(draw_module, "_generate", lambda *a: calls.append(a) or real(*a))
    assert draw(st.integers(0, 50), 5, seed=4) == draw(st.integers(0, 50), 5, seed=4)
    assert len(calls) == 1


def test_cases_that_are_not_literals_are_drawn_again_not_stored(session):
    strategy = st.fractions(0, 5, max_denominator=7)
    first = draw(strategy, 5, seed=1)
    session.drawn.clear()
    assert draw(strategy, 5, seed=1) == first  # drawn afresh, the same by the seed
    assert draw_module._stored(session.cache.get(), draw_module._cache_key((repr(strategy), 5, 1))) is None
