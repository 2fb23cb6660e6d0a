"""`draw`: deterministic cases from a Hypothesis strategy, the same for every model and run.

Drawing runs Hypothesis's engine (tenths of a second per strategy), so the cases are also kept in
the response cache, keyed by the strategy, `n`, `seed` and the Hypothesis version: a cached re-run
draws nothing. Only cases made of Python literals are kept (they are stored as their `repr` and
read back with `ast.literal_eval`, never unpickled); others are drawn afresh each run.
"""

from __future__ import annotations

import ast
import hashlib
import warnings
from typing import Any

_cache: dict[tuple[str, int, int], list[Any]] = {}


def draw(strategy: Any, n: int, seed: int = 0) -> list[Any]:
    """`n` distinct examples of `strategy`, fixed by `seed` (fewer, with a warning, when it has fewer)."""
    if n < 0:
        raise ValueError("draw: n must be ≥ 0")
    key = (repr(strategy), n, seed)
    if key not in _cache:
        name = _cache_key(key)
        _cache[key] = (name and _stored(name)) or _store(name, _generate(strategy, n, seed))
    found = _cache[key]
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


def _stored(name: str) -> list[Any] | None:
    from .engine.cache import session_store

    store = session_store()
    if store is None:
        return None
    try:
        texts = store.get_many([name]).get(name)
    finally:
        store.close()
    return [ast.literal_eval(t) for t in texts] if isinstance(texts, list) else None


def _store(name: str | None, found: list[Any]) -> list[Any]:
    from .engine.cache import session_store

    texts = [_literal(example) for example in found]
    if name is None or None in texts:
        return found
    store = session_store()
    if store is not None:
        store.put_many("draw", "draw", [(name, texts)])
        store.close()
    return found
