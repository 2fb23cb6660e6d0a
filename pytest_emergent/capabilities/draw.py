"""`draw`: deterministic cases from a Hypothesis strategy, the same for every model and run.

Drawing runs Hypothesis's engine (tenths of a second per strategy), so the cases are also kept in
the response cache, keyed by the strategy, `n`, `seed` and the Hypothesis version: a cached re-run
draws nothing. Only cases made of Python literals are kept (they are stored as their `repr` and
read back with `ast.literal_eval`, never unpickled); others are drawn afresh each run.
"""

from __future__ import annotations

import ast
import hashlib
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..config.defaults import default_cache_folder
from ..engine.cache import LazyCache, ResponseCache
from . import active


def draw(strategy: Any, n: int, seed: int = 0) -> list[Any]:
    """`n` distinct examples of `strategy`, fixed by `seed` (fewer, with a warning, when it has fewer)."""
    if n < 0:
        raise ValueError("draw: n must be ≥ 0")
    key = (repr(strategy), n, seed)
    session = active.session()
    drawn: dict[tuple[str, int, int], list[Any]] = session.drawn if session is not None else {}
    if key not in drawn:
        name = _cache_key(key)
        with _store_of(session) as store:
            drawn[key] = (name and _stored(store, name)) or _store(store, name, _generate(strategy, n, seed))
    found = drawn[key]
    if len(found) < n:
        warnings.warn(f"draw: the strategy gave only {len(found)} distinct examples of the {n} asked for", stacklevel=2)
    return list(found)


def _generate(strategy: Any, n: int, seed: int) -> list[Any]:
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed

    found: list[Any] = []
    seen: set[str] = set()

    @hypothesis_seed(seed)
    @settings(
        max_examples=max(n * 4, 10),
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        derandomize=False,
    )
    @given(strategy)
    def collect(example: Any) -> None:
        marker = repr(example)
        if len(found) < n and marker not in seen:
            seen.add(marker)
            found.append(example)

    collect()
    return found


def _cache_key(key: tuple[str, int, int]) -> str | None:
    """None when the strategy's repr names an object's address: it differs between processes."""
    if " at 0x" in key[0]:
        return None
    from importlib.metadata import version

    text = repr((version("hypothesis"), *key))
    return "draw:" + hashlib.sha256(text.encode()).hexdigest()


def _literal(example: Any) -> str | None:
    """The example's repr when `ast.literal_eval` gives it back exactly, else None."""
    text = repr(example)
    try:
        return text if repr(ast.literal_eval(text)) == text else None
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


@contextmanager
def _store_of(session: Any) -> Iterator[ResponseCache | None]:
    """The session's response cache; outside pytest, the one `$EMERGENT_CACHE` names (or the
    default folder), opened for this call only."""
    if session is not None:
        yield session.cache.get()
        return
    env = os.environ.get("EMERGENT_CACHE")
    cache = LazyCache(None if env == "off" else Path(env) if env else default_cache_folder())
    try:
        yield cache.get()
    finally:
        cache.close()


def _stored(store: ResponseCache | None, name: str) -> list[Any] | None:
    if store is None:
        return None
    texts = store.get_many([name]).get(name)
    return [ast.literal_eval(t) for t in texts] if isinstance(texts, list) else None


def _store(store: ResponseCache | None, name: str | None, found: list[Any]) -> list[Any]:
    texts = [_literal(example) for example in found]
    if name is None or None in texts or store is None:
        return found
    store.put_many("draw", "draw", [(name, texts)])
    return found
