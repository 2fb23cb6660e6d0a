"""Requests are counted as the work goes: per batch in the backends (requests, not batches), the
cache's hits at once, one task per model for the planner, long lists of a Python test."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import ScriptedBackend
from tiny import build_t5

from pytest_emergent.backends import GenerateRequest, LoglikelihoodRequest, load_backend
from pytest_emergent.capabilities.specs import load_specs
from pytest_emergent.capabilities.specs.planner import plan_model
from pytest_emergent.config import ModelConfig
from pytest_emergent.engine.cache import ResponseCache
from pytest_emergent.engine.cached import CachedBackend
from pytest_emergent.models.model import LONG_LIST, Model
from pytest_emergent.progress import track
from pytest_emergent.scale import Scale


class Steps:
    """A display that keeps each task's count at every step, and how tasks ended."""

    def __init__(self) -> None:
        self.counts: list[tuple[str, int, int]] = []  # (label, done, total)
        self.ended: list[tuple[str, int, bool]] = []

    def update(self, task) -> None:
        self.counts.append((task.label, task.done, task.total))

    def end(self, task, finished: bool) -> None:
        self.ended.append((task.label, task.done, finished))


def counted(backend, call: str, requests: list) -> list[int]:
    steps = Steps()
    with track("m", len(requests), steps):
        getattr(backend, call)(requests)
    return [done for _, done, _ in steps.counts]


@pytest.fixture(scope="module")
def tiny(tiny_dir):
    return load_backend(ModelConfig(name="tiny", path=str(tiny_dir), options={"batch_size": 4}))


@pytest.fixture(scope="module")
def t5(tmp_path_factory):
    return load_backend(ModelConfig(name="t5", path=str(build_t5(tmp_path_factory.mktemp("t5"))),
                                    options={"batch_size": 4}))


def test_a_decoder_counts_its_generations_batch_by_batch(tiny_dir):
    # batch size 1: short prompts go GROWTH = 4 rows a generation batch (batch.token_batches)
    one = load_backend(ModelConfig(name="tiny", path=str(tiny_dir), options={"batch_size": 1}))
    requests = [GenerateRequest(f"Number {i} is", max_new_tokens=2) for i in range(10)]
    assert counted(one, "generate", requests) == [4, 8, 10]


def test_a_decoder_counts_its_scorings_by_the_continuations_each_batch_scored(tiny):
    requests = [LoglikelihoodRequest(f"Number {i} is", option) for i in range(10) for option in (" big", " small")]
    steps = counted(tiny, "loglikelihood", requests)
    assert steps[-1] == 20 and len(steps) == 2  # 16 continuations (4 contexts × 4 rows), then the rest


@pytest.mark.parametrize("call", ["generate", "loglikelihood"])
def test_an_encoder_decoder_counts_its_requests_batch_by_batch(t5, call):
    requests = ([GenerateRequest(f"Number {i} is", max_new_tokens=2) for i in range(6)] if call == "generate"
                else [LoglikelihoodRequest(f"Number {i} is", " big") for i in range(6)])
    assert counted(t5, call, requests) == [4, 6]


def test_answers_from_the_response_cache_count_at_once_as_cached(tmp_path):
    cache = ResponseCache(tmp_path)
    requests = [GenerateRequest(f"q{i}") for i in range(6)]
    CachedBackend("m", ScriptedBackend(), cache, "fp").generate(requests[:4])
    steps = Steps()
    with track("m", 6, steps) as task:
        CachedBackend("m", ScriptedBackend(), cache, "fp").generate(requests)
    assert steps.counts[0] == ("m", 4, 6) and task.cached == 4


def test_a_long_list_from_a_python_test_is_one_task_and_a_short_one_none():
    steps = Steps()
    model = Model("m", ScriptedBackend(), Scale(params=1e6), progress=steps)
    model.generate([f"q{i}" for i in range(LONG_LIST - 1)])
    assert steps.ended == []
    model.generate([f"q{i}" for i in range(LONG_LIST)] * 2)  # the repeated half is asked once
    assert steps.ended == [("m", LONG_LIST, True)]
    assert steps.counts == [("m", LONG_LIST, LONG_LIST)]  # a backend that does not count: all at the end


def test_the_plan_of_a_model_is_one_task_of_its_generations_and_scorings(tmp_path: Path):
    path = tmp_path / "s.yaml"
    path.write_text("""
- id: add
  description: addition
  prompt: "What is {{ a }} + {{ b }}?"
  examples: [{a: 1, b: 2}, {a: 2, b: 2}, {a: 3, b: 2}]
  expected: "{{ a + b }}"
  check: number
- id: colour
  description: a choice
  prompt: "The sky is"
  choices: [blue, green, red]
  examples: [{expected: blue}]
  check: choice
""")
    steps = Steps()
    backend = ScriptedBackend(reply=lambda p: "3")
    plan_model(Model("m", backend, Scale(params=1e6), progress=steps),
               [(f"{s.id}-{f}", s, f) for s in load_specs(path, "s.yaml") for f in s.formats])
    asked = len(backend.generate_calls[0]) + len(backend.score_calls[0])
    assert steps.ended == [("m", asked, True)]
    assert {total for _, _, total in steps.counts} == {asked}
