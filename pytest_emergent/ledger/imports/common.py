"""What every import shares: options, the score of a result, its threshold, and the run document.

Imported scores carry no verdict of their own. With a threshold a score at or above it passes
(and with a declared scale, a model below it gets expected-fail / early-pass, as in a pytest
run); without one the result keeps its score with status `skip`, so curves and history show
it, but it never counts as lit up or regressed.

A threshold is absolute (`threshold`) or relative to the task's chance level (`tau`: chance +
tau·(1 − chance)). A pass needs a score in [0, 1] that rises with ability: a metric on another
range is mapped onto [0, 1] only when told its range (`metric_range`), a lower-is-better one
only when told to invert it (`invert`); any other score outside [0, 1] is kept, with status
`skip` and the reason, never turned into a pass or a failure.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...outcomes import Status, decide_status
from ...results import SCHEMA_VERSION
from ...scale import Scale, ScaleRequirement, describe_gap, unmet
from ...version import __version__
from .chance import given_chance
from .names import family_from_name, params_from_name, step_from_text

__all__ = ["ImportFormatError", "ImportOptions", "ImportedModel", "Score", "build_document", "family_from_name",
           "params_from_name", "step_from_text"]


class ImportFormatError(ValueError):
    """A file that is not a results file of a known kind; the message names the file."""


@dataclass(frozen=True)
class ImportOptions:
    """Command-line (and manifest) values; None means: read it from the file (or its name)."""

    family: str | None = None
    model: str | None = None
    params: float | None = None
    step: float | None = None
    tokens: float | None = None
    threshold: float | None = None
    tau: float | None = None  # threshold = chance + tau·(1 − chance)
    chance: tuple[tuple[str, float], ...] = ()  # (task glob, chance level); "*" for every task
    requires: ScaleRequirement = field(default_factory=ScaleRequirement)
    metric: str | None = None
    metric_range: tuple[float, float] | None = None  # the metric's natural range, mapped onto [0, 1]
    invert: bool = False  # lower is better: the score is (high − value) / (high − low)
    averages: tuple[tuple[str, str], ...] = ()  # (name, task glob): extra aggregate capabilities

    def __post_init__(self) -> None:
        if self.threshold is not None and self.tau is not None:
            raise ValueError("give a threshold or a tau (relative to chance), not both")
        if self.tau is not None and not 0.0 < self.tau <= 1.0:
            raise ValueError(f"tau is a share of the way from chance to a perfect score, in (0, 1]; got {self.tau:g}")
        for pattern, level in self.chance:
            if not 0.0 <= level < 1.0:
                raise ValueError(f"chance {pattern}={level:g}: a chance level is a pass rate in [0, 1)")
        if self.metric_range is not None and not self.metric_range[0] < self.metric_range[1]:
            raise ValueError(f"metric range {self.metric_range[0]:g}:{self.metric_range[1]:g}: the low end must be "
                             "below the high end")


@dataclass(frozen=True)
class ImportedModel:
    name: str
    family: str
    params: float | None
    step: float | None
    location: str | None
    tokens: float | None = None


@dataclass(frozen=True)
class Score:
    """One capability's score from a results file, before it gets a status."""

    capability: str
    score: float | None
    metrics: dict[str, float]
    metric: str | None  # which metric the score is
    note: str = ""
    stderr: float | None = None  # standard error of the score, where the file gives one
    n: int | None = None  # samples the score was measured on, where the file says
    chance: float | None = None  # chance level from the file or the task, before --chance
    task: str = ""  # the harness's task name (what --chance and --average match)
    aggregate: dict[str, Any] | None = None  # {"of": [capability ids], "how": "..."} for a group or an average


def _finite(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def rescaled(item: Score, options: ImportOptions) -> tuple[float | None, float | None, str]:
    """(score, stderr, refusal) after the explicit range and inversion; a refusal says why no verdict."""
    score, stderr = item.score, item.stderr
    if score is None:
        return None, stderr, ""
    if options.metric_range is not None or options.invert:
        low, high = options.metric_range or (0.0, 1.0)
        score = (high - score if options.invert else score - low) / (high - low)
        stderr = None if stderr is None else stderr / (high - low)
    if 0.0 <= score <= 1.0:
        return score, stderr, ""
    told = f" after mapping {item.metric} onto [0, 1]" if options.metric_range or options.invert else ""
    fix = ("check --metric-range" if options.metric_range
           else "give its range (--metric-range LOW:HIGH, e.g. 0:100) or choose another --metric")
    return score, stderr, f"score {score:g}{told} is not in [0, 1], so it cannot pass a threshold: {fix}"


def threshold_of(item: Score, options: ImportOptions) -> tuple[float | None, float | None, str]:
    """(absolute threshold, chance level, why none) of one result."""
    chance = given_chance(item.task, options.chance)
    chance = item.chance if chance is None else chance
    if options.tau is None:
        return options.threshold, chance, ""
    if chance is None:
        return None, None, (f"no chance level known for {item.task or item.capability!r}, so --tau cannot place its "
                            f"threshold: give --chance '{item.task or '*'}=C' (or an absolute --threshold)")
    return chance + options.tau * (1.0 - chance), chance, ""


def status_of(score: float | None, threshold: float | None, model: ImportedModel,
              options: ImportOptions) -> tuple[Status, str]:
    """The status of an imported score, and the reason shown beside it."""
    if threshold is None:
        return Status.SKIP, "imported score; no threshold given (emergent import --threshold or --tau)"
    if score is None:
        return Status.SKIP, "no score for the chosen metric"
    scale = Scale(params=model.params, step=model.step, tokens=model.tokens)
    gap = unmet(options.requires, scale)
    reason = describe_gap(options.requires, scale, gap) if gap else ""
    return decide_status(not gap, score >= threshold), reason


def result_of(item: Score, model: ImportedModel, options: ImportOptions, path: Path,
              header: dict[str, Any]) -> dict[str, Any]:
    """One result of the run document (docs/ledger.md: the import fields)."""
    score, stderr, refusal = rescaled(item, options)
    threshold, chance, unplaced = threshold_of(item, options)
    status, reason = status_of(score, threshold, model, options)
    if (refusal or unplaced) and (options.threshold is not None or options.tau is not None):
        status, reason = Status.SKIP, refusal or unplaced
    result: dict[str, Any] = {
        "capability": item.capability, "nodeid": f"{path.name}::{item.capability}", "model": model.name,
        "status": status.value, "score": score, "threshold": threshold,
        "chance": chance, "tau": options.tau if threshold is not None and options.tau is not None else None,
        "stderr": _finite(stderr), "n": item.n,
        "metrics": item.metrics, "metric": item.metric,
        "declared": {**options.requires.as_dict(), "traits": []}, "reason": item.note or reason, "duration": 0.0,
        "model_header": header, "load_error": None,
    }
    if options.metric_range is not None or options.invert:
        result["metric_range"] = list(options.metric_range or (0.0, 1.0))
        result["inverted"] = options.invert
    if item.aggregate is not None:
        result["aggregate"] = item.aggregate
    return result


def build_document(model: ImportedModel, scores: list[Score], options: ImportOptions, *,
                   source: dict[str, Any], path: Path) -> dict[str, Any]:
    """A run document in the layout of docs/json-report.md, with a `source` naming the file."""
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    header = {"name": model.name, "backend": "import", "family": model.family, "traits": [],
              "scale": {"params": model.params, "tokens": model.tokens, "compute": None, "step": model.step},
              "info": {"location": model.location, "source": str(path)}}
    results = [result_of(item, model, options, path, header) for item in sorted(scores, key=lambda s: s.capability)]
    summary = {s.value: 0 for s in Status}
    for r in results:
        summary[r["status"]] += 1
    return {
        "schema_version": SCHEMA_VERSION, "plugin_version": __version__, "pytest_version": None,
        "python_version": None, "started": now, "finished": now, "git_commit": None, "strict": False,
        "source": source, "models": [header], "summary": summary, "results": results,
    }
