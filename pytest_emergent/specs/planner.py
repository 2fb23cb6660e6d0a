"""Planning: all requests of one model's spec items, deduplicated, in length-sorted batches.

The first spec item of a model triggers the plan for every spec item of that model; later
items only read their results. Judged items need a second model, so their answers are all
generated first and the judge is loaded once afterwards.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..backends.base import GenerateRequest, Loglikelihood, LoglikelihoodRequest
from ..checks import Evidence, judge_prompt
from ..model import Model
from .prompts import Query, queries
from .types import Spec

if TYPE_CHECKING:
    from ..session import EmergentState

JUDGE_TOKENS = 48


@dataclass
class PlanStats:
    """What a plan did: requests asked by items, distinct ones sent, backend calls, seconds."""

    requested: int = 0
    distinct: int = 0
    batches: int = 0
    seconds: float = 0.0


@dataclass
class ModelPlan:
    """Results of one model's spec items, by item key."""

    queries: dict[str, list[Query]] = field(default_factory=dict)
    generated: dict[GenerateRequest, str] = field(default_factory=dict)
    scored: dict[LoglikelihoodRequest, Loglikelihood] = field(default_factory=dict)
    judged: dict[str, list[str | None]] = field(default_factory=dict)
    error: str | None = None
    judge_errors: dict[str, str] = field(default_factory=dict)
    stats: PlanStats = field(default_factory=PlanStats)

    def evidence(self, key: str) -> list[Evidence]:
        replies = self.judged.get(key) or [None] * len(self.queries[key])
        return [Evidence(self.generated.get(q.generate) if q.generate else None,
                         self.scored.get(q.target) if q.target else None,
                         tuple(self.scored[c] for c in q.choices), reply)
                for q, reply in zip(self.queries[key], replies)]


def _batches(items: Sequence[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield list(items[start:start + size])


def run_requests(model: Model, generate: list[GenerateRequest], score: list[LoglikelihoodRequest],
                 stats: PlanStats | None = None) -> tuple[dict[GenerateRequest, str], dict[LoglikelihoodRequest, Loglikelihood]]:
    """Ask each distinct request once, longest first, in batches of the backend's size."""
    stats = stats if stats is not None else PlanStats()
    started = time.perf_counter()
    size = int(getattr(model.backend, "batch_size", 8) or 8)
    gen_order = sorted(dict.fromkeys(generate), key=lambda r: -len(r.prompt))
    score_order = sorted(dict.fromkeys(score), key=lambda r: -len(r.context) - len(r.continuation))
    stats.requested += len(generate) + len(score)
    stats.distinct += len(gen_order) + len(score_order)
    generated: dict[GenerateRequest, str] = {}
    for batch in _batches(gen_order, size):
        generated.update(zip(batch, model.backend.generate(batch)))
        stats.batches += 1
    scored: dict[LoglikelihoodRequest, Loglikelihood] = {}
    for batch in _batches(score_order, size):
        scored.update(zip(batch, model.backend.loglikelihood(batch)))
        stats.batches += 1
    stats.seconds += time.perf_counter() - started
    return generated, scored


def plan_model(model: Model, work: list[tuple[str, Spec, str]]) -> ModelPlan:
    """Build and run the queries of (key, spec, format) items on one loaded model."""
    plan = ModelPlan()
    for key, spec, format in work:
        plan.queries[key] = queries(model, spec, format)
    gens = [q.generate for qs in plan.queries.values() for q in qs if q.generate is not None]
    scores = [r for qs in plan.queries.values() for q in qs for r in ((q.target,) if q.target else ()) + q.choices]
    plan.generated, plan.scored = run_requests(model, gens, scores, plan.stats)
    return plan


def judge_model_spec(state: EmergentState, name: str) -> None:
    """Make a judge model known to the pool even when it is not one of the models under test."""
    if name in state.pool.specs:
        return
    from ..config import builtin_specs, load_models_file

    config = state.config
    option = config.getoption("emergent_models_file", None) or config.getini("emergent_models_file")
    path = Path(option) if option else config.rootpath / "emergent-models.yaml"
    if option and not path.is_absolute():
        path = Path(config.invocation_params.dir) / path
    known = {s.name: s for s in (load_models_file(path) if path.is_file() else [])}
    known = {**builtin_specs(), **known}
    if name not in known:
        raise LookupError(f"judge model {name!r} is neither in the models file nor a built-in model")
    state.pool.specs[name] = known[name]


def run_judges(state: EmergentState, plan: ModelPlan, work: list[tuple[str, Spec, str]]) -> None:
    """Grade judged items' answers with their judge models, one judge load for all of them."""
    by_judge: dict[str, list[tuple[str, Spec, str]]] = {}
    for key, spec, format in work:
        if spec.check.type == "judge":
            by_judge.setdefault(str(spec.check.options["model"]), []).append((key, spec, format))
    for name, items in by_judge.items():
        try:
            judge_model_spec(state, name)
            judge = state.pool.get(name)  # releases the model under test: its answers are already in
            requests: dict[str, list[GenerateRequest]] = {}
            for key, spec, format in items:
                evidence = plan.evidence(key)
                requests[key] = []
                for case, ev in zip(spec.rendered[format], evidence):
                    text = judge_prompt(spec.check, case, ev.output or "")
                    if judge.backend.supports_chat():
                        requests[key].append(GenerateRequest(text, JUDGE_TOKENS, (), (("user", text),)))
                    else:
                        requests[key].append(GenerateRequest(text + "\nScore:", JUDGE_TOKENS, ()))
            answers, _ = run_requests(judge, [r for rs in requests.values() for r in rs], [], plan.stats)
            for key, rs in requests.items():
                plan.judged[key] = [answers[r] for r in rs]
        except Exception as exc:  # a judge that cannot load fails its items, not the run
            plan.judge_errors[name] = f"judge model {name!r}: {exc}"
