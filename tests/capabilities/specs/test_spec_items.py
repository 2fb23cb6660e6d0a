"""Spec items end to end: the same statuses, reports and JSON entries as Python capability tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

BBH = Path(__file__).resolve().parents[3] / "capability_specs" / "data" / "bbh"

STATUSES = """
- id: st/pass-at-scale
  description: passes with nothing to reach
  requires_scale: 100M
  prompt: "Say {{ w }}"
  examples: [{w: a}, {w: b}]
  expected: "{{ w }}"
  check: contains
  threshold: 0
- id: st/fail-below-scale
  description: an impossible answer below its scale
  requires_scale: 1B
  prompt: "Say {{ w }}"
  examples: [{w: a}]
  expected: "zzzz-never"
  check: exact
- id: st/fail-at-scale
  description: an impossible answer at its scale
  requires_scale: 100M
  prompt: "Say {{ w }}"
  examples: [{w: a}]
  expected: "zzzz-never"
  check: exact
- id: st/trait
  description: needs a trait the model lacks
  requires_traits: [instruct]
  prompt: "Say {{ w }}"
  examples: [{w: a}]
  expected: "zzzz-never"
  check: exact
"""


def run_json(pytester: pytest.Pytester, *args: str) -> tuple[pytest.RunResult, dict]:
    result = pytester.runpytest("--emergent-json", "out.json", "-rxX", *args)
    return result, json.loads((pytester.path / "out.json").read_text())


def test_spec_items_get_every_status_of_the_table(pytester, models_file, spec_file):
    models_file(("tiny", "135M", ["base"]))
    spec_file("statuses", STATUSES)
    result, document = run_json(pytester)
    result.assert_outcomes(passed=1, failed=1, xfailed=2)
    statuses = {r["capability"]: r["status"] for r in document["results"]}
    assert statuses == {"st/pass-at-scale": "pass", "st/fail-below-scale": "expected-fail",
                        "st/fail-at-scale": "fail", "st/trait": "expected-fail"}
    result.stdout.fnmatch_lines([
        "XFAIL capability_specs/statuses.yaml::st/fail-below-scale[[]raw-tiny[]] - needs params ≥ 1B; model has 135M",
    ])
    result.stdout.fnmatch_lines(["*st/fail-at-scale on tiny: pass rate 0 (0/1) is below the threshold 1*",
                                 "*case 0: 'Say a': got*expected (exact) 'zzzz-never'*"])
    entry = next(r for r in document["results"] if r["capability"] == "st/fail-below-scale")
    assert entry["declared"] == {"params": 1e9} and entry["threshold"] == 1.0 and entry["score"] == 0.0
    assert entry["metrics"]["cases"] == 1 and "target_logprob" in entry["metrics"]


def test_one_item_per_capability_format_and_model_with_framings_as_separate_rows(pytester, models_file, spec_file):
    models_file(("a", "135M", []), ("b", "1B", []))
    spec_file("framings", """
- id: cola
  description: three framings
  formats: [qa, t5, instruct]
  t5_prefix: cola sentence
  prompt: "{{ s }}"
  examples: [{s: The course is jumping well., ok: false}, {s: The book was written by a famous author., ok: true}]
  choices: [" yes", " no"]
  expected: " {{ 'yes' if ok else 'no' }}"
  threshold: 0
""")
    result, document = run_json(pytester, "-v")
    result.assert_outcomes(passed=6)
    assert sorted({r["capability"] for r in document["results"]}) == ["cola[instruct]", "cola[qa]", "cola[t5]"]
    result.stdout.fnmatch_lines(["*cola[[]qa-a[]] PASSED*", "*cola[[]t5-a[]] PASSED*", "*cola[[]instruct-b[]] PASSED*"])
    assert all("choice_margin" in r["metrics"] for r in document["results"])
    result.stdout.fnmatch_lines(["*emergent: 6 pass (3 capabilities × 2 models)*"])


def test_python_tests_and_spec_items_of_one_model_run_together(pytester, models_file, spec_file):
    models_file(("a", "135M", []), ("b", "1B", []))
    spec_file("one", STATUSES.split("- id: st/fail-below")[0])
    pytester.makepyfile(test_py="def test_py(model):\n    pass\n")
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["*one.yaml::st/pass-at-scale[[]raw-a[]] PASSED*", "*test_py.py::test_py[[]a[]] PASSED*",
                                 "*one.yaml::st/pass-at-scale[[]raw-b[]] PASSED*", "*test_py.py::test_py[[]b[]] PASSED*"])


def test_the_spec_glob_is_an_ini_key(pytester, models_file):
    models_file(("tiny", "135M", []))
    pytester.makeini("[pytest]\nemergent_specs =\n    caps/*.yml\n")
    (pytester.path / "caps").mkdir()
    (pytester.path / "caps" / "x.yml").write_text(STATUSES.split("- id: st/fail-below")[0])
    (pytester.path / "capability_specs").mkdir()
    (pytester.path / "capability_specs" / "ignored.yaml").write_text("not: a spec\n")
    pytester.runpytest().assert_outcomes(passed=1)


def test_a_python_check_calls_a_grader_beside_the_spec(pytester, models_file, spec_file):
    models_file(("tiny", "135M", []))
    spec_file("graded", """
- id: graded
  description: a grader function beside the spec file
  prompt: "Say {{ w }}"
  examples: [{w: a}, {w: b}]
  check: {type: python, function: "my_graders:always_half"}
  threshold: 1
""")
    (pytester.path / "capability_specs" / "my_graders.py").write_text(
        "def always_half(output, case):\n    assert isinstance(output, str) and case['w'] in 'ab'\n    return 0.5\n")
    _, document = run_json(pytester)
    assert document["results"][0]["status"] == "pass" and document["results"][0]["metrics"]["python_score"] == 0.5


def test_generated_cases_are_the_same_on_every_run(pytester, models_file, spec_file):
    models_file(("tiny", "135M", []))
    spec_file("gen", """
- id: gen
  description: generated cases
  prompt: "{{ a }}+{{ b }}="
  generate:
    a: {integers: [0, 99]}
    b: {one_of: [{integers: [0, 9]}, {sampled_from: [100, 200]}]}
  count: 12
  seed: 5
  shots: 2
  expected: "{{ a + b }}"
  check: number
  threshold: 0
""")
    _, first = run_json(pytester)
    _, second = run_json(pytester)
    assert first["results"][0]["metrics"] == second["results"][0]["metrics"]
    assert first["results"][0]["metrics"]["cases"] == 12


def test_a_real_big_bench_task_file_runs_as_a_spec_with_its_own_metric_only_where_computed(pytester, models_file,
                                                                                          spec_file):
    models_file(("tiny", "135M", []))
    pytester.makeini("[pytest]\nemergent_specs_data_outside_rootdir = true\n")  # the shared data folder
    spec_file("bbh", f"""
- id: bbh/boolean-expressions
  description: BIG-Bench Hard boolean expressions (Suzgun et al. 2022)
  requires_scale: 100M
  data: {BBH / "boolean_expressions.json"}
  count: 6
  shots: 2
  max_new_tokens: 3
  threshold: 0
- id: bbh/boolean-expressions-contains
  description: the same task graded by another check
  requires_scale: 100M
  data: {BBH / "boolean_expressions.json"}
  count: 6
  check: contains
  max_new_tokens: 3
  threshold: 0
""")
    result, document = run_json(pytester, "-v")
    result.assert_outcomes(passed=2)
    entry, other = sorted(document["results"], key=lambda r: r["capability"])
    assert entry["capability"] == "bbh/boolean-expressions"
    assert entry["metrics"]["cases"] == 6 and entry["metrics"]["exact_str_match"] == entry["score"]
    assert entry["metrics"]["exact_pass_rate"] == entry["score"]
    assert other["metrics"]["contains_pass_rate"] == other["score"]
    assert "exact_str_match" not in other["metrics"]  # the task file's name, but not what was computed


def test_hostile_code_in_a_spec_ends_as_failed_cases_and_the_run_goes_on(pytester, models_file, spec_file, tmp_path):
    models_file(("tiny", "135M", []))
    sentinel = tmp_path / "sentinel"
    sentinel.mkdir()
    (sentinel / "keep.txt").write_text("unchanged")
    hostile = {
        "loop": "while True:\n    pass",
        "fork": "import os\nwhile True:\n    os.fork()",
        "memory": "block = bytearray(10 * 1024 ** 3)",
        "write": f"open({str(sentinel / 'keep.txt')!r}, 'w').write('changed')",
        "network": "import socket\nsocket.create_connection(('127.0.0.1', 9), timeout=2)",
    }
    examples = "\n".join(f"    - {{kind: {k}, body: {json.dumps(v)}}}" for k, v in hostile.items())
    spec_file("hostile", f"""
- id: hostile
  description: the case's tests run the hostile code in the sandbox, whatever the model writes
  prompt: "Write Python for {{{{ kind }}}}"
  examples:
{examples}
  check:
    type: code
    timeout: 2
    memory_mb: 512
    tests: |
      def test_hostile():
      {{{{ body | indent(2, first=True) }}}}
  max_new_tokens: 4
  threshold: 0
- id: after
  description: runs after the hostile one
  prompt: "Say a"
  examples: [{{}}]
  expected: a
  check: contains
  threshold: 0
""")
    result, document = run_json(pytester)
    result.assert_outcomes(passed=2)
    entry = next(r for r in document["results"] if r["capability"] == "hostile")
    assert entry["metrics"]["cases"] == 5 and entry["metrics"]["passed"] == 0
    assert (sentinel / "keep.txt").read_text() == "unchanged" and sorted(p.name for p in sentinel.iterdir()) == ["keep.txt"]


def test_a_judge_model_from_the_models_file_grades_after_the_answers(pytester, models_file, spec_file):
    models_file(("tiny", "135M", []), ("grader", "1B", []))
    spec_file("judged", """
- id: judged
  description: another configured model grades the answer
  prompt: "Explain {{ t }}"
  examples: [{t: rain}, {t: snow}]
  check: {type: judge, model: grader, rubric: "clear and correct about {{ t }}"}
  max_new_tokens: 4
  threshold: 0
""")
    result, document = run_json(pytester, "--emergent-model", "tiny")
    result.assert_outcomes(passed=1)
    assert [r["model"] for r in document["results"]] == ["tiny"]
    assert document["results"][0]["metrics"]["cases"] == 2
