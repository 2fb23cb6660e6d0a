"""What every import shares: options, reading scale from a model name, and the run document.

Imported scores carry no verdict of their own. With a `threshold` a score at or above it
passes (and with a declared scale, a model below it gets expected-fail / early-pass, as in a
pytest run); without one the result keeps its score with status `skip`, so curves and
history show it, but it never counts as lit up or regressed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...outcomes import Status, decide_status
from ...results import SCHEMA_VERSION
from ...scale import Scale, ScaleRequirement, describe_gap, unmet
from ...version import __version__


class ImportFormatError(ValueError):
    """A file that is not a results file of a known kind; the message names the file."""


@dataclass(frozen=True)
class ImportOptions:
    """Command-line overrides; None means: read it from the file (or its name)."""

    family: str | None = None
    model: str | None = None
    params: float | None = None
    step: float | None = None
    threshold: float | None = None
    requires: ScaleRequirement = field(default_factory=ScaleRequirement)
    metric: str | None = None


@dataclass(frozen=True)
class ImportedModel:
    name: str
    family: str
    params: float | None
    step: float | None
    location: str | None


@dataclass(frozen=True)
class Score:
    """One capability's score from a results file, before it gets a status."""

    capability: str
    score: float | None
    metrics: dict[str, float]
    metric: str | None  # which metric the score is
    note: str = ""


# "560m", "1.3b", "7b1" (= 7.1B, BLOOM's spelling), "66b", "1t"
_SIZE = re.compile(r"^(\d+(?:\.\d+)?)([kmbt])(\d*)$", re.IGNORECASE)
_FACTOR = {"k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}
_STEP = re.compile(r"(?:^|[-_=/@])(?:step|global_step|iter)[-_]?(\d+)", re.IGNORECASE)


def _parts(name: str) -> list[str]:
    return [p for p in re.split(r"[-_]", name.rsplit("/", 1)[-1]) if p]


def params_from_name(name: str) -> float | None:
    """The size a model name states: `opt-1.3b` → 1.3e9, `bloom-7b1` → 7.1e9, `pythia-160m-deduped` → 1.6e8."""
    for part in reversed(_parts(name)):
        match = _SIZE.match(part)
        if match:
            whole, unit, fraction = match.groups()
            number = float(f"{whole}.{fraction}") if fraction and "." not in whole else float(whole)
            return number * _FACTOR[unit.lower()]
    return None


def family_from_name(name: str) -> str:
    """The name without its size and step parts: `opt-1.3b` → `opt`, `pythia-160m-deduped` → `pythia-deduped`."""
    parts = [p for p in _parts(name) if not _SIZE.match(p) and not _STEP.search(f"-{p}")]
    return "-".join(parts) or name


def step_from_text(text: str) -> float | None:
    match = _STEP.search(text)
    return float(match.group(1)) if match else None


def status_of(score: float | None, model: ImportedModel, options: ImportOptions) -> tuple[Status, str]:
    """The status of an imported score, and the reason shown beside it."""
    if options.threshold is None:
        return Status.SKIP, "imported score; no threshold given (emergent import --threshold)"
    if score is None:
        return Status.SKIP, "no score for the chosen metric"
    passed = score >= options.threshold
    gap = unmet(options.requires, Scale(params=model.params, step=model.step))
    reason = describe_gap(options.requires, Scale(params=model.params, step=model.step), gap) if gap else ""
    return decide_status(not gap, passed), reason


def build_document(model: ImportedModel, scores: list[Score], options: ImportOptions, *,
                   source: dict[str, Any], path: Path) -> dict[str, Any]:
    """A run document in the layout of docs/json-report.md, with a `source` naming the file."""
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    header = {"name": model.name, "backend": "import", "family": model.family, "traits": [],
              "scale": {"params": model.params, "tokens": None, "compute": None, "step": model.step},
              "info": {"location": model.location, "source": str(path)}}
    declared = options.requires.as_dict()
    results = []
    for item in sorted(scores, key=lambda s: s.capability):
        status, reason = status_of(item.score, model, options)
        results.append({
            "capability": item.capability, "nodeid": f"{path.name}::{item.capability}", "model": model.name,
            "status": status.value, "score": item.score, "threshold": options.threshold, "metrics": item.metrics,
            "metric": item.metric,
            "declared": {**declared, "traits": []}, "reason": item.note or reason, "duration": 0.0,
            "model_header": header, "load_error": None,
        })
    summary = {s.value: 0 for s in Status}
    for r in results:
        summary[r["status"]] += 1
    return {
        "schema_version": SCHEMA_VERSION, "plugin_version": __version__, "pytest_version": None,
        "python_version": None, "started": now, "finished": now, "git_commit": None, "strict": False,
        "source": source, "models": [header], "summary": summary, "results": results,
    }
