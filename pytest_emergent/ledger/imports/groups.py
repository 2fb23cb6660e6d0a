"""Aggregate capabilities: lm-evaluation-harness groups, and averages over tasks of one file.

The 57 subjects of MMLU forecast one by one are 57 noisy series; their average is the
capability people mean by "MMLU". The harness (≥ 0.4) writes its groups itself (`groups`,
`group_subtasks`, and group rows in `results`): those import as they are, marked as aggregates.
The older harness wrote subjects only (`hendrycksTest-*`), so their average is computed here
(`BUILT_IN`), as is any `--average NAME=GLOB` asked for, unless the file has a result of that
name already. The subtasks are imported as well: nothing is replaced.
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Iterable
from fnmatch import fnmatchcase

from .common import Score

BUILT_IN = (("mmlu", "hendrycksTest-*"),)  # the ≤ 0.3 harness's MMLU subjects


def _cases(item: Score) -> float | None:
    """Samples behind a score: the file's count, else from its standard error (se² = p(1−p)/(n−1))."""
    if item.n:
        return float(item.n)
    if item.stderr and item.score is not None and 0.0 < item.score < 1.0:
        try:
            return item.score * (1.0 - item.score) / item.stderr**2 + 1.0
        except (OverflowError, ZeroDivisionError):  # a standard error too large or too small to mean a count
            return None
    return None


def average(name: str, members: list[Score], capability: str) -> Score:
    """The mean of `members` (same metric), weighted by their samples when every one is known."""
    counts = [_cases(m) for m in members]
    weighted = all(c is not None for c in counts)
    weights = [c if weighted and c is not None else 1.0 for c in counts]
    total = sum(weights)
    score = sum(w * (m.score or 0.0) for w, m in zip(weights, members)) / total
    stderrs = [m.stderr for m in members]
    stderr = (math.sqrt(sum((w * s) ** 2 for w, s in zip(weights, stderrs) if s is not None)) / total
              if all(s is not None for s in stderrs) else None)
    chances = {m.chance for m in members}
    metric = members[0].metric or "score"
    how = (f"mean of {len(members)} tasks weighted by their samples"
           + (" (from their standard errors)" if weighted and not all(m.n for m in members) else "")
           if weighted else f"unweighted mean of {len(members)} tasks")
    metrics = {metric: score, "tasks": float(len(members))}
    if stderr is not None:
        metrics[f"{metric}_stderr"] = stderr
    shots = members[0].metrics.get("num_fewshot")
    if shots is not None:
        metrics["num_fewshot"] = shots
    return Score(capability, score, metrics, metric, stderr=stderr,
                 n=sum(m.n or 0 for m in members) if all(m.n for m in members) else None,
                 chance=chances.pop() if len(chances) == 1 else None, task=name,
                 aggregate={"of": sorted(m.capability for m in members), "how": how})


def averages(scores: list[Score], asked: Iterable[tuple[str, str]], capability_of) -> list[Score]:
    """The built-in and asked-for averages that the file does not hold already.

    `capability_of(name, shots)` spells the id of an average (`lm-eval/mmlu/0-shot`). Members
    must share the metric; those on another metric are left out of the mean, with a warning.
    """
    present = {s.task for s in scores}
    out = []
    for name, pattern in (*BUILT_IN, *asked):
        if name in present:
            continue
        members = [s for s in scores if s.aggregate is None and s.score is not None and fnmatchcase(s.task, pattern)]
        if len(members) < 2:
            if (name, pattern) not in BUILT_IN:
                warnings.warn(f"--average {name}={pattern}: {len(members)} task(s) of the file match; "
                              "an average needs 2", stacklevel=2)
            continue
        metric, _ = Counter(m.metric for m in members).most_common(1)[0]
        odd = [m.task for m in members if m.metric != metric]
        if odd:
            warnings.warn(f"average {name}: {len(odd)} task(s) scored on another metric than {metric} left out "
                          f"({', '.join(odd[:3])}{', ...' if len(odd) > 3 else ''})", stacklevel=2)
        members = [m for m in members if m.metric == metric]
        out.append(average(name, members, capability_of(name, members[0].metrics.get("num_fewshot"))))
        present.add(name)
    return out
