"""What every check receives for a case (the evidence) and gives back (a grade).

Checks never talk to a model: the planner has already asked every request, so a check is a
pure function of the case and its evidence, except `code` (a subprocess) and `similar`
(an embedding model).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..backends.base import Loglikelihood
from .types import Normalize


@dataclass(frozen=True)
class Evidence:
    """What the model produced for one case."""

    output: str | None = None
    target: Loglikelihood | None = None  # log P(expected answer | prompt), for the smooth metric
    choices: tuple[Loglikelihood, ...] = ()
    judge_reply: str | None = None


@dataclass(frozen=True)
class Grade:
    """One case's verdict, its continuous metrics, and a short reason when it failed."""

    passed: bool
    metrics: Mapping[str, float] = field(default_factory=dict)
    detail: str = ""
    isolation: str = ""  # `code` only: the sandbox mode the model's code ran under


_SPACE = re.compile(r"\s+")


def normalize(text: str, how: Normalize) -> str:
    """Make text comparable: strip, fold case, collapse runs of whitespace, as the spec asks."""
    if how.collapse_whitespace:
        text = _SPACE.sub(" ", text)
    if how.strip:
        text = text.strip()
    if how.ignore_case:
        text = text.casefold()
    return text


def target_metrics(evidence: Evidence) -> dict[str, float]:
    """The log-probability of the expected answer, when it was scored."""
    if evidence.target is None:
        return {}
    return {"target_logprob": evidence.target.logprob}


def clip(text: str | None, width: int = 80) -> str:
    text = repr(text or "")
    return text if len(text) <= width else text[: width - 3] + "..."
