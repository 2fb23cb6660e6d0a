"""`draw`: deterministic cases from a Hypothesis strategy, the same for every model and run."""

from __future__ import annotations

import warnings
from typing import Any

_cache: dict[tuple[str, int, int], list[Any]] = {}


def draw(strategy: Any, n: int, seed: int = 0) -> list[Any]:
    """`n` distinct examples of `strategy`, fixed by `seed` (fewer, with a warning, when it has fewer)."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed

    if n < 0:
        raise ValueError("draw: n must be ≥ 0")
    key = (repr(strategy), n, seed)
    if key in _cache:
        return list(_cache[key])
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
    if len(found) < n:
        warnings.warn(f"draw: the strategy gave only {len(found)} distinct examples of the {n} asked for", stacklevel=2)
    _cache[key] = found
    return list(found)
