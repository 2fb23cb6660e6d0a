"""The capabilities of the seed essay ("current thoughts on large language models", 2023).

Each test declares the scale at which the literature says the capability appears, with the
source beside it. Below that scale a failure is expected (xfail); a pass there is an early pass.
Run: pytest examples --emergent-model smollm2-135m --emergent-model gemma3-270m
"""

from __future__ import annotations

import re

import pytest
from hypothesis import strategies as st

from pytest_emergent import draw, record_case, record_score

from .sandbox import run_python

# --- the Q/A framing: "Q: When did the deep learning revolution start?\nA:" ----------------------


# Very frequent facts are recalled by small models; GPT-3's smallest model (125M) already
# answers some open-domain questions (Brown et al. 2020, §3.1.3, TriviaQA zero-shot 4%).
@pytest.mark.requires_scale("125M")
def test_qa_framing_recalls_a_frequent_fact(model):
    answer = model.generate("What is the capital of France?", format="qa", max_new_tokens=12)
    assert "paris" in answer.lower()


# The essay's own question. Recall of less frequent facts grows with size (Kandpal et al. 2023,
# "Large Language Models Struggle to Learn Long-Tail Knowledge"); ~7B is where such dates
# become reliable in open models. An estimate: the ledger will tell.
@pytest.mark.requires_scale("7B")
def test_qa_framing_dates_the_deep_learning_revolution(model):
    answer = model.generate("When did the deep learning revolution start?", format="qa", max_new_tokens=24)
    assert re.search(r"\b(2012|2011|2006)\b", answer), answer


# --- arithmetic: "2 + 3" → "5" ------------------------------------------------------------------


# Single-digit sums are the easiest arithmetic; accuracy on arithmetic climbs steeply from ~1B
# (Brown et al. 2020, §3.9.1 and Fig. 3.10).
@pytest.mark.requires_scale("1B")
def test_adds_two_single_digit_numbers(model):
    answer = model.generate("What is 2 + 3?", format="qa", max_new_tokens=8)
    assert re.match(r"\s*5\b", answer), answer


TWO_DIGIT = draw(st.tuples(st.integers(10, 99), st.integers(10, 99)), 24, seed=2023)
FEW_SHOT = "Q: What is 12 + 35?\nA: 47\nQ: What is 60 + 21?\nA: 81\nQ: What is 44 + 38?\nA: 82\n"


# Two-digit addition emerges around 13B parameters / 2e22 training FLOPs in GPT-3
# (Wei et al. 2022, "Emergent Abilities of Large Language Models", Fig. 2A; Brown et al. 2020, Table 3.9).
@pytest.mark.requires_scale("13B")
def test_adds_two_digit_numbers(model):
    prompts = [f"{FEW_SHOT}Q: What is {a} + {b}?\nA:" for a, b in TWO_DIGIT]
    answers = model.generate(prompts, max_new_tokens=6, stop="\n")
    for (a, b), out in zip(TWO_DIGIT, answers):
        found = re.match(r"\s*(-?\d+)", out)
        record_case({"a": a, "b": b}, found is not None and int(found.group(1)) == a + b, output=out, expected=a + b)
    record_score(threshold=0.8)  # the pass rate of the recorded cases, with its n and interval


# --- acceptability (CoLA) in the three framings of the essay -------------------------------------

SENTENCES = [  # (sentence, acceptable); the first is the essay's example
    ("The course is jumping well.", False),
    ("The book was written by a famous author.", True),
    ("She sang beautifully at the concert.", True),
    ("Him went to the store yesterday.", False),
    ("The children are playing in the garden.", True),
    ("Quickly the ran dog home.", False),
    ("I have never seen such a tall building.", True),
    ("They was happy about the results.", False),
]


def _acceptability(model, contexts: list[str], yes: str, no: str, *, format: str | None = None) -> None:
    picks = model.choose(contexts, [[yes, no]] * len(contexts), format=format)
    margins = []
    for pick, context, (sentence, ok) in zip(picks, contexts, SENTENCES):
        margin = pick.scores[0] - pick.scores[1] if ok else pick.scores[1] - pick.scores[0]
        margins.append(margin)
        record_case(sentence, (pick.index == 0) == ok, prompt=context, output=pick.text, expected=yes if ok else no,
                    margin=margin)
    record_score(threshold=0.75, margin=sum(margins) / len(margins))


# Zero-shot classification by prompting is near chance for small models; GPT-3 needed 175B and
# few-shot examples to beat chance on several GLUE/SuperGLUE-style tasks (Brown et al. 2020, §3.7).
@pytest.mark.requires_scale("7B")
def test_judges_acceptability_in_qa_framing(model):
    contexts = [f'Q: Is the sentence "{s}" grammatically acceptable? Answer yes or no.\nA:' for s, _ in SENTENCES]
    _acceptability(model, contexts, " yes", " no")


# The T5 text-to-text framing only works for models trained on that task mixture: T5 was trained
# with the "cola sentence:" prefix (Raffel et al. 2020); T5-11B is the size reported best on CoLA.
@pytest.mark.requires_scale("11B")
def test_judges_acceptability_in_t5_framing(model):
    contexts = [f"cola sentence: {s}" for s, _ in SENTENCES]
    _acceptability(model, contexts, " acceptable", " unacceptable")


# "Just tell the model what you want": instruction tuning helps zero-shot tasks only at large
# scale; it hurt models of 8B and below (Wei et al. 2021, FLAN, Fig. 7: gains from 68B).
@pytest.mark.requires_scale("68B")
@pytest.mark.requires_traits("instruct")
def test_judges_acceptability_from_a_plain_instruction(model):
    contexts = [f'Is the following sentence acceptable? "{s}" Answer with yes or no.' for s, _ in SENTENCES]
    _acceptability(model, contexts, "Yes", "No", format="instruct")


# --- code without a single right answer: logistic regression with gradient descent -------------

LOGREG_TASK = (
    "Implement logistic regression with gradient descent in Python, without numpy. "
    "Write a function fit(X, y) that takes a list of feature lists X and a list of 0/1 labels y "
    "and returns a list of weights (the last one is the bias), and a function predict(X, w) "
    "that returns a list of 0/1 predictions. Reply with the code only."
)
LOGREG_CHECK = """
import random
random.seed(0)
X = [[random.uniform(-2, 2), random.uniform(-2, 2)] for _ in range(200)]
y = [1 if 1.5 * a - b + 0.3 > 0 else 0 for a, b in X]
w = fit(X, y)
accuracy = sum(int(p == t) for p, t in zip(predict(X, w), y)) / len(y)
assert accuracy >= 0.9, f"accuracy {accuracy:.2f}"
"""


def extract_code(reply: str) -> str:
    blocks = re.findall(r"```(?:python|py)?\s*\n(.*?)```", reply, flags=re.S)
    return "\n".join(blocks) if blocks else reply


# Writing a working function from a description: Codex pass@1 on HumanEval rises from 13% at
# 300M to 29% at 12B (Chen et al. 2021, Table 1); a full training loop needs ~7B in open models.
@pytest.mark.requires_scale("7B")
@pytest.mark.requires_traits("instruct")
def test_writes_logistic_regression_with_gradient_descent(model):
    reply = model.chat([{"role": "user", "content": LOGREG_TASK}], max_new_tokens=320)
    outcome = run_python(extract_code(reply) + "\n" + LOGREG_CHECK, timeout=20)
    assert outcome.ok, f"the model's code failed: {outcome.error}\n--- code ---\n{extract_code(reply)}"
