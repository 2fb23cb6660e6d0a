"""Result records: one per (capability, model), built from test reports, read by reports.

They travel between processes as plain dicts (on test reports under pytest-xdist).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from .outcomes import STATUS_ORDER, Status

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class ModelHeader:
    name: str
    backend: str
    family: str | None
    traits: tuple[str, ...]
    scale: dict[str, float | None]
    info: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["traits"] = list(self.traits)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelHeader:
        return cls(data["name"], data["backend"], data.get("family"), tuple(data.get("traits", ())),
                   dict(data.get("scale", {})), dict(data.get("info", {})))


@dataclass(frozen=True)
class Result:
    capability: str
    nodeid: str
    model: str
    status: Status
    score: float | None = None
    threshold: float | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    declared: dict[str, Any] = field(default_factory=dict)
    reason: str = ""
    duration: float = 0.0
    chance: float | None = None  # with tau: the threshold is relative to chance (chance + tau·(1 − chance))
    tau: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["status"] = self.status.value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Result:
        return cls(
            capability=data["capability"], nodeid=data["nodeid"], model=data["model"],
            status=Status(data["status"]), score=data.get("score"), threshold=data.get("threshold"),
            metrics=dict(data.get("metrics", {})), declared=dict(data.get("declared", {})),
            reason=data.get("reason", ""), duration=float(data.get("duration", 0.0)),
            chance=data.get("chance"), tau=data.get("tau"),
        )


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
