"""The typed records of a run: each model's header, each (capability, model) result, and its cases."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from ..outcomes import Status

SCHEMA_VERSION = 2  # 2: n, interval, stderr, fingerprint, cases (in a file beside the record), new changes


@dataclass(frozen=True)
class ModelHeader:
    """A model as reports describe it. `fingerprint` identifies its weights (None: not known,
    as for a served model), so the ledger can tell a re-run of a checkpoint from a new one."""

    name: str
    backend: str
    family: str | None
    traits: tuple[str, ...]
    scale: dict[str, float | None]
    info: dict[str, Any] = field(default_factory=dict)
    fingerprint: str | None = None
    revision: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["traits"] = list(self.traits)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelHeader:
        return cls(data["name"], data.get("backend", ""), data.get("family"), tuple(data.get("traits", ())),
                   dict(data.get("scale") or {}), dict(data.get("info") or {}), data.get("fingerprint"),
                   data.get("revision"))


@dataclass(frozen=True)
class CaseRecord:
    """One case of a capability on one model: the evidence behind its result.

    `id` is stable across runs (a hash of the case's variables), so the same case is matched
    from one checkpoint to the next; `passed` is None when the case has no verdict of its own
    (a model call a Python test made without recording a case) or its request failed (`error`)."""

    id: str
    passed: bool | None
    prompt: str = ""
    output: str | None = None
    expected: tuple[str, ...] = ()
    choices: tuple[str, ...] | None = None
    scores: tuple[float, ...] | None = None
    metrics: Mapping[str, Any] = field(default_factory=dict)
    detail: str = ""
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "passed": self.passed, "prompt": self.prompt, "output": self.output,
                               "expected": list(self.expected),
                               "choices": None if self.choices is None else list(self.choices),
                               "scores": None if self.scores is None else list(self.scores),
                               "metrics": dict(self.metrics), "detail": self.detail}
        if self.error is not None:
            out["error"] = self.error
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CaseRecord:
        choices, scores = data.get("choices"), data.get("scores")
        return cls(str(data["id"]), data.get("passed"), str(data.get("prompt") or ""), data.get("output"),
                   tuple(data.get("expected") or ()), None if choices is None else tuple(choices),
                   None if scores is None else tuple(scores), dict(data.get("metrics") or {}),
                   str(data.get("detail") or ""), data.get("error"))


@dataclass(frozen=True)
class Result:
    """One capability on one model in one run.

    `n` is the number of cases behind the score, `interval` its 95% interval, `fingerprint` a
    hash of the capability's definition (so a changed definition is not read as a changed model)."""

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
    n: int | None = None
    interval: tuple[float, float] | None = None
    stderr: float | None = None
    fingerprint: str | None = None
    cases: tuple[CaseRecord, ...] = ()
    chance: float | None = None  # with tau: the threshold is relative to chance (chance + tau·(1 − chance))
    tau: float | None = None
    levels: dict[str, float] | None = None  # {chance, majority}: what guessing and the most common answer score

    def to_dict(self) -> dict[str, Any]:
        out = {f: getattr(self, f) for f in ("capability", "nodeid", "model", "score", "threshold", "metrics",
                                              "declared", "reason", "duration", "n", "stderr", "fingerprint", "chance",
                                              "tau", "levels")}
        out["status"] = self.status.value
        out["interval"] = None if self.interval is None else list(self.interval)
        out["cases"] = [c.to_dict() for c in self.cases]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Result:
        interval = data.get("interval")
        return cls(
            capability=data["capability"], nodeid=data.get("nodeid") or "", model=data["model"],
            status=Status(data["status"]), score=data.get("score"), threshold=data.get("threshold"),
            metrics=dict(data.get("metrics") or {}), declared=dict(data.get("declared") or {}),
            reason=data.get("reason") or "", duration=float(data.get("duration") or 0.0), n=data.get("n"),
            interval=None if not interval else (float(interval[0]), float(interval[1])),
            stderr=data.get("stderr"), fingerprint=data.get("fingerprint"),
            cases=tuple(CaseRecord.from_dict(c) for c in data.get("cases") or ()),
            chance=data.get("chance"), tau=data.get("tau"),
            levels=dict(data["levels"]) if isinstance(data.get("levels"), dict) else None,
        )
