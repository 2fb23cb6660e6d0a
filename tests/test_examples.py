"""The shipped examples on both built-in real models: the demo's matrix, checked."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_examples_run_on_both_real_models_with_expected_failures_and_passes(pytester):
    shutil.copytree(EXAMPLES, pytester.path / "examples")
    result = pytester.runpytest("examples", "--emergent-model", "smollm2-135m", "--emergent-model", "gemma3-270m",
                                "--emergent-json", "demo.json", "-p", "no:cacheprovider")
    document = json.loads((pytester.path / "demo.json").read_text())
    status = {(r["capability"].split("::")[-1], r["model"]): r["status"] for r in document["results"]}
    assert len(status) == 2 * 8
    # Both models meet the 125M declared for recalling a frequent fact, and do recall it.
    assert status[("test_qa_framing_recalls_a_frequent_fact", "smollm2-135m")] == "pass"
    assert status[("test_qa_framing_recalls_a_frequent_fact", "gemma3-270m")] == "pass"
    # Nobody writes a working logistic regression at this size: expected, not red.
    assert status[("test_writes_logistic_regression_with_gradient_descent", "smollm2-135m")] == "expected-fail"
    assert status[("test_adds_two_digit_numbers", "gemma3-270m")] == "expected-fail"
    assert "fail" not in status.values() and "error" not in status.values()
    result.stdout.fnmatch_lines(["capability*smollm2-135m*gemma3-270m*", "*135M*268M*",
                                 "emergent: *pass*expected-fail* (8 capabilities × 2 models)"])
    scored = [r for r in document["results"] if r["capability"].endswith("test_adds_two_digit_numbers")]
    assert all(r["score"] is not None and r["threshold"] == 0.8 for r in scored)
