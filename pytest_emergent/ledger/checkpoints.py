"""Where a result sits in its family's history: the checkpoint key (step, params, run time).

Results of different runs are compared only within a model family, and within a family the
order is the checkpoint order: training step first, then size, then when the run started.
A value that is not known sorts after every known one (a model without a step is usually
the released, final one), so the order is total and the same everywhere.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

_UNKNOWN = (1, 0.0)


def _known(value: Any) -> tuple[int, float]:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return (0, float(value))
    return _UNKNOWN


def run_time(document: dict[str, Any]) -> float:
    """Seconds since the epoch of the run's start; +inf when the document does not say."""
    for text in (document.get("started"), str(document.get("run_id") or "")[:19]):
        if not text:
            continue
        try:
            when = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
        except ValueError:
            try:
                when = dt.datetime.strptime(str(text)[:15], "%Y%m%dT%H%M%S")
            except ValueError:
                continue
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.timezone.utc)
        return when.timestamp()
    return math.inf


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True)
class Checkpoint:
    """One model as it appeared in one run."""

    run_id: str
    model: str
    family: str
    step: float | None
    params: float | None
    time: float
    fingerprint: str | None = None  # of the weights (the model header's `fingerprint`)
    revision: str | None = None

    def same_weights(self, other: Checkpoint) -> bool:
        """Whether two runs evaluated the same checkpoint: the same weights fingerprint where
        both know one, else the same name, revision and step. Such a run is a re-run, never
        the other's baseline."""
        if self.fingerprint and other.fingerprint:
            return self.fingerprint == other.fingerprint
        return (self.model, self.revision, _known(self.step)) == (other.model, other.revision, _known(other.step))

    @property
    def key(self) -> tuple[tuple[int, float], tuple[int, float], float, str]:
        # The run id last: `started` is kept to the second, and two runs can start within one
        # (cached re-runs take about a second); run ids order by creation to the millisecond.
        return (_known(self.step), _known(self.params), self.time, self.run_id)


def model_headers(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Model entries by name: the run's `models[]`, then headers carried by results."""
    headers: dict[str, dict[str, Any]] = {}
    for result in document.get("results", []):
        header = result.get("model_header")
        if isinstance(header, dict) and header.get("name"):
            headers.setdefault(str(header["name"]), header)
    for model in document.get("models", []):
        if isinstance(model, dict) and model.get("name"):
            headers[str(model["name"])] = model
    return headers


def checkpoints_of(document: dict[str, Any]) -> dict[str, Checkpoint]:
    """A checkpoint for every model of the run; the family falls back to the model name."""
    headers = model_headers(document)
    names = dict.fromkeys([*headers, *(str(r["model"]) for r in document.get("results", []))])
    when = run_time(document)
    run_id = str(document.get("run_id") or "")
    out = {}
    for name in names:
        header = headers.get(name, {})
        scale = header.get("scale") or {}
        info = header.get("info") if isinstance(header.get("info"), dict) else {}
        out[name] = Checkpoint(run_id, name, str(header.get("family") or name),
                               scale.get("step"), scale.get("params"), when,
                               _text(header.get("fingerprint")) or _text(info.get("fingerprint")),
                               _text(header.get("revision")) or _text(info.get("revision")))
    return out
