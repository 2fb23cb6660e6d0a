"""The shipped BIG-Bench Hard specs send the benchmark's own answer-only 3-shot prompts, byte for
byte: compared with the prompts the BBH authors sent (capability_specs/data/bbh/answer-only-prompts/),
as the planner asks them of a model, with no real model needed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fakes import ScriptedBackend

from pytest_emergent.capabilities.specs import load_specs
from pytest_emergent.capabilities.specs.planner import plan_model
from pytest_emergent.models.framing import Shot
from pytest_emergent.models.model import Model
from pytest_emergent.scale import Scale

LIBRARY = Path(__file__).resolve().parents[3] / "capability_specs"
BBH = LIBRARY / "data" / "bbh"
TASKS = ("boolean_expressions", "sports_understanding", "word_sorting")


def reference(task: str) -> list[dict[str, str]]:
    lines = (BBH / "answer-only-prompts" / f"{task}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="module")
def shipped():
    return {spec.id: spec for spec in load_specs(LIBRARY / "bbh.yaml", "bbh.yaml")}


@pytest.mark.parametrize("task", TASKS)
def test_the_planner_sends_the_benchmarks_answer_only_prompts_byte_for_byte(shipped, task):
    spec = shipped[f"bbh/{task}"]
    backend = ScriptedBackend()
    plan = plan_model(Model("m", backend, Scale(params=1e6)), [("item", spec, "qa")])
    sent = [request.prompt for request in backend.generate_calls[0]]
    expected = reference(task)
    assert len(expected) == 3
    for k, published in enumerate(expected):
        assert plan.queries["item"][k].prompt == published["input"]
        assert published["input"] in sent  # as the backend received it
        assert spec.rendered["qa"][k].expected == (published["target"],)


@pytest.mark.parametrize("task", TASKS)
def test_model_frame_gives_the_same_text_from_the_published_exemplars(shipped, task):
    spec = shipped[f"bbh/{task}"]
    exemplars = [Shot(c.prompt, c.target) for c in spec.exemplars["qa"]]
    model = Model("m", ScriptedBackend(), Scale(params=1e6))
    framed = model.frame(spec.rendered["qa"][0].prompt, "qa", shots=exemplars, prefix=spec.prefix)
    assert framed.text == reference(task)[0]["input"] and framed.stop == ("\n",)


def test_the_exemplars_come_from_the_published_prompt_file_in_order_and_are_never_scored(shipped):
    spec = shipped["bbh/word_sorting"]
    assert [c.target for c in spec.exemplars["qa"]] == [
        "costume counterpart oven", "credulity hypochlorite phone ponderosa",
        "arson aspect census mugho newt parthia seismography"]
    assert spec.prefix == "Sort a list of words."
    scored = {c.prompt for c in spec.rendered["qa"]}
    assert not scored & {c.prompt for c in spec.exemplars["qa"]} and len(scored) == 4
    assert all(not indices for indices in spec.shot_indices)  # no case serves as another's example
