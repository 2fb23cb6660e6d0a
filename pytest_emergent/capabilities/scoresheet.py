"""What a running capability records: its score, metrics and cases (`record_score`, `record_case`).

The session keeps one `Scoresheet` per running capability and reads it when the test ends.
Every model call the test makes is kept too (the model's observer), so a Python capability
has its prompts and outputs as evidence even when it records no case; a case recorded with
`record_case` is matched to the call that asked its prompt.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..backends.base import GenerateRequest, Loglikelihood, RequestError
from ..results import CaseRecord
from . import active

MAX_CALLS = 2000  # evidence kept per test; a test that asks more keeps the first ones


def case_id(variables: Any) -> str:
    """A stable id from a case's variables (the same case gets the same id in every run)."""
    text = json.dumps(variables, sort_keys=True, ensure_ascii=False, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _number(value: Any) -> Any:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


@dataclass
class Scoresheet:
    """The score, threshold, metrics and cases a capability has recorded while it runs."""

    score: float | None = None
    threshold: float | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    cases: list[CaseRecord] = field(default_factory=list)
    calls: list[CaseRecord] = field(default_factory=list)
    n: int | None = None
    chance: float | None = None  # a threshold relative to chance: chance + tau·(1 − chance)
    tau: float | None = None
    levels: dict[str, float] | None = None  # the task's chance and majority-class levels, to read the score against

    def observe(self, kind: str, requests: Sequence[Any], answers: Sequence[Any]) -> None:
        """The model's observer: every exchange becomes a case without a verdict of its own."""
        for request, answer in zip(requests, answers):
            if len(self.calls) >= MAX_CALLS:
                return
            if isinstance(request, GenerateRequest):
                prompt, output = request.prompt, answer if isinstance(answer, str) else None
            else:
                prompt = request.context + request.continuation
                output = f"logprob {answer.logprob:.4g}" if isinstance(answer, Loglikelihood) else None
            error = answer.message if isinstance(answer, RequestError) else None
            self.calls.append(CaseRecord(case_id([kind, prompt]), None, prompt, output, error=error))

    def evidence(self) -> tuple[CaseRecord, ...]:
        """The recorded cases; without any, the model calls the test made."""
        return tuple(self.cases) if self.cases else tuple(self.calls)

    def pass_rate(self) -> float | None:
        decided = [c.passed for c in self.cases if c.passed is not None]
        return sum(decided) / len(decided) if decided else None


def _sheet(what: str) -> Scoresheet:
    session = active.session()
    sheet = getattr(session, "current", None)
    if sheet is None:
        raise RuntimeError(f"{what}() belongs in a capability test: one that takes the `model` fixture "
                           "(this test does not, so there is no result to attach it to)")
    return sheet


def record_case(case: Any, passed: bool, *, output: str | None = None, expected: Any = None,
                prompt: str | None = None, **metrics: Any) -> None:
    """Record one case's verdict. `case`: its variables (any JSON-able value: they give the case
    its stable id); `prompt`, when given, fetches the model's output from the test's calls."""
    __tracebackhide__ = True
    sheet = _sheet("record_case")
    if not isinstance(passed, bool):
        raise TypeError(f"record_case: passed must be True or False, got {passed!r}")
    if prompt is not None and output is None:
        output = next((c.output for c in reversed(sheet.calls) if prompt in c.prompt), None)
    wanted = () if expected is None else tuple(str(e) for e in (expected if isinstance(expected, (list, tuple))
                                                                     else [expected]))
    sheet.cases.append(CaseRecord(case_id(case), passed, prompt or "", output, wanted,
                                  metrics={k: _number(v) for k, v in metrics.items()}))


def record_score(value: float | None = None, threshold: float | None = None, *, n: int | None = None,
                 **metrics: Any) -> None:
    """Record the test's score (and named metrics); below `threshold` the test fails.

    Without a value, the score is the pass rate of the cases recorded with `record_case`. `n`
    is the number of cases behind a score given directly (for its error bar)."""
    __tracebackhide__ = True
    sheet = _sheet("record_score")
    if value is None:
        value = sheet.pass_rate()
        if value is None:
            raise ValueError("record_score: give a score, or record cases with record_case() first")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise TypeError(f"record_score: the score must be a number, got {value!r}")
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
        raise TypeError(f"record_score: n must be a whole number ≥ 1, got {n!r}")
    sheet.score = float(value)
    sheet.threshold = None if threshold is None else float(threshold)
    sheet.n = n
    for key, metric in metrics.items():
        sheet.metrics[key] = _number(metric)
    if threshold is not None and value < threshold:
        raise AssertionError(f"score {value:.4g} is below the threshold {threshold:.4g}")
