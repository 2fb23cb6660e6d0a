"""The frozen records a spec becomes: entry, check, normalisation, and its prepared cases.

Collection builds these once per file; items of every model share them, so nothing here
depends on a model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..scale import ScaleRequirement

FORMATS = ("qa", "t5", "instruct", "raw")
CHECKS = ("exact", "contains", "starts_with", "regex", "number", "choice", "python", "code", "similar", "judge")


@dataclass(frozen=True)
class Normalize:
    """How an output and an expected answer are made comparable before a text check."""

    strip: bool = True
    ignore_case: bool = False
    collapse_whitespace: bool = True


@dataclass(frozen=True)
class CheckSpec:
    """A check by name with its validated options (pattern, tolerance, function, judge model...)."""

    type: str
    options: Mapping[str, Any] = field(default_factory=dict)
    normalize: Normalize = Normalize()


@dataclass(frozen=True)
class Rendered:
    """One case in one format, with every template rendered: what the model sees and what is right."""

    prompt: str
    expected: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    correct: tuple[int, ...] = ()  # indices into choices that count as right
    extra: Mapping[str, str] = field(default_factory=dict)  # rendered check fields: pattern, tests, rubric
    variables: Mapping[str, Any] = field(default_factory=dict)

    @property
    def target(self) -> str:
        """The answer used for few-shot examples and the log-probability metric."""
        if self.choices and self.correct:
            return self.choices[self.correct[0]]
        return self.expected[0] if self.expected else ""


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
    check: CheckSpec
    threshold: float
    shots: int
    max_new_tokens: int
    stop: tuple[str, ...] | None
    system: str | None
    prefix: str | None  # put once before the few-shot examples (BIG-bench task_prefix)
    metric_name: str | None  # a BIG-bench metric name (exact_str_match, multiple_choice_grade) when known
    rendered: Mapping[str, tuple[Rendered, ...]]  # format -> cases
    shot_indices: tuple[tuple[int, ...], ...]  # per case: the other cases shown before it
    prerequisites: tuple[str, ...] = ()  # requires_capabilities: ids this capability builds on
    chance: float | None = None  # with `tau`: the threshold is chance + tau·(1 − chance)
    tau: float | None = None

    def capability(self, format: str) -> str:
        """The capability id in reports: framings are separate rows when there are several."""
        return f"{self.id}[{format}]" if len(self.formats) > 1 else self.id
