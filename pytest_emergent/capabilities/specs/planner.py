"""Planning: every request of one model's spec items, asked together before the first one grades.

The first spec item of a model triggers the plan for all spec items of that model; the others
only read their results. All generations and all scorings go to the model in one call
(`Model.ask`, beside `Model.complete` / `Model.score` that Python tests reach the backend
through): identical requests are asked once, and the backend alone decides its batches and
what work the two kinds share. Judged items
need a second model, so their answers are all generated first and each judge is loaded once
afterwards. A request that fails errors only the items that asked it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ...backends.base import GenerateRequest, RequestError
from ...checks import Evidence, judge_prompt
from ...models.model import Model
from .entry import Spec
from .queries import Query, queries

JUDGE_TOKENS = 48
Work = list[tuple[str, Spec, str]]  # (item key, spec entry, format)


@dataclass
class PlanStats:
    """What a plan did: requests asked by items, distinct ones sent, Model calls, seconds."""

    requested: int = 0
    distinct: int = 0
    calls: int = 0
    seconds: float = 0.0


@dataclass
class ModelPlan:
    """The answers to one model's spec items, by item key."""

    queries: dict[str, list[Query]] = field(default_factory=dict)
    answers: dict[Any, Any] = field(default_factory=dict)  # request -> answer or RequestError
    judged: dict[str, list[Any]] = field(default_factory=dict)  # item key -> the judge's reply per case
    error: str | None = None  # the whole plan failed (the model could not load): every item errors
    judge_errors: dict[str, str] = field(default_factory=dict)
    stats: PlanStats = field(default_factory=PlanStats)
    seconds: float = 0.0  # the wall time of making the whole plan (framing, asking, judging): its items share it

    def failure(self, query: Query, reply: Any = None) -> str | None:
        """Why one case could not be asked (its first failed request), or None. The scoring of the
        expected answer only adds a metric: a server that gives no prompt log-probabilities still
        grades generated answers, without it."""
        needed = (query.generate, *query.choices)
        for answer in (*(self.answers.get(r) for r in needed if r is not None), reply):
            if isinstance(answer, RequestError):
                return answer.message
        return None

    def evidence(self, key: str) -> list[Evidence]:
        replies = self.judged.get(key) or [None] * len(self.queries[key])
        return [Evidence(self.answers.get(q.generate) if q.generate else None,
                         _answered(self.answers.get(q.target)) if q.target else None,
                         tuple(self.answers[c] for c in q.choices),
                         reply if isinstance(reply, str) else None)
                for q, reply in zip(self.queries[key], replies)]

    def _requests(self, key: str) -> int:
        """How many requests an item made: its own, and its answers sent to a judge."""
        judged = sum(reply is not None for reply in self.judged.get(key, ()))
        return sum(len(q.requests()) for q in self.queries.get(key, ())) + judged

    def share(self, key: str) -> float:
        """This item's part of the plan's time, in proportion to its requests: the items' shares add
        up to the whole plan, so the reported durations add up to the time the run took."""
        total = sum(self._requests(k) for k in self.queries)
        return self.seconds * self._requests(key) / total if total else 0.0


def _answered(answer: Any) -> Any:
    return None if isinstance(answer, RequestError) else answer


def ask(model: Model, requests: list[Any], stats: PlanStats) -> dict[Any, Any]:
    """Answers to `requests` (generations and scorings mixed), all in one Model call (`Model.ask`:
    the backend may score an expected answer from the pass that generates from its prompt)."""
    started = time.perf_counter()
    generate = list(dict.fromkeys(r for r in requests if isinstance(r, GenerateRequest)))
    score = list(dict.fromkeys(r for r in requests if not isinstance(r, GenerateRequest)))
    stats.requested += len(requests)
    stats.distinct += len(generate) + len(score)
    answers: dict[Any, Any] = {}
    if generate or score:
        with model.working(len(generate) + len(score)):  # one task on the terminal: "340/1200 requests, ETA 1m10s"
            generated, scored = model.ask(generate, score, keep_errors=True)
        answers.update(zip(generate, generated))
        answers.update(zip(score, scored))
        stats.calls += 1
    stats.seconds += time.perf_counter() - started
    return answers


def plan_model(model: Model, work: Work) -> ModelPlan:
    """Build and answer the queries of (key, spec, format) items on one loaded model."""
    plan = ModelPlan()
    for key, spec, format in work:
        plan.queries[key] = queries(model, spec, format)
    plan.answers = ask(model, [r for qs in plan.queries.values() for q in qs for r in q.requests()], plan.stats)
    return plan


def run_judges(plan: ModelPlan, work: Work, judge_of: Callable[[str], Model]) -> None:
    """Grade judged items' answers with their judge models, one judge load for all of them.

    `judge_of(name)` gives the loaded judge (which releases the model under test: its answers
    are already in); a judge that cannot load fails its items, not the run."""
    by_judge: dict[str, Work] = {}
    for key, spec, format in work:
        if spec.check.type == "judge":
            by_judge.setdefault(str(spec.check.options["model"]), []).append((key, spec, format))
    for name, items in by_judge.items():
        try:
            judge = judge_of(name)
            requests: dict[str, list[GenerateRequest | None]] = {}
            for key, spec, format in items:
                requests[key] = []
                for case, ev in zip(spec.rendered[format], plan.evidence(key)):
                    if not isinstance(ev.output, str):  # the answer itself failed: nothing to judge
                        requests[key].append(None)
                        continue
                    framed = judge.frame(judge_prompt(spec.check, case, ev.output), "instruct")
                    text = framed.text if framed.messages is not None else framed.text + "\nScore:"
                    requests[key].append(GenerateRequest(text, JUDGE_TOKENS, (), framed.messages))
            answers = ask(judge, [r for rs in requests.values() for r in rs if r is not None], plan.stats)
            for key, rs in requests.items():
                plan.judged[key] = [answers[r] if r is not None else None for r in rs]
        except Exception as exc:  # noqa: BLE001 - any judge failure is reported on its items
            plan.judge_errors[name] = f"judge model {name!r}: {exc}"
