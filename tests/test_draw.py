"""`draw` gives the same cases in every process and run."""

from __future__ import annotations

import importlib
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


def test_drawn_cases_are_kept_in_the_cache_and_read_back_without_drawing(tmp_path, monkeypatch):
    module = importlib.import_module("pytest_emergent.draw")
    from pytest_emergent.config.paths import session_cache
    from pytest_emergent.engine.cache import ResponseCache

    monkeypatch.setitem(session_cache, "folder", tmp_path)
    monkeypatch.setattr(module, "_cache", {})
    strategy = st.tuples(st.integers(0, 99), st.text("xyz", min_size=1, max_size=3), st.booleans())
    first = draw(strategy, 8, seed=3)
    assert ResponseCache(tmp_path).stats()["entries"] >= 1

    def no_drawing(*args):
        raise AssertionError("drew again")

    monkeypatch.setattr(module, "_cache", {})
    monkeypatch.setattr(module, "_generate", no_drawing)
    again = draw(strategy, 8, seed=3)
    assert again == first and all(isinstance(case, tuple) for case in again)


def test_cases_that_are_not_literals_are_drawn_again_not_stored(tmp_path, monkeypatch):
    module = importlib.import_module("pytest_emergent.draw")
    from pytest_emergent.config.paths import session_cache

    monkeypatch.setitem(session_cache, "folder", tmp_path)
    monkeypatch.setattr(module, "_cache", {})
    strategy = st.fractions(0, 5, max_denominator=7)
    first = draw(strategy, 5, seed=1)
    monkeypatch.setattr(module, "_cache", {})
    assert draw(strategy, 5, seed=1) == first  # drawn afresh, the same by the seed
    assert module._stored(module._cache_key((repr(strategy), 5, 1))) is None
