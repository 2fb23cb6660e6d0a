"""Encoder-decoder models: the same answers batched as one at a time."""

from __future__ import annotations

import pytest
from tiny import build_t5

from pytest_emergent.backends import GenerateRequest, LoglikelihoodRequest, load_backend
from pytest_emergent.backends.hf.seq2seq import Seq2SeqBackend
from pytest_emergent.config import ModelConfig

PROMPTS = ["cola sentence: the course is jumping well", "Hello", "2 + 3 =", "The quick brown fox jumps",
           "Q: What is the capital of France?\nA:", "Once upon a time there lived a king", "yes", "no no no no"]


@pytest.fixture(scope="module")
def t5(tmp_path_factory):
    folder = build_t5(tmp_path_factory.mktemp("tiny-t5"))
    return load_backend(ModelConfig(name="t5", path=str(folder), options={"batch_size": 3}))


def test_a_t5_folder_loads_as_an_encoder_decoder_backend(t5):
    assert isinstance(t5, Seq2SeqBackend) and t5.info().details["encoder_decoder"] is True


def test_t5_batched_generation_equals_one_at_a_time(t5):
    requests = [GenerateRequest(p, max_new_tokens=6 + i % 3) for i, p in enumerate(PROMPTS)]
    assert t5.generate(requests) == [t5.generate([r])[0] for r in requests]


def test_t5_batched_loglikelihoods_equal_one_at_a_time(t5):
    requests = [LoglikelihoodRequest(p, t) for p in PROMPTS for t in (" acceptable", " no")]
    batched = t5.loglikelihood(requests)
    single = [t5.loglikelihood([r])[0] for r in requests]
    assert max(abs(b.logprob - s.logprob) for b, s in zip(batched, single)) < 1e-4
    assert all(b.n_tokens == s.n_tokens > 0 for b, s in zip(batched, single))
