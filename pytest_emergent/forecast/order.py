"""Emergence order: which capability came first, and which came before what it builds on.

A capability that passes before one of its prerequisites is worth a look: either the test of
the prerequisite is too strict, or the capability is passed by a shortcut.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .types import OrderEntry


def _later(first: float | None, other: float | None) -> bool:
    """Whether `other` passed after `first` (never passing counts as after everything)."""
    return first is not None and (other is None or other > first)


def emergence_order(
    first_pass: Mapping[str, float | None], prerequisites: Mapping[str, Sequence[str]]
) -> list[OrderEntry]:
    """Capabilities by the first scale (or step) at which they passed; never-passed ones last.

    Ties keep name order, so the result is stable across runs. A prerequisite that was not
    measured at all is not held against anyone.
    """
    order = sorted(first_pass, key=lambda cap: (first_pass[cap] is None, first_pass[cap] or 0.0, cap))
    entries = []
    for cap in order:
        late = [
            req for req in prerequisites.get(cap, ()) if req in first_pass and _later(first_pass[cap], first_pass[req])
        ]
        # Name the most striking one: a prerequisite that never passed, else the latest.
        late.sort(key=lambda req: (first_pass[req] is not None, -(first_pass[req] or 0.0), req))
        entries.append(OrderEntry(cap, first_pass[cap], late[0] if late else None))
    return entries
