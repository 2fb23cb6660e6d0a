"""The hf backend runs shared tokens once, and its answers stay those of one-at-a-time requests.

Work is counted as the tokens the model's forward passes run (padding left out), never timed: a
few-shot prefix runs once for all batches and calls, the tokens all options of a question begin
with run once, and an expected answer scored after a generated prompt reuses that generation's pass.
"""

from __future__ import annotations

import functools

import pytest

from pytest_emergent.backends import GenerateRequest, LoglikelihoodRequest, load_backend
from pytest_emergent.backends.hf.causal import MAX_RIDER
from pytest_emergent.config import ModelConfig

FEW_SHOT = "Q: What is 12 + 35?\nA: 47\n\nQ: What is 60 + 21?\nA: 81\n\nQ: What is 44 + 38?\nA: 82\n\n"
QUESTIONS = [f"{FEW_SHOT}Q: What is {a} + {b}?\nA:" for a, b in ((66, 24), (92, 89), (10, 5), (71, 18), (33, 33), (5, 95))]
OPTIONS = (" 90", " 91", " 181")


def counting(tiny_dir, batch_size: int = 2):
    """A fresh backend (nothing kept from other tests) that counts the tokens it runs in `ran`."""
    backend = load_backend(ModelConfig(name="tiny", path=str(tiny_dir), options={"batch_size": batch_size}))
    forward = backend.model.forward
    backend.ran = backend.padded = 0

    @functools.wraps(forward)  # keeps the signature: the backend reads the cache argument's name from it
    def counted(*args, **kwargs):
        ids, mask = kwargs["input_ids"], kwargs.get("attention_mask")
        backend.ran += int(mask[:, -ids.shape[1]:].sum()) if mask is not None else ids.numel()
        backend.padded += ids.numel()
        return forward(*args, **kwargs)

    backend.model.forward = counted
    return backend


@pytest.fixture
def tiny(tiny_dir):
    backend = counting(tiny_dir)
    yield backend
    backend.close()


def ids(backend, text: str) -> list[int]:
    return backend.encode(text)


def shared_length(backend, texts: list[str]) -> int:
    rows = [ids(backend, t) for t in texts]
    length = 0
    while all(len(r) > length + 1 and r[length] == rows[0][length] for r in rows):
        length += 1
    return length


def test_the_few_shot_prefix_runs_once_for_all_batches_and_calls(tiny):
    prefix = shared_length(tiny, QUESTIONS)
    assert prefix > 20
    own = sum(len(ids(tiny, q)) - prefix for q in QUESTIONS)
    tiny.generate([GenerateRequest(q, max_new_tokens=1) for q in QUESTIONS])  # 3 batches, no decoding step
    assert own < tiny.ran <= prefix + own  # batch by batch it would be 3 × prefix + own
    tiny.ran = 0
    tiny.generate([GenerateRequest(q, max_new_tokens=1) for q in QUESTIONS])  # a later call: the prefix is kept
    assert tiny.ran <= own


def test_tokens_every_option_begins_with_run_once_per_question(tiny):
    question = QUESTIONS[0]
    pairs = [tiny.split(LoglikelihoodRequest(question, option)) for option in OPTIONS]
    context = pairs[0][0]
    lead = 0
    while all(len(c) > lead + 1 and c[lead] == pairs[0][1][lead] for _, c in pairs):
        lead += 1
    assert lead >= 1  # the space before each number at least
    tiny.loglikelihood([LoglikelihoodRequest(question, option) for option in OPTIONS])
    assert tiny.ran == len(context) + lead + sum(len(c) - lead - 1 for _, c in pairs)


def test_options_of_different_lengths_run_no_padding(tiny):
    options = (" 9", " 181", " 7654329", " 7654321", " 18")  # after the shared space: 1, 3, 7, 7 and 2 tokens
    tiny.loglikelihood([LoglikelihoodRequest(QUESTIONS[0], option) for option in options])
    assert tiny.padded == tiny.ran


def test_scores_equal_one_at_a_time_with_the_shared_work(tiny, tiny_dir):
    requests = [LoglikelihoodRequest(q, option) for q in QUESTIONS for option in OPTIONS + (" 1234567", " 7")]
    batched = tiny.loglikelihood(requests)
    alone = counting(tiny_dir, batch_size=1)
    single = [alone.loglikelihood([r])[0] for r in requests]
    assert [b.n_tokens for b in batched] == [s.n_tokens for s in single]
    assert [b.is_greedy for b in batched] == [s.is_greedy for s in single]
    assert max(abs(b.logprob - s.logprob) for b, s in zip(batched, single)) < 1e-4


def test_an_expected_answer_is_scored_from_the_pass_that_generates_from_its_prompt(tiny, tiny_dir):
    generate = [GenerateRequest(q, max_new_tokens=6) for q in QUESTIONS]  # decoding after the masked answers
    expected = [LoglikelihoodRequest(q, " 90") for q in QUESTIONS] + [LoglikelihoodRequest("Hello", " world")]
    answers, scores = tiny.answer(generate, expected)
    fresh = counting(tiny_dir)
    assert answers == fresh.generate(generate)
    generation = fresh.ran
    apart = fresh.loglikelihood(expected)
    assert [s.n_tokens for s in scores] == [s.n_tokens for s in apart]
    assert max(abs(a.logprob - b.logprob) for a, b in zip(scores, apart)) < 1e-4
    # The prompts ran once: besides the generation's own work, only each answer's tokens after its
    # first, and the one continuation whose context was not generated from, whole.
    after_first = sum(len(tiny.split(r)[1]) - 1 for r in expected[:-1])
    hello = sum(len(part) for part in tiny.split(expected[-1])) - 1
    assert tiny.ran == generation + after_first + hello


def test_a_long_expected_answer_is_scored_on_its_own(tiny, tiny_dir):
    """Past MAX_RIDER tokens an answer does not ride (every prompt of the batch would keep logits
    for as many positions); it is scored as `loglikelihood` scores it, with the same result."""
    long_answer = " " + " ".join(str(n) for n in range(40))
    generate = [GenerateRequest(q, max_new_tokens=1) for q in QUESTIONS[:2]]
    expected = [LoglikelihoodRequest(QUESTIONS[0], long_answer), LoglikelihoodRequest(QUESTIONS[1], " 90")]
    assert len(tiny.split(expected[0])[1]) > MAX_RIDER
    _, scores = tiny.answer(generate, expected)
    apart = counting(tiny_dir).loglikelihood(expected)
    assert max(abs(a.logprob - b.logprob) for a, b in zip(scores, apart)) < 1e-4
    assert [s.n_tokens for s in scores] == [s.n_tokens for s in apart]
