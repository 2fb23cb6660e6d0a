"""The in-process vllm backend against the hf backend on the built-in SmolLM2-135M (float32, CPU build).

Both run the same weights (the dequantised copy of the GGUF file) from the same token ids. vLLM
batches differently, so greedy text may part where two tokens are nearly tied: most prompts must
agree exactly (the others are printed; run with -s), log-likelihoods within 0.2 nats.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from pytest_emergent.backends import BackendError, GenerateRequest, LoglikelihoodRequest, load_backend
from pytest_emergent.config import parse_spec_string

SHOTS = [(12, 34), (56, 11), (40, 40)]
FEW_SHOT = "".join(f"Q: What is {a} + {b}?\nA: {a + b}\n\n" for a, b in SHOTS)
QUESTIONS = [(23, 19), (70, 21), (33, 33), (15, 62), (48, 27), (81, 9)]

GENERATE = [
    *(GenerateRequest(f"Q: {q}\nA:", 24, ("\n",)) for q in (
        "What is the capital of France?", "What is the capital of Japan?", "Who wrote Hamlet?",
        "What color is the sky?", "What is 2 + 3?", "How many legs does a spider have?")),
    *(GenerateRequest(p, 24) for p in ("Once upon a time", "The quick brown fox", "def fibonacci(n):",
                                       "In 1969, the first", "My favourite food is", "")),
    *(GenerateRequest(f"{FEW_SHOT}Q: What is {a} + {b}?\nA:", 8, ("\n",)) for a, b in QUESTIONS),
    GenerateRequest("List three fruits:", 32, (".", "\n\n")),
    GenerateRequest("The capital of Germany is", 1),
    GenerateRequest("", 24, (), (("user", "What is the capital of Italy? Answer in one word."),)),
    GenerateRequest("", 32, (), (("system", "You are terse."), ("user", "Name a prime number."))),
    GenerateRequest("", 32, ("\n",), (("user", "Write a haiku about the sea."),)),
]

OPTIONS = [[str(a + b + d) for d in (0, 1, -10, 10)] for a, b in QUESTIONS]
SCORE = [
    *(LoglikelihoodRequest(c, x) for c, x in (
        ("The capital of France is", " Paris"), ("Q: What is 2 + 3?\nA:", " 5"), ("Hello, my name", " is"),
        ("cola sentence: the course is jumping well.", " unacceptable"), ("Once upon a time", " there was a king"),
        ("", "Hello world"), ("The history of Rome", " began with the founding of the city in 753 BC by Romulus."),
        ("<|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant\n", "Paris"))),
    *(LoglikelihoodRequest(f"{FEW_SHOT}Q: What is {a} + {b}?\nA:", " " + option)
      for (a, b), options in zip(QUESTIONS, OPTIONS) for option in options),
]


def test_greedy_text_equals_the_hf_backends_on_most_prompts_in_one_engine_call(vllm_model, hf_model):
    calls = vllm_model.engine_calls
    served = vllm_model.generate(GENERATE)
    assert vllm_model.engine_calls == calls + 1
    reference = hf_model.generate(GENERATE)
    differ = [(r, a, b) for r, a, b in zip(GENERATE, served, reference) if a != b]
    print(f"\ngreedy text identical on {len(GENERATE) - len(differ)} of {len(GENERATE)} prompts")
    for request, a, b in differ:
        print(f"  differs: {(request.messages or request.prompt)!r:.70}\n    vllm {a!r}\n    hf   {b!r}")
    assert len(differ) <= len(GENERATE) // 10
    assert served[:5] == reference[:5]  # the plain questions: no near ties there
    assert "Paris" in served[0] and not any(s in out for r, out in zip(GENERATE, served) for s in r.stop if s)


def test_log_likelihoods_are_within_0_2_nats_of_the_hf_backends_in_one_engine_call(vllm_model, hf_model):
    calls = vllm_model.engine_calls
    served = vllm_model.loglikelihood(SCORE)
    assert vllm_model.engine_calls == calls + 1
    reference = hf_model.loglikelihood(SCORE)
    assert [s.n_tokens for s in served] == [r.n_tokens for r in reference]
    gaps = [abs(s.logprob - r.logprob) for s, r in zip(served, reference)]
    greedy_differs = [req for req, s, r in zip(SCORE, served, reference) if s.is_greedy != r.is_greedy]
    print(f"\nlog-likelihood gap vllm vs hf over {len(SCORE)} pairs: largest {max(gaps):.2e} nats, "
          f"mean {sum(gaps) / len(gaps):.2e}; is_greedy differs on {len(greedy_differs)}")
    assert max(gaps) < 0.2
    assert len(greedy_differs) <= len(SCORE) // 10
    per_question = len(OPTIONS[0])
    picks = [max(range(per_question), key=lambda k, q=q, res=res: res[8 + q * per_question + k].logprob)
             for res in (served, reference) for q in range(len(QUESTIONS))]
    assert picks[: len(QUESTIONS)] == picks[len(QUESTIONS):]  # the same multiple-choice answers


def test_few_shot_prompts_share_their_prefix_through_the_prefix_cache(vllm_model):
    long_prefix = FEW_SHOT * 8  # about 450 tokens: several of vLLM's blocks
    prompts = [GenerateRequest(f"{long_prefix}Q: What is {a} + {b}?\nA:", 4, ("\n",)) for a, b in QUESTIONS]
    prefix_tokens = len(vllm_model.tokenizer(long_prefix)["input_ids"])
    block = vllm_model.llm.llm_engine.vllm_config.cache_config.block_size
    before = vllm_model.cached_tokens
    vllm_model.generate(prompts)
    shared_blocks = prefix_tokens // block
    assert shared_blocks >= 1, "the prefix must fill a block for the test to mean anything"
    assert vllm_model.cached_tokens - before >= (len(prompts) - 1) * shared_blocks * block


def test_the_options_of_a_long_few_shot_question_share_its_context_through_the_prefix_cache(vllm_model, hf_model):
    long_prefix = FEW_SHOT * 8
    requests = [LoglikelihoodRequest(f"{long_prefix}Q: What is {a} + {b}?\nA:", " " + option)
                for (a, b), options in zip(QUESTIONS[:3], OPTIONS) for option in options]
    prefix_tokens = len(vllm_model.tokenizer(long_prefix)["input_ids"])
    block = vllm_model.llm.llm_engine.vllm_config.cache_config.block_size
    before = vllm_model.cached_tokens
    served = vllm_model.loglikelihood(requests)
    assert vllm_model.cached_tokens - before >= (len(requests) - 1) * (prefix_tokens // block) * block
    reference = hf_model.loglikelihood(requests)
    assert max(abs(s.logprob - r.logprob) for s, r in zip(served, reference)) < 0.2
    assert [s.is_greedy for s in served] == [r.is_greedy for r in reference]


def test_a_continuation_inside_the_cached_prefix_is_scored_again_in_full(vllm_model, hf_model):
    """A prompt read from the cache up into its continuation has no log-probabilities there."""
    story = " and then the dragon flew over the mountains of the north" * 24  # several blocks
    longer, shorter = LoglikelihoodRequest("Story:", story + " again."), LoglikelihoodRequest("Story:", story)
    vllm_model.loglikelihood([longer])  # its blocks are now cached, covering most of `shorter`
    before = vllm_model.rescored
    (served,) = vllm_model.loglikelihood([shorter])
    assert vllm_model.rescored == before + 1
    (reference,) = hf_model.loglikelihood([shorter])
    assert abs(served.logprob - reference.logprob) < 0.2 and served.n_tokens == reference.n_tokens


def test_chat_turns_render_as_the_hf_backend_renders_them_and_the_model_describes_itself(vllm_model, hf_model):
    turns = (("system", "You are terse."), ("user", "Hi"))
    assert vllm_model.supports_chat() and vllm_model.render_chat(turns) == hf_model.render_chat(turns)
    info = vllm_model.info()
    assert info.params == hf_model.info().params == 134515008
    assert info.details["engine"].startswith("vllm ") and info.details["max_model_len"] == 2048


def test_requests_for_no_tokens_cost_no_engine_call_and_an_overlong_prompt_is_a_clear_error(vllm_model):
    calls = vllm_model.engine_calls
    assert vllm_model.generate([GenerateRequest("Hello", 0)]) == [""]
    assert vllm_model.loglikelihood([]) == []
    assert vllm_model.engine_calls == calls
    with pytest.raises(BackendError, match=r"model 'smollm2-135m': 1 prompt\(s\) of up to \d+ tokens do not fit "
                                           r"max_model_len 2048"):
        vllm_model.generate([GenerateRequest("word " * 3000, 4)])


def test_bad_engine_fields_fail_before_any_engine_starts():
    spec = parse_spec_string("vllm:smollm2-135m")
    with pytest.raises(BackendError, match="model 'smollm2-135m': field 'tensor_parallel_size' must be at least 1"):
        load_backend(replace(spec, options={"tensor_parallel_size": 0}))
    with pytest.raises(BackendError, match="dtype 'int8' unknown for vllm"):
        load_backend(replace(spec, options={"dtype": "int8"}))
