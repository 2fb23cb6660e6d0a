"""Generations and scorings asked together (`Backend.answer`) go through every layer in one call:
the model, the response cache (what it lacks of either kind, in one call), the recording."""

from __future__ import annotations

import json

from fakes import ScriptedBackend

from pytest_emergent import Model, Scale
from pytest_emergent.backends.base import GenerateRequest, LoglikelihoodRequest
from pytest_emergent.engine.cache import ResponseCache
from pytest_emergent.engine.cached import CachedBackend
from pytest_emergent.engine.recording import Recorder, RecordingBackend

GEN = [GenerateRequest("Q: 1 + 2?\nA:", 4, ("\n",)), GenerateRequest("Q: 2 + 2?\nA:", 4, ("\n",))]
SCORE = [LoglikelihoodRequest("Q: 1 + 2?\nA:", " 3"), LoglikelihoodRequest("Q: 2 + 2?\nA:", " 4")]


class Joint(ScriptedBackend):
    """Counts `answer` calls besides the per-kind calls its default makes."""

    def __init__(self):
        super().__init__(reply=lambda p: " 3")
        self.answer_calls: list[tuple[list, list]] = []

    def answer(self, generate, score):
        self.answer_calls.append((list(generate), list(score)))
        return super().answer(generate, score)


def test_model_ask_is_one_backend_call_with_duplicates_asked_once_and_each_kind_observed():
    backend, seen = Joint(), []
    model = Model("m", backend, Scale(params=1e6), observer=lambda kind, requests, answers: seen.append(kind))
    generated, scored = model.ask(GEN + GEN[:1], SCORE + SCORE)
    assert backend.answer_calls == [(GEN, SCORE)]
    assert generated == [" 3", " 3", " 3"] and [s.logprob for s in scored] == [-2.0, -2.0, -2.0, -2.0]
    assert seen == ["generate", "loglikelihood"]


def test_the_cache_sends_what_it_lacks_of_both_kinds_in_one_call(tmp_path):
    backend = Joint()
    cached = CachedBackend("m", backend, ResponseCache(tmp_path), "fingerprint")
    first = cached.answer(GEN[:1], SCORE[:1])
    assert backend.answer_calls == [(GEN[:1], SCORE[:1])]
    again = cached.answer(GEN, SCORE)  # the first of each kind is cached now
    assert backend.answer_calls[1] == (GEN[1:], SCORE[1:])
    assert again[0][0] == first[0][0] and again[1][0] == first[1][0]
    cached.answer(GEN, SCORE)
    assert len(backend.answer_calls) == 2 and cached.hits == 2 + 4


def test_the_recording_keeps_both_kinds_of_a_joint_call(tmp_path):
    recorder = Recorder(tmp_path / "run.jsonl", fresh=True)
    RecordingBackend("m", Joint(), recorder).answer(GEN, SCORE)
    kinds = [json.loads(line)["request"]["kind"] for line in (tmp_path / "run.jsonl").read_text().splitlines()]
    assert kinds == ["generate", "generate", "loglikelihood", "loglikelihood"]
