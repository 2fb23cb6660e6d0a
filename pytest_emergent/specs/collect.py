"""YAML spec files as pytest items: one per capability × format × model.

Items carry the same stash keys as Python capability tests, so the plugin's outcome rewrite,
reports and JSON entries treat both alike. Running an item only grades: the planner has
already asked the model everything its spec items need.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from ..requirements import Requirement
from ..session import MODEL_KEY, REQUIREMENT_KEY
from .planner import ModelPlan, plan_model, run_judges
from .types import Spec
from .validate import SpecFileError, load_specs
from .yamlio import SpecError

DEFAULT_GLOB = "capability_specs/**/*.yaml"
SHOWN_FAILURES = 5


@lru_cache(maxsize=64)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """A path glob where ** spans folders and * stays inside one."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def matches(path: Path, roots: list[Path], patterns: list[str]) -> bool:
    """Whether `path` matches a pattern: an absolute one as it is, a relative one relative to any
    of `roots` (the rootdir, and the folder pytest was started in: pytest may pick a rootdir
    above the project when an option's value is an absolute path, `--emergent-ledger /x`)."""
    absolute = path.resolve().as_posix()
    relatives = []
    for root in roots:
        try:
            relatives.append(path.resolve().relative_to(root.resolve()).as_posix())
        except ValueError:
            pass
    return any(_glob_regex(p).match(absolute) if p.startswith("/") else any(_glob_regex(p).match(r) for r in relatives)
               for p in patterns)


def collect_file(file_path: Path, parent: pytest.Collector) -> pytest.File | None:
    """The pytest_collect_file hook's work: a SpecFile for files that match `emergent_specs`."""
    if file_path.suffix not in (".yaml", ".yml"):
        return None
    config = parent.config
    patterns = config.getini("emergent_specs") or [DEFAULT_GLOB]
    if not matches(file_path, [config.rootpath, Path(config.invocation_params.dir)], patterns):
        return None
    return SpecFile.from_parent(parent, path=file_path)


class SpecFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        from ..plugin import STATE_KEY

        state = self.config.stash[STATE_KEY]
        try:
            shown = self.path.relative_to(self.config.rootpath).as_posix()
        except ValueError:
            shown = str(self.path)
        try:
            specs = load_specs(self.path, shown, state.tiers)
        except (SpecFileError, SpecError) as exc:
            # One error for the file, reported as an item so that pytest does not stop the whole
            # session (as it does on a collection error): the other spec files still run.
            yield BrokenSpec.from_parent(self, name="broken-spec", message=str(exc))
            return
        # Ids are what baselines and the ledger key on: one id, one entry, across all files.
        taken = [f"{shown}{f':{spec.line}' if spec.line else ''}: entry '{spec.id}': field 'id': duplicate id; first used in "
                 f"{state.spec_ids[spec.id]}" for spec in specs if state.spec_ids.get(spec.id, shown) != shown]
        if taken:
            yield BrokenSpec.from_parent(self, name="broken-spec", message="\n".join(taken))
            return
        for spec in specs:
            state.spec_ids[spec.id] = shown
        for spec in specs:
            for format in spec.formats:
                for name in state.model_names:
                    yield SpecItem.from_parent(self, name=f"{spec.id}[{format}-{name}]", spec=spec,
                                               format=format, model_name=name)


class BrokenSpec(pytest.Item):
    """Stands for a spec file that does not validate: it errors at setup with the whole message
    and no traceback (pytest formats setup errors itself, so `repr_failure` would not be asked)."""

    def __init__(self, *, message: str, **kwargs: Any):
        super().__init__(**kwargs)
        self.message = message

    def setup(self) -> None:
        __tracebackhide__ = True
        pytest.fail(self.message, pytrace=False)

    def runtest(self) -> None:  # never reached: setup fails
        pytest.fail(self.message, pytrace=False)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"{self.path.name}: broken capability spec"


class SpecCasesFailed(AssertionError):
    """The pass rate is below the threshold; the message shows the first failing cases."""


class SpecItem(pytest.Item):
    def __init__(self, *, spec: Spec, format: str, model_name: str, **kwargs: Any):
        super().__init__(**kwargs)
        self.spec, self.format, self.model_name = spec, format, model_name
        self.stash[MODEL_KEY] = model_name
        self.stash[REQUIREMENT_KEY] = Requirement(spec.scale, spec.traits, None, spec.capability(format),
                                                  spec.prerequisites)

    @property
    def key(self) -> str:
        return self.nodeid

    @property
    def uses_sandbox(self) -> bool:
        return self.spec.check.type == "code"

    def setup(self) -> None:
        from ..plugin import attach_model

        attach_model(self, self.model_name)
        if self.uses_sandbox:
            _check_isolation(self)

    def runtest(self) -> None:
        from ..checks import grade_cases
        from ..plugin import SCORE_KEY

        plan = _planner(self).plan_for(self)
        if plan.error:
            pytest.fail(plan.error, pytrace=False)
        judge_error = plan.judge_errors.get(str(self.spec.check.options.get("model")))
        if self.spec.check.type == "judge" and judge_error:
            pytest.fail(judge_error, pytrace=False)
        cases = list(self.spec.rendered[self.format])
        grades = grade_cases(self.spec.check, cases, plan.evidence(self.key), self.spec.file.parent)
        passed = sum(g.passed for g in grades)
        score = passed / len(grades)
        metrics: dict[str, Any] = {"cases": len(grades), "passed": passed}
        for name in sorted({k for g in grades for k in g.metrics}):
            values = [g.metrics[name] for g in grades if name in g.metrics]
            metrics[name] = sum(values) / len(values)
        if self.spec.metric_name:
            metrics[self.spec.metric_name] = score
        modes = sorted({g.isolation for g in grades if g.isolation})
        if modes:
            metrics["isolation"] = ", ".join(modes)
        record = self.stash[SCORE_KEY]
        record.score, record.threshold = score, self.spec.threshold
        record.metrics.update(metrics)
        if score < self.spec.threshold:
            lines = [f"{self.spec.capability(self.format)} on {self.model_name}: pass rate {score:.3g} "
                     f"({passed}/{len(grades)}) is below the threshold {self.spec.threshold:g}"]
            failing = [(i, g) for i, g in enumerate(grades) if not g.passed][:SHOWN_FAILURES]
            for i, grade in failing:
                lines.append(f"  case {i}: {cases[i].prompt[:60]!r}: {grade.detail}")
            raise SpecCasesFailed("\n".join(lines))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, SpecCasesFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, (self.spec.line - 1) if self.spec.line else None, f"{self.spec.capability(self.format)} on {self.model_name}"


def _check_isolation(item: SpecItem) -> None:
    """Model code runs under the session's --emergent-isolation; `require` that this machine
    cannot meet is an error of the item (status error), before any of its code runs."""
    from ..checks.sandbox import SandboxUnavailable, current_isolation, set_policy
    from ..plugin import STATE_KEY

    set_policy(item.config.stash[STATE_KEY].isolation)
    try:
        current_isolation()
        return
    except SandboxUnavailable as exc:
        message = str(exc)
    pytest.fail(message, pytrace=False)


class _Planner:
    """Per-session: one plan per model, made when its first spec item runs."""

    def __init__(self) -> None:
        self.plans: dict[str, ModelPlan] = {}

    def plan_for(self, item: SpecItem) -> ModelPlan:
        name = item.model_name
        if name not in self.plans:
            from ..plugin import STATE_KEY

            state = item.config.stash[STATE_KEY]
            peers = [it for it in item.session.items if isinstance(it, SpecItem) and it.model_name == name]
            work = [(it.key, it.spec, it.format) for it in peers]
            try:
                plan = plan_model(state.pool.get(name), work)
            except Exception as exc:  # one clear message for every item of this model
                plan = ModelPlan(error=f"planned requests of model {name} failed: {type(exc).__name__}: {exc}")
            else:
                run_judges(state, plan, work)
            self.plans[name] = plan
        return self.plans[name]


PLANNER_KEY = pytest.StashKey[_Planner]()


def _planner(item: pytest.Item) -> _Planner:
    if PLANNER_KEY not in item.config.stash:
        item.config.stash[PLANNER_KEY] = _Planner()
    return item.config.stash[PLANNER_KEY]
