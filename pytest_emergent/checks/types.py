"""What a check is: its kind and options, how text is normalised, and the case it grades.

The kinds of check and the options each takes are listed here once; the YAML schema, the
validation and the graders all read these tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# check -> option -> (kind, required, is a template, description)
CHECK_OPTIONS: dict[str, dict[str, tuple[str, bool, bool, str]]] = {
    "exact": {}, "contains": {}, "starts_with": {},
    "regex": {"pattern": ("string", True, True, "regular expression (a template) searched in the output")},
    "number": {"tolerance": ("number", False, False, "absolute tolerance (default 0)")},
    "choice": {"length_normalize": ("boolean", False, False, "compare log-likelihood per token")},
    "python": {"function": ("string", True, False, "'module:function' called as f(output, case) -> bool or float")},
    "code": {"tests": ("string", True, True, "Python tests (a template) run against the model's code"),
             "timeout": ("number", False, False, "CPU and wall-clock seconds (default 10)"),
             "memory_mb": ("integer", False, False, "address-space limit in MiB (default 1024)")},
    "similar": {"min_similarity": ("number", False, False, "cosine similarity needed (default 0.8)")},
    "judge": {"model": ("string", True, False, "configured model that grades"),
              "rubric": ("string", True, True, "what the judge grades against (a template)"),
              "max_score": ("number", False, False, "top of the judge's scale (default 10)"),
              "pass_score": ("number", False, False, "score that passes (default 7)")},
}
CHECKS = tuple(CHECK_OPTIONS)
TEXT_CHECKS = ("exact", "contains", "starts_with", "regex", "number")
NEEDS_EXPECTED = ("exact", "contains", "starts_with", "number", "similar")


def generates(kind: str) -> bool:
    """Whether a check grades a generated answer (all but `choice`, which compares log-likelihoods)."""
    return kind != "choice"


@dataclass(frozen=True)
class Normalize:
    """How an output and an expected answer are made comparable before a text check."""

    strip: bool = True
    ignore_case: bool = False
    collapse_whitespace: bool = True


@dataclass(frozen=True)
class Check:
    """A check by kind with its validated options (pattern, tolerance, function, judge model...)."""

    type: str
    options: Mapping[str, Any] = field(default_factory=dict)
    normalize: Normalize = Normalize()


@dataclass(frozen=True)
class Case:
    """One case in one framing, every template rendered: what the model is asked and what is right."""

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
