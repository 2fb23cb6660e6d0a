"""The hf backend gives the same answers batched as one at a time, on tiny and real models."""

from __future__ import annotations

import pytest

from pytest_emergent.backends import GenerateRequest, LoglikelihoodRequest, load_backend
from pytest_emergent.config import ModelConfig, builtin_models

PROMPTS = [
    "Q: What is the capital of France?\nA:",
    "2 + 3 =",
    "The quick brown fox",
    "Q: What is 12 + 35?\nA:",
    "cola sentence: the course is jumping well",
    "Hello",
    "Once upon a time, in a land far away, there lived a",
    'Is the following sentence acceptable? "The course is jumping well"',
    "Q: When did the deep learning revolution start?\nA:",
]
PAIRS = [(p, c) for p in PROMPTS for c in (" Paris", " 5 and more")][:12]


@pytest.fixture(scope="module")
def tiny(tiny_dir):
    return load_backend(ModelConfig(name="tiny", path=str(tiny_dir), options={"batch_size": 4}))


@pytest.fixture(scope="module", params=["tiny", "smollm2-135m", "gemma3-270m"])
def backend(request, tiny):
    if request.param == "tiny":
        yield tiny
        return
    loaded = load_backend(builtin_models()[request.param])
    yield loaded
    loaded.close()


def test_batched_generation_equals_one_at_a_time(backend):
    requests = [GenerateRequest(p, max_new_tokens=12) for p in PROMPTS]
    assert len({len(p) for p in PROMPTS}) == len(PROMPTS)
    assert backend.generate(requests) == [backend.generate([r])[0] for r in requests]


def test_batched_loglikelihoods_equal_one_at_a_time(backend):
    requests = [LoglikelihoodRequest(c, x) for c, x in PAIRS]
    batched = backend.loglikelihood(requests)
    single = [backend.loglikelihood([r])[0] for r in requests]
    assert [b.n_tokens for b in batched] == [s.n_tokens for s in single]
    assert max(abs(b.logprob - s.logprob) for b, s in zip(batched, single)) < 1e-4


def test_stop_strings_cut_each_row_at_its_own_stop(backend):
    free = backend.generate([GenerateRequest(PROMPTS[6], max_new_tokens=16)])[0]
    assert len(free) > 2
    stop = free[1:3]
    cut, other = backend.generate([GenerateRequest(PROMPTS[6], 16, (stop,)), GenerateRequest(PROMPTS[0], 16)])
    assert cut == free[: free.find(stop)]
    assert other == backend.generate([GenerateRequest(PROMPTS[0], 16)])[0]


def test_token_budget_is_per_row(tiny):
    short, long = tiny.generate([GenerateRequest("Hello", 2), GenerateRequest("Hello", 12)])
    assert long.startswith(short)
    assert len(tiny.tokenizer(short, add_special_tokens=False)["input_ids"]) <= 2


def test_loglikelihood_of_an_empty_continuation_is_zero(tiny):
    (result,) = tiny.loglikelihood([LoglikelihoodRequest("Hello", "")])
    assert (result.logprob, result.n_tokens) == (0.0, 0)


def test_an_empty_context_is_scored_after_the_bos_token(tiny):
    (result,) = tiny.loglikelihood([LoglikelihoodRequest("", "Hello")])
    assert result.logprob < 0 and result.n_tokens >= 1


def test_real_model_answers_the_essays_question_greedily():
    smollm2 = load_backend(builtin_models()["smollm2-135m"])
    try:
        (answer,) = smollm2.generate([GenerateRequest("Q: What is the capital of France?\nA:", 8, ("\n",))])
        assert "Paris" in answer
        assert smollm2.info().params == 134_515_008
        assert "<|im_start|>user" in smollm2.render_chat((("user", "hi"),))
    finally:
        smollm2.close()


def test_a_missing_folder_is_a_clear_error(tmp_path):
    from pytest_emergent.backends import BackendError

    with pytest.raises(BackendError, match="model 'ghost': cannot load from"):
        load_backend(ModelConfig(name="ghost", path=str(tmp_path / "nothing-here")))


def test_chat_turns_go_through_the_template(tiny):
    from pytest_emergent.backends.hf.causal import CausalBackend as HFBackend

    assert isinstance(tiny, HFBackend) and not tiny.supports_chat()
    smollm2 = load_backend(builtin_models()["smollm2-135m"])
    try:
        reply = smollm2.generate([GenerateRequest("", 12, (), (("user", "What is the capital of France?"),))])[0]
        assert "Paris" in reply
    finally:
        smollm2.close()


def test_rows_that_stop_early_leave_the_batch_without_changing_the_others(tiny):
    long_request = GenerateRequest(PROMPTS[6], 20)
    alone = tiny.generate([long_request])[0]
    mixed = tiny.generate([GenerateRequest(p, 1) for p in PROMPTS[:5]] + [long_request])
    assert mixed[-1] == alone


FEW_SHOT = "Q: What is 12 + 35?\nA: 47\n\nQ: What is 60 + 21?\nA: 81\n\nQ: What is 44 + 38?\nA: 82\n\n"
SHARED = [f"{FEW_SHOT}Q: What is {a} + {b}?\nA:" for a, b in ((66, 24), (92, 89), (10, 5), (71, 18), (33, 33), (5, 95))]


def test_prompts_with_a_shared_prefix_answer_as_one_at_a_time(backend):
    requests = [GenerateRequest(p, max_new_tokens=6, stop=("\n",)) for p in SHARED]
    assert backend.generate(requests) == [backend.generate([r])[0] for r in requests]
    scored = [LoglikelihoodRequest(p, f" {c}") for p in SHARED for c in ("90", "181", "15")]
    batched = backend.loglikelihood(scored)
    single = [backend.loglikelihood([r])[0] for r in scored]
    assert max(abs(b.logprob - s.logprob) for b, s in zip(batched, single)) < 1e-4


def test_an_answer_scored_in_its_generation_pass_changes_neither_result(backend):
    """`answer` scores each expected answer in the pass that generates from its prompt, then masks
    it out: the generations and the scores are those of `generate` and `loglikelihood` apart."""
    generate = [GenerateRequest(p, max_new_tokens=6, stop=("\n",)) for p in SHARED]
    # Long wrong answers: were they left in the context, the generations would follow them.
    expected = [LoglikelihoodRequest(p, f" {n} thousand and {n}") for p, n in zip(SHARED, (7, 31, 512))]
    answers, scores = backend.answer(generate, expected + [LoglikelihoodRequest(SHARED[0], " 91")])
    assert answers == backend.generate(generate)
    apart = backend.loglikelihood(expected + [LoglikelihoodRequest(SHARED[0], " 91")])
    assert [(s.n_tokens, s.is_greedy) for s in scores] == [(s.n_tokens, s.is_greedy) for s in apart]
    assert max(abs(a.logprob - b.logprob) for a, b in zip(scores, apart)) < 1e-4
