"""Orderings and counts every report shares, derived from the results (never running counters)."""

from __future__ import annotations

import re

from ..outcomes import STATUS_ORDER, Status
from .records import ModelHeader, Result


def count_statuses(results: list[Result]) -> dict[Status, int]:
    """Counts per status, derived from the results, in display order."""
    counts = {status: 0 for status in STATUS_ORDER}
    for result in results:
        counts[result.status] += 1
    return counts


def ordered_models(headers: dict[str, ModelHeader], results: list[Result]) -> list[str]:
    """Model names ordered by scale (params, then tokens), unknown scale last, then by name."""
    names = list(dict.fromkeys([*headers, *(r.model for r in results)]))

    def key(name: str) -> tuple:
        scale = headers[name].scale if name in headers else {}
        params, tokens = scale.get("params"), scale.get("tokens")
        return (params is None, params or 0.0, tokens or 0.0, name)

    return sorted(names, key=key)


def natural_key(text: str) -> tuple:
    """Sort key that orders numbers inside ids by value: `test[2]` before `test[10]`."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text) if part)
