"""--emergent-isolation end to end: the mode reaches every code result and the run header, and
`require` without bubblewrap refuses to run model code with one clear error."""

from __future__ import annotations

import json
import sys

import pytest

from pytest_emergent.checks.sandbox import bwrap, choose_isolation

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the sandbox's isolation is Linux's")

SPECS = """
- id: code/passes
  description: the case's tests pass whatever the model writes
  prompt: "Write Python"
  examples: [{}]
  check:
    type: code
    timeout: 5
    tests: |
      def test_ok():
          assert True
  max_new_tokens: 2
  threshold: 0
- id: text/plain
  description: a text check beside it, which needs no sandbox
  prompt: "Say a"
  examples: [{}]
  expected: a
  check: contains
  threshold: 0
"""


def run(pytester: pytest.Pytester, *args: str) -> tuple[pytest.RunResult, dict]:
    result = pytester.runpytest("--emergent-json=out.json", *args)
    return result, json.loads((pytester.path / "out.json").read_text())


@pytest.fixture
def broken_bubblewrap(monkeypatch):
    """This machine as one where bwrap cannot run (no user namespaces): its probe fails."""
    monkeypatch.setattr(bwrap, "candidates", lambda: ["/bin/false"])
    choose_isolation.cache_clear()
    yield
    choose_isolation.cache_clear()


@pytest.mark.parametrize("policy", ["best", "off"])
def test_the_mode_reaches_the_code_result_the_json_header_and_the_terminal_header(pytester, models_file, spec_file,
                                                                                    policy):
    models_file(("tiny", "135M", []))
    spec_file("code", SPECS)
    result, document = run(pytester, f"--emergent-isolation={policy}")
    result.assert_outcomes(passed=2)
    mode = choose_isolation(policy).mode
    entries = {r["capability"]: r for r in document["results"]}
    assert entries["code/passes"]["metrics"]["isolation"] == mode
    assert "isolation" not in entries["text/plain"]["metrics"]
    assert document["code_isolation"] == mode
    result.stdout.fnmatch_lines([f"emergent: code isolation: {choose_isolation(policy).describe()}"])


def test_require_without_bubblewrap_errors_the_code_items_and_runs_the_rest(pytester, models_file, spec_file,
                                                                            broken_bubblewrap):
    models_file(("tiny", "135M", []))
    spec_file("code", SPECS)
    result, document = run(pytester, "--emergent-isolation=require")
    result.assert_outcomes(passed=1, errors=1)
    statuses = {r["capability"]: r["status"] for r in document["results"]}
    assert statuses == {"code/passes": "error", "text/plain": "pass"}
    result.stdout.fnmatch_lines(["emergent: code isolation: none: --emergent-isolation=require: *",
                                 "*ERROR at setup of code/passes on tiny*",
                                 "--emergent-isolation=require: model code runs only under bubblewrap, *",
                                 "=*"])
    assert "Traceback" not in result.stdout.str() and "During handling" not in result.stdout.str()


def test_the_ini_key_sets_the_policy(pytester, models_file, spec_file):
    models_file(("tiny", "135M", []))
    spec_file("code", SPECS)
    pytester.makeini("[pytest]\nemergent_isolation = off\n")
    result, document = run(pytester)
    assert document["code_isolation"] == "rlimits"


def test_an_unknown_ini_value_is_a_usage_error_naming_the_key(pytester):
    pytester.makeini("[pytest]\nemergent_isolation = strict\n")
    result = pytester.runpytest()
    result.stderr.fnmatch_lines(["*pytest-emergent: emergent_isolation = strict: expected one of require, best, off*"])
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_an_unknown_option_value_is_refused_with_the_choices(pytester):
    result = pytester.runpytest("--emergent-isolation=strict")
    result.stderr.fnmatch_lines(["*--emergent-isolation: invalid choice: 'strict'*"])
