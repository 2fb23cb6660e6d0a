"""The frozen record a YAML spec entry becomes, with its cases rendered for each framing.

Collection builds these once per file; items of every model share them, so nothing here
depends on a model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ...checks.types import Case, Check
from ...models.framing import DEFAULT_LAYOUT, Layout, Shot
from ...scale import ScaleRequirement
from ..fingerprint import digest
from .cases import computes


@dataclass(frozen=True)
class Spec:
    """One validated capability entry with its cases rendered for each of its formats."""

    id: str
    description: str
    file: Path
    line: int | None
    scale: ScaleRequirement
    traits: tuple[str, ...]
    formats: tuple[str, ...]
    check: Check
    threshold: float
    shots: int
    max_new_tokens: int
    stop: Mapping[str, tuple[str, ...] | None]  # format -> stop strings (None: the framing's own)
    system: str | None
    prefix: str | None  # put once before the few-shot examples (BIG-bench task_prefix)
    metric_name: str | None  # a BIG-bench metric name (exact_str_match, multiple_choice_grade) when known
    rendered: Mapping[str, tuple[Case, ...]]  # format -> cases
    shot_indices: tuple[tuple[int, ...], ...]  # per case: the other cases shown before it
    prerequisites: tuple[str, ...] = ()  # requires_capabilities: ids this capability builds on
    chance: float | None = None  # with `tau`: the threshold is chance + tau·(1 − chance)
    tau: float | None = None
    layout: Layout = DEFAULT_LAYOUT  # how shots, answers and the prefix are joined
    exemplars: Mapping[str, tuple[Case, ...]] = field(default_factory=dict)  # shots_from, per format: fixed shots
    levels: Mapping[str, Mapping[str, float] | None] = field(default_factory=dict)  # format -> {chance, majority}

    def capability(self, format: str) -> str:
        """The capability id in reports: framings are separate rows when there are several."""
        return f"{self.id}[{format}]" if len(self.formats) > 1 else self.id

    def fingerprint(self, format: str) -> str:
        """What this entry measures in one framing: its rendered cases and every field that changes
        a prompt, an answer's grade or the pass rate needed (not its description or declared scale)."""
        cases = [[c.prompt, list(c.expected), list(c.choices), list(c.correct), dict(c.extra)]
                 for c in self.rendered[format]]
        check = [self.check.type, dict(self.check.options), vars(self.check.normalize)]
        parts = [format, cases, check, self.threshold, [list(s) for s in self.shot_indices], self.max_new_tokens,
                 self.stop[format], self.system, self.prefix]
        if self.shows_shots() or self.prefix or self.layout != DEFAULT_LAYOUT:  # the joins are in the text
            parts.append({"layout": vars(self.layout)})
        if self.exemplars:
            parts.append({"exemplars": [[c.prompt, c.target] for c in self.exemplars[format]]})
        return digest(parts)

    def score_names(self) -> tuple[str, ...]:
        """The metric names the pass rate is recorded under: the check's own (`exact_pass_rate`,
        `choice_pass_rate`…), and the task file's (exact_str_match, multiple_choice_grade) only
        when the check computes exactly that."""
        own = f"{self.check.type}_pass_rate"
        return (own, self.metric_name) if self.metric_name and computes(self.metric_name, self.check) else (own,)

    def shows_shots(self) -> bool:
        return bool(self.exemplars) or any(self.shot_indices)

    def shots_for(self, format: str, index: int) -> list[Shot]:
        """The few-shot examples shown before case `index`: the fixed exemplars, else other cases."""
        if self.exemplars:
            return [Shot(c.prompt, c.target) for c in self.exemplars[format]]
        cases = self.rendered[format]
        return [Shot(cases[j].prompt, cases[j].target) for j in self.shot_indices[index]]
