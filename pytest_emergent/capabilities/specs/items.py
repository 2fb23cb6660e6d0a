"""A YAML capability on one model in one framing, as a pytest item.

Items carry the same stash keys as Python capability tests, so the outcome rewrite, reports and
JSON entries treat both alike. Running an item only grades: the model's plan (planner.py) has
already asked everything its spec items need. Every case is kept as evidence: the prompt as
sent, the output or the choice scores, the expected answer, the verdict and its metrics.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from ...backends import BackendError
from ...checks import Evidence, Grade, grade_cases
from ...checks.python_check import GradingError
from ...results import CaseRecord
from ...stash import CAPABILITY_KEY, MODEL_KEY, SHEET_KEY, STATE_KEY
from ..requirements import Capability, Requirement
from ..scoresheet import case_id
from .entry import Spec
from .planner import ModelPlan, Query, plan_model, run_judges

SHOWN_FAILURES = 5


class SpecCasesFailed(AssertionError):
    """The pass rate is below the threshold; the message shows the first failing cases."""


class SpecItem(pytest.Item):
    def __init__(self, *, spec: Spec, format: str, model_name: str, **kwargs: Any):
        super().__init__(**kwargs)
        self.spec, self.format, self.model_name = spec, format, model_name
        self.planned_seconds = 0.0  # the whole plan's time, when this item's run made the plan
        self.stash[MODEL_KEY] = model_name
        requirement = Requirement(spec.scale, spec.traits, None, None, spec.prerequisites)
        self.stash[CAPABILITY_KEY] = Capability(spec.capability(format), requirement, spec.fingerprint(format), "spec")

    @property
    def uses_sandbox(self) -> bool:
        return self.spec.check.type == "code"

    def setup(self) -> None:
        """Model code runs under the session's --emergent-isolation; `require` that this machine
        cannot meet is an error of the item (status error), before any of its code runs."""
        __tracebackhide__ = True
        if self.uses_sandbox:
            from ...checks.sandbox import SandboxUnavailable, choose_isolation

            try:
                choose_isolation(self.config.stash[STATE_KEY].settings.isolation)
                return
            except SandboxUnavailable as exc:
                problem = str(exc)
            pytest.fail(problem, pytrace=False)

    def runtest(self) -> None:
        plan = plan_for(self)
        if plan.error:
            raise BackendError(plan.error)
        judge_error = plan.judge_errors.get(str(self.spec.check.options.get("model")))
        if self.spec.check.type == "judge" and judge_error:
            raise BackendError(judge_error)
        records, grades = self._grade(plan)
        sheet = self.stash[SHEET_KEY]
        sheet.cases[:] = records
        failed = [r for r in records if r.error is not None]
        if failed:
            raise BackendError(f"{self.spec.capability(self.format)} on {self.model_name}: {len(failed)} of "
                               f"{len(records)} cases could not be asked: {failed[0].error}")
        passed = sum(g.passed for g in grades)
        score = passed / len(grades)
        metrics: dict[str, Any] = {"cases": len(grades), "passed": passed}
        for name in sorted({k for g in grades for k in g.metrics}):
            values = [g.metrics[name] for g in grades if name in g.metrics]
            metrics[name] = sum(values) / len(values)
        for name in self.spec.score_names():
            metrics[name] = score
        modes = sorted({g.isolation for g in grades if g.isolation})
        if modes:  # the sandbox modes the model's code ran under
            metrics["isolation"] = ", ".join(modes)
        sheet.score, sheet.threshold = score, self.spec.threshold
        sheet.chance, sheet.tau = self.spec.chance, self.spec.tau
        levels = self.spec.levels.get(self.format)
        sheet.levels = None if levels is None else dict(levels)
        sheet.metrics.update(metrics)
        if score < self.spec.threshold:
            raise SpecCasesFailed(self._failure_message(records, passed))

    def _grade(self, plan: ModelPlan) -> tuple[list[CaseRecord], list[Grade]]:
        """Every case's record; the cases whose requests were answered are graded."""
        key, cases = self.nodeid, self.spec.rendered[self.format]
        queries, evidence = plan.queries[key], plan.evidence(key)
        replies = plan.judged.get(key) or [None] * len(cases)
        errors = [plan.failure(q, reply) for q, reply in zip(queries, replies)]
        answered = [i for i, error in enumerate(errors) if error is None]
        state = self.config.stash[STATE_KEY]
        grades = grade_cases(self.spec.check, [cases[i] for i in answered], [evidence[i] for i in answered],
                             self.spec.file.parent, state.cache.get(), state.settings.isolation) if answered else []
        by_case = dict(zip(answered, grades))
        ids = _case_ids([case.variables for case in cases])
        records = [_record(ids[i], queries[i], cases[i], evidence[i], by_case.get(i), errors[i])
                   for i in range(len(cases))]
        return records, grades

    def _failure_message(self, records: list[CaseRecord], passed: int) -> str:
        lines = [f"{self.spec.capability(self.format)} on {self.model_name}: pass rate {passed / len(records):.3g} "
                 f"({passed}/{len(records)}) is below the threshold {self.spec.threshold:g}"]
        cases = self.spec.rendered[self.format]
        failing = [(i, r) for i, r in enumerate(records) if r.passed is False][:SHOWN_FAILURES]
        lines += [f"  case {i}: {cases[i].prompt[:60]!r}: {record.detail}" for i, record in failing]
        return "\n".join(lines)

    def own_duration(self, duration: float) -> float:
        """This item's part of its model's batched plan, instead of the whole plan for the item
        that happened to run it first and nothing for the others."""
        plan = self.config.stash[STATE_KEY].plans.get(self.model_name)
        if plan is None or not plan.queries:  # no plan, or one that failed: the time stays where it was spent
            return duration
        return max(0.0, duration - self.planned_seconds) + plan.share(self.nodeid)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, (SpecCasesFailed, BackendError, GradingError)):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        line = (self.spec.line - 1) if self.spec.line else None
        return self.path, line, f"{self.spec.capability(self.format)} on {self.model_name}"


def _case_ids(variables: list[Any]) -> list[str]:
    """Stable ids from the cases' variables; a case listed twice gets `#2`, `#3`..."""
    seen: dict[str, int] = {}
    out = []
    for value in variables:
        ident = case_id(value)
        seen[ident] = seen.get(ident, 0) + 1
        out.append(ident if seen[ident] == 1 else f"{ident}#{seen[ident]}")
    return out


def _record(ident: str, query: Query, case: Any, evidence: Evidence, grade: Grade | None,
            error: str | None) -> CaseRecord:
    choices = tuple(case.choices) or None
    scores = tuple(s.logprob for s in evidence.choices) if choices and error is None else None
    return CaseRecord(ident, None if grade is None else grade.passed, query.prompt,
                      evidence.output if isinstance(evidence.output, str) else None, tuple(case.expected), choices,
                      scores, dict(grade.metrics) if grade else {}, grade.detail if grade else "", error)


def plan_for(item: SpecItem) -> ModelPlan:
    """The plan of the item's model, made by its first spec item for all of them."""
    state = item.config.stash[STATE_KEY]
    name = item.model_name
    if name not in state.plans:
        peers = [it for it in item.session.items if isinstance(it, SpecItem) and it.model_name == name]
        work = [(it.nodeid, it.spec, it.format) for it in peers]
        started = time.perf_counter()
        model = state.pool.get(name)
        observer, model.observer = model.observer, None  # the plan's requests are no one item's calls
        try:
            plan = plan_model(model, work)
        except Exception as exc:  # noqa: BLE001 - one clear message for every item of this model
            plan = ModelPlan(error=f"planned requests of model {name} failed: {type(exc).__name__}: {exc}")
        else:
            run_judges(plan, work, state.judge_model)
        finally:
            model.observer = observer
        state.plans[name] = plan
        item.planned_seconds = plan.seconds = time.perf_counter() - started
    return state.plans[name]
