"""Issue 10 end to end: every result keeps its cases, a failing model is an error and never a regression,
a re-run is not its own baseline, an edited suite is not a changed model, and JUnit shows a regression.

The model is scripted (a backend registered by the test project's conftest): its answers come from
a JSON file, so each "checkpoint" is a file and the weights fingerprint is the file's hash.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

CONFTEST = '''
import json
from pathlib import Path

from pytest_emergent import register_backend
from pytest_emergent.backends.base import Backend, Loglikelihood, ModelInfo, RequestError


class Scripted(Backend):
    """Answers from a JSON file: {"answers": {text in the prompt: answer}, "fail": [text in the prompt]}."""

    def __init__(self, path):
        self.plan = json.loads(Path(path).read_text())

    def _answer(self, prompt):
        if any(bad in prompt for bad in self.plan.get("fail", [])):
            return RequestError("server answered 500 to /completions: overloaded")
        return next((a for key, a in self.plan["answers"].items() if key in prompt), "")

    def generate(self, requests):
        return [self._answer(r.prompt) for r in requests]

    def _score(self, request):
        answer = self._answer(request.context)
        if isinstance(answer, RequestError):
            return answer
        return Loglikelihood(-1.0 if answer.strip() == request.continuation.strip() else -5.0, False, 1)

    def loglikelihood(self, requests):
        return [self._score(r) for r in requests]

    def info(self):
        return ModelInfo(self.plan.get("params", 1e6), {"scripted": True})


register_backend("scripted", lambda config: Scripted(config.path))
'''

SPEC = """
- id: add
  description: sums of two numbers
  prompt: "What is {{ a }} + {{ b }}?"
  generate: {a: {integers: [10, 99]}, b: {integers: [10, 99]}}
  count: 30
  seed: 7
  expected: "{{ a + b }}"
  check: number
  threshold: THRESHOLD
- id: colour
  description: a fact
  prompt: "Colour of the sky {{ n }}:"
  examples: [{n: 1, expected: blue}, {n: 2, expected: blue}]
  check: exact
"""


def plan_of(right: bool, fail: tuple[str, ...] = ()) -> dict:
    """A checkpoint that answers every sum right (or every sum wrong), and the colour right."""
    answers = {f"What is {a} + {b}?": str(a + b + (0 if right else 1)) for a in range(10, 100) for b in range(10, 100)}
    return {"answers": {**answers, "Colour of the sky": "blue"}, "fail": list(fail)}


@pytest.fixture
def project(pytester: pytest.Pytester):
    pytester.makeconftest(CONFTEST)

    def checkpoint(name: str, step: int, plan: dict, threshold: float = 0.8, models: str = "") -> None:
        (pytester.path / f"{name}.json").write_text(json.dumps({**plan, "checkpoint": name}))
        (pytester.path / "capability_specs").mkdir(exist_ok=True)
        (pytester.path / "capability_specs" / "suite.yaml").write_text(SPEC.replace("THRESHOLD", str(threshold)))
        (pytester.path / "emergent-models.yaml").write_text(
            f"- {{name: {name}, backend: scripted, path: {name}.json, family: fam, params: 1B, step: {step}}}\n" + models)

    return checkpoint


def run(pytester: pytest.Pytester, *args: str) -> tuple[pytest.RunResult, dict]:
    result = pytester.runpytest("--emergent-json=out.json", "--emergent-cache=off", *args)
    return result, json.loads((pytester.path / "out.json").read_text())


def by_capability(document: dict) -> dict[str, dict]:
    return {r["capability"]: r for r in document["results"]}


def test_every_yaml_case_is_kept_with_its_prompt_output_expected_answer_and_verdict(pytester, project):
    project("ckpt-a", 1, plan_of(right=True))
    _, document = run(pytester)
    add = by_capability(document)["add"]
    assert add["status"] == "pass" and add["n"] == 30 and len(add["cases"]) == 30
    case = add["cases"][0]
    assert case["prompt"].startswith("What is ") and case["passed"] is True and case["output"] == case["expected"][0]
    assert len({c["id"] for c in add["cases"]}) == 30
    low, high = add["interval"]
    assert low < 1.0 == high  # Wilson: 30 of 30 is not proof of a perfect rate


def test_a_failing_request_errors_only_its_item_and_a_capability_that_passed_before_is_not_regressed(pytester,
                                                                                                      project):
    project("ckpt-a", 1, plan_of(right=True))
    run(pytester, "--emergent-ledger=ledger")
    project("ckpt-b", 2, plan_of(right=True, fail=("Colour of the sky 2",)))
    result, document = run(pytester, "--emergent-ledger=ledger")
    results = by_capability(document)
    assert results["colour"]["status"] == "error" and results["colour"]["change"] != "regressed"
    assert "1 of 2 cases could not be asked: server answered 500" in results["colour"]["reason"] + str(
        result.stdout.str())
    assert [c.get("error") is not None for c in results["colour"]["cases"]] == [False, True]
    assert results["add"]["status"] == "pass"  # the same model's other item still ran
    assert result.ret == 1  # an error fails the run, as errors do; it is not a regression
    assert "regressed" not in result.stdout.str().split("emergent: capability")[-1].split("\n")[-2]


def test_a_real_drop_is_regressed_and_a_rerun_of_the_same_checkpoint_still_is(pytester, project):
    project("ckpt-a", 1, plan_of(right=True))
    assert run(pytester, "--emergent-ledger=ledger")[0].ret == 0
    project("ckpt-b", 2, plan_of(right=False))
    first, document = run(pytester, "--emergent-ledger=ledger")
    add = by_capability(document)["add"]
    assert (add["change"], add["baseline"]["model"], first.ret) == ("regressed", "ckpt-a", 1)
    assert add["significance"]["test"] == "mcnemar-exact"
    # the terminal names the cases behind the verdict: three of the 30 that flipped, and where the rest are
    out = first.stdout.str().split("regressed (passed in the baseline")[1]
    flipped = [line for line in out.splitlines() if line.startswith("      ↓ ")]
    assert len(flipped) == 3 and all("(expected " in line for line in flipped)
    assert "… 27 more cases flipped pass → fail (emergent diff " in out
    again, document = run(pytester, "--emergent-ledger=ledger")  # GitHub's "Re-run jobs"
    add = by_capability(document)["add"]
    assert (add["change"], add["baseline"]["model"], again.ret) == ("regressed", "ckpt-a", 1)


def test_raising_a_threshold_is_a_redefined_capability_not_a_regression(pytester, project):
    half_right = plan_of(right=True)
    for i, key in enumerate(sorted(k for k in half_right["answers"] if k.startswith("What is"))):
        if i % 4 == 0:
            half_right["answers"][key] = "0"
    project("ckpt-a", 1, half_right, threshold=0.5)
    run(pytester, "--emergent-ledger=ledger")
    project("ckpt-b", 2, half_right, threshold=0.9)  # the next checkpoint, as able, against a stricter suite
    result, document = run(pytester, "--emergent-ledger=ledger")
    add = by_capability(document)["add"]
    assert (add["status"], add["change"], result.ret) == ("fail", "redefined", 1)  # it fails; it did not regress
    assert "regressed" not in {r["change"] for r in document["results"]}


def test_a_regression_below_the_declared_scale_is_a_junit_failure(pytester, project):
    project("ckpt-a", 1, plan_of(right=True))
    spec = pytester.path / "capability_specs" / "suite.yaml"
    run(pytester, "--emergent-ledger=ledger")
    project("ckpt-b", 2, plan_of(right=False))
    spec.write_text(spec.read_text().replace("  threshold: 0.8", "  threshold: 0.8\n  requires_scale: 7B"))
    (pytester.path / "capability_specs" / "suite.yaml").write_text(
        SPEC.replace("THRESHOLD", "0.8").replace("  check: number", "  check: number\n  requires_scale: 7B"))
    pytester.runpytest("--emergent-ledger=ledger", "--emergent-cache=off", "--junitxml=junit.xml")
    tree = ET.parse(pytester.path / "junit.xml")
    case = next(c for c in tree.iter("testcase") if "add" in c.get("name", ""))
    properties = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert properties["emergent_status"] == "expected-fail" and properties["emergent_change"] == "regressed"
    assert case.find("failure") is not None and case.find("skipped") is None
    suite = next(tree.iter("testsuite"))
    assert int(suite.get("failures")) >= 1


PYTHON_CAPABILITY = '''
import pytest
from pytest_emergent import record_case, record_score

CASES = [(10, 20), (30, 40), (50, 60)]

def test_sums_with_cases(model):
    for a, b in CASES:
        out = model.generate(f"What is {a} + {b}?")
        record_case({"a": a, "b": b}, out.strip() == str(a + b), prompt=f"What is {a} + {b}?", expected=a + b)
    record_score(threshold=0.5)

def test_sums_without_cases(model):
    assert model.generate("What is 10 + 20?") == "30"
'''


def test_python_tests_keep_their_model_calls_and_their_recorded_cases(pytester, project):
    project("ckpt-a", 1, plan_of(right=True))
    pytester.makepyfile(test_caps=PYTHON_CAPABILITY)
    _, document = run(pytester, "test_caps.py")
    results = {r["capability"].split("::")[-1]: r for r in document["results"]}
    recorded = results["test_sums_with_cases"]
    assert recorded["score"] == 1.0 and recorded["n"] == 3
    assert [(c["passed"], c["output"], c["expected"]) for c in recorded["cases"]] == [
        (True, "30", ["30"]), (True, "70", ["70"]), (True, "110", ["110"])]
    calls = results["test_sums_without_cases"]["cases"]
    assert [(c["prompt"], c["output"], c["passed"]) for c in calls] == [("What is 10 + 20?", "30", None)]


def test_the_html_report_shows_every_result_with_its_cases_and_the_flipped_ones_marked(pytester, project):
    project("ckpt-a", 1, plan_of(right=True))
    run(pytester, "--emergent-ledger=ledger")
    project("ckpt-b", 2, plan_of(right=False))
    pytester.runpytest("--emergent-ledger=ledger", "--emergent-cache=off", "--emergent-html=report.html")
    html = (pytester.path / "report.html").read_text()
    assert html.count('<details class="result"') == 2
    assert html.count('<tr class="lost"') == 30 and "30 cases lost and 0 gained" in html
    assert "What is " in html and '<a href="#r-' in html
