"""A model's spec items are planned together: each distinct request asked once, in one call for both kinds,
through the same Model methods Python tests use; a failed request errors only the cases that asked it."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import ScriptedBackend

from pytest_emergent.backends.base import GenerateRequest, RequestError
from pytest_emergent.capabilities.specs import load_specs
from pytest_emergent.capabilities.specs.planner import plan_model, run_judges
from pytest_emergent.models.model import Model
from pytest_emergent.scale import Scale

SPECS = """
- id: add
  description: addition
  formats: [qa, raw]
  prompt: "What is {{ a }} + {{ b }}?"
  examples: [{a: 1, b: 2}, {a: 2, b: 2}, {a: 1, b: 2}]
  expected: "{{ a + b }}"
  check: number
- id: colour
  description: a choice
  prompt: "The sky is"
  choices: [blue, green]
  examples: [{expected: blue}]
  check: choice
"""


def specs(tmp_path: Path, text: str = SPECS):
    path = tmp_path / "s.yaml"
    path.write_text(text)
    return load_specs(path, "s.yaml")


def work_of(found):
    return [(f"{s.id}-{f}", s, f) for s in found for f in s.formats]


def test_every_request_of_every_item_goes_in_one_call_per_kind_each_distinct_request_once(tmp_path):
    backend = ScriptedBackend(reply=lambda p: "3")
    plan = plan_model(Model("m", backend, Scale(params=1e6)), work_of(specs(tmp_path)))
    assert len(backend.generate_calls) == 1 and len(backend.score_calls) == 1
    generated = backend.generate_calls[0]
    assert len(generated) == len(set(generated)) == 4  # the repeated case is asked once per framing
    assert plan.stats.requested > plan.stats.distinct == 4 + len(backend.score_calls[0])


def test_the_plan_frames_cases_as_the_model_fixture_does(tmp_path):
    backend = ScriptedBackend()
    model = Model("m", backend, Scale(params=1e6))
    plan = plan_model(model, work_of(specs(tmp_path)))
    asked = {r.prompt for r in backend.generate_calls[0]}
    assert model.frame("What is 1 + 2?", "qa").text in asked and "What is 1 + 2?" in asked
    assert plan.queries["add-qa"][0].generate == GenerateRequest("Q: What is 1 + 2?\nA:", 32, ("\n",), None)


def test_a_failed_request_errors_only_the_cases_that_asked_it(tmp_path):
    backend = ScriptedBackend(reply=lambda p: "4", fail_on="2 + 2")
    plan = plan_model(Model("m", backend, Scale(params=1e6)), work_of(specs(tmp_path)))
    failures = [plan.failure(q) for q in plan.queries["add-qa"]]
    assert [f is not None for f in failures] == [False, True, False]
    assert "scripted failure" in failures[1]
    assert all(plan.failure(q) is None for q in plan.queries["colour-raw"])


def test_the_plans_time_is_shared_by_the_items_in_proportion_to_their_requests(tmp_path):
    plan = plan_model(Model("m", ScriptedBackend(), Scale(params=1e6)), work_of(specs(tmp_path)))
    plan.seconds = 10.0
    shares = {key: plan.share(key) for key in plan.queries}
    assert abs(sum(shares.values()) - 10.0) < 1e-9
    assert shares["add-qa"] > shares["colour-raw"] > 0


def test_an_items_answers_sent_to_a_judge_count_in_its_share_of_the_time(tmp_path):
    found = specs(tmp_path, """
- id: plain
  description: generated
  prompt: "Say {{ t }}"
  examples: [{t: a, expected: a}]
  check: exact
- id: judged
  description: judged
  prompt: "Say {{ t }}"
  examples: [{t: b}]
  check: {type: judge, model: grader, rubric: "clear"}
""")
    plan = plan_model(Model("m", ScriptedBackend(reply=lambda p: "x"), Scale(params=1e6)), work_of(found))
    run_judges(plan, work_of(found), lambda name: Model(name, ScriptedBackend(reply=lambda p: "9"), Scale(params=1e6)))
    plan.seconds = 3.0
    # plain: a generation and a target scoring; judged: a generation and one answer judged
    assert plan.share("plain-raw") == pytest.approx(1.5) and plan.share("judged-raw") == pytest.approx(1.5)


def test_judged_answers_go_to_the_judge_in_one_call_and_a_failed_answer_is_not_judged(tmp_path):
    found = specs(tmp_path, """
- id: explain
  description: judged
  prompt: "Explain {{ t }}"
  examples: [{t: gravity}, {t: broken}]
  check: {type: judge, model: grader, rubric: "clear"}
""")
    plan = plan_model(Model("m", ScriptedBackend(reply=lambda p: "an answer", fail_on="broken"), Scale(params=1e6)),
                      work_of(found))
    judge_backend = ScriptedBackend(reply=lambda p: "Score: 9")
    run_judges(plan, work_of(found), lambda name: Model(name, judge_backend, Scale(params=1e6)))
    assert len(judge_backend.generate_calls) == 1 and len(judge_backend.generate_calls[0]) == 1
    assert plan.judged["explain-raw"] == ["Score: 9", None]
    assert isinstance(plan.answers[plan.queries["explain-raw"][1].generate], RequestError)


def test_a_judge_that_cannot_load_is_one_error_for_its_items(tmp_path):
    found = specs(tmp_path, """
- id: explain
  description: judged
  prompt: "Explain {{ t }}"
  examples: [{t: gravity}]
  check: {type: judge, model: grader, rubric: "clear"}
""")
    plan = plan_model(Model("m", ScriptedBackend(reply=lambda p: "x"), Scale(params=1e6)), work_of(found))

    def no_judge(name):
        raise LookupError(f"judge model {name!r} is neither in the models file nor a built-in model")

    run_judges(plan, work_of(found), no_judge)
    assert "judge model 'grader'" in plan.judge_errors["grader"]


def test_a_server_without_prompt_log_probabilities_still_grades_generated_answers(tmp_path):
    """Scoring the expected answer only adds a metric: when it fails, the case is still graded."""
    backend = ScriptedBackend(reply=lambda p: "3", fail_on="3")  # every scoring of the answer "3" fails
    plan = plan_model(Model("m", backend, Scale(params=1e6)), work_of(specs(tmp_path)))
    first = plan.queries["add-qa"][0]
    assert isinstance(plan.answers[first.target], RequestError)
    assert plan.failure(first) is None and plan.evidence("add-qa")[0].target is None
    assert plan.evidence("add-qa")[0].output == "3"


def test_generations_and_scorings_reach_the_backend_in_one_call(tmp_path):
    """One `Backend.answer` call, so a backend can score an expected answer from the pass that
    generates from the same prompt (the hf backend does)."""
    calls = []

    class Joint(ScriptedBackend):
        def answer(self, generate, score):
            calls.append((len(generate), len(score)))
            return super().answer(generate, score)

    plan = plan_model(Model("m", Joint(reply=lambda p: "3"), Scale(params=1e6)), work_of(specs(tmp_path)))
    assert len(calls) == 1 and calls[0][0] == 4 and calls[0][1] > 0
    assert plan.stats.calls == 1
