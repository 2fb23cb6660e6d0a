"""Honest labels and the levels a score is read against: the pass rate is recorded under the name
of the check that computed it (and under the task file's metric only when that is what was
computed), and every spec item reports its task's chance and majority-class levels."""

from __future__ import annotations

import json

import pytest
from fakes import ScriptedBackend

from pytest_emergent.capabilities.specs import load_specs
from pytest_emergent.capabilities.specs.planner import plan_model
from pytest_emergent.checks import grade_cases
from pytest_emergent.models.model import Model
from pytest_emergent.scale import Scale

NAVIGATE = [{"input": f"Take {k} steps. Do you return to the start?", "target": "No" if k < 15 else "Yes"}
            for k in range(25)]  # 15 of 25 targets are "No", as in BBH navigate's first 25


def load(tmp_path, text):
    path = tmp_path / "s.yaml"
    path.write_text(text)
    return load_specs(path, "s.yaml")


@pytest.fixture
def navigate(tmp_path):
    (tmp_path / "navigate.json").write_text(json.dumps({"examples": NAVIGATE}))
    return "- {id: nav, description: d, data: navigate.json, threshold: 0.6"


def test_answering_the_most_common_answer_to_every_case_scores_the_reported_majority_level(tmp_path, navigate):
    (spec,) = load(tmp_path, navigate + "}\n")
    assert spec.levels["qa"] == {"chance": 0.5, "majority": 0.6}
    plan = plan_model(Model("m", ScriptedBackend(reply=lambda p: " No"), Scale(params=1e6)), [("k", spec, "qa")])
    grades = grade_cases(spec.check, list(spec.rendered["qa"]), plan.evidence("k"), tmp_path)
    assert sum(g.passed for g in grades) / len(grades) == spec.levels["qa"]["majority"] == spec.threshold


def test_a_choice_tasks_levels_come_from_each_cases_own_options(tmp_path):
    (spec,) = load(tmp_path, """
- id: pick
  description: d
  prompt: "{{ q }}"
  examples:
    - {q: a, options: [x, y], answer: x}
    - {q: b, options: [x, y, z], answer: x}
    - {q: c, options: [x, y, z, w], answer: w}
  choices: "{{ options }}"
  expected: "{{ answer }}"
""")
    assert spec.levels["raw"] == {"chance": round((1 / 2 + 1 / 3 + 1 / 4) / 3, 6), "majority": round(2 / 3, 6)}


def test_levels_follow_the_check_that_grades(tmp_path):
    (number,) = load(tmp_path, """
- id: n
  description: d
  prompt: "{{ a }}"
  examples: [{a: 1, want: "4"}, {a: 2, want: "4.0"}, {a: 3, want: "5"}, {a: 4, want: "6"}]
  expected: "{{ want }}"
  check: number
""")
    assert number.levels["raw"]["majority"] == 0.5  # "4" and "4.0" are the same number
    (judged,) = load(tmp_path, "- {id: j, description: d, prompt: p, examples: [{}], "
                               "check: {type: judge, model: m, rubric: r}}\n")
    assert judged.levels["raw"] is None  # nothing to guess without a model


@pytest.mark.parametrize("check, names", [
    ("exact", ("exact_pass_rate", "exact_str_match")),
    ("{type: exact, normalize: {ignore_case: true}}", ("exact_pass_rate",)),
    ("contains", ("contains_pass_rate",)),
    ("number", ("number_pass_rate",)),
])
def test_the_task_files_metric_name_is_used_only_for_what_it_names(tmp_path, navigate, check, names):
    (spec,) = load(tmp_path, navigate + f", check: {check}}}\n")
    assert spec.metric_name == "exact_str_match" and spec.score_names() == names


@pytest.mark.parametrize("check, names", [
    ("choice", ("choice_pass_rate", "multiple_choice_grade")),
    ("{type: choice, length_normalize: true}", ("choice_pass_rate",)),
])
def test_multiple_choice_grade_is_the_name_only_of_the_unnormalised_choice(tmp_path, check, names):
    task = {"metrics": ["multiple_choice_grade"], "examples": [{"input": "x", "target_scores": {"a": 1, "b": 0}}]}
    (tmp_path / "mc.json").write_text(json.dumps(task))
    (spec,) = load(tmp_path, f"- {{id: mc, description: d, data: mc.json, check: {check}}}\n")
    assert spec.score_names() == names


def test_the_json_report_carries_the_levels_and_metric_names_of_the_check(pytester, models_file, spec_file, tmp_path):
    models_file(("tiny", "135M", []))
    (pytester.path / "capability_specs").mkdir()
    (pytester.path / "capability_specs" / "navigate.json").write_text(json.dumps({"examples": NAVIGATE[8:18]}))
    spec_file("nav", """
- id: nav
  description: navigate-like, graded by exact match and by containment
  data: navigate.json
  max_new_tokens: 2
  threshold: 0
- id: nav-contains
  description: the same cases
  data: navigate.json
  check: contains
  max_new_tokens: 2
  threshold: 0
""")
    pytester.runpytest("--emergent-json", "out.json").assert_outcomes(passed=2)
    exact, contains = json.loads((pytester.path / "out.json").read_text())["results"]
    assert exact["levels"] == contains["levels"] == {"chance": 0.5, "majority": 0.7}
    assert {"exact_pass_rate", "exact_str_match"} <= set(exact["metrics"])
    assert "contains_pass_rate" in contains["metrics"] and "exact_str_match" not in contains["metrics"]
    assert exact["chance"] is None  # the threshold's chance (for tau) keeps its own meaning


def test_an_open_task_where_every_answer_differs_has_no_levels(tmp_path):
    (spec,) = load(tmp_path, """
- id: sort
  description: d
  prompt: "Sort {{ w }}"
  examples: [{w: b a, s: a b}, {w: d c, s: c d}, {w: f e, s: e f}]
  expected: "{{ s }}"
""")
    assert spec.levels["raw"] is None
