"""Through pytest: the progress of model work reaches the terminal, never a test's captured output;
-q prints its ends, -qq nothing; the libraries' bars of a loading model appear nowhere.

The model is a backend registered by the test project's conftest. Each request costs one second
of the progress clock (a clock of the conftest's, moved by the backend), so what is printed
depends on counts only.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

CONFTEST = '''
from tqdm.auto import tqdm

from pytest_emergent import register_backend
from pytest_emergent.backends.base import Backend, Loglikelihood, ModelInfo
from pytest_emergent.progress import advance, task


class Clock:
    seconds = 0.0

    def __call__(self):
        return self.seconds


def pytest_configure(config):
    config.real_clock, task.now = task.now, Clock()


def pytest_unconfigure(config):
    task.now = config.real_clock


class Ticking(Backend):
    """Answers "1" to everything, five requests a batch, each a second of the progress clock."""

    def _each(self, requests, answer):
        out = []
        for start in range(0, len(requests), 5):
            batch = requests[start:start + 5]
            task.now.seconds += len(batch)
            out += [answer(r) for r in batch]
            advance(len(batch))
        return out

    def generate(self, requests):
        return self._each(requests, lambda r: "1")

    def loglikelihood(self, requests):
        return self._each(requests, lambda r: Loglikelihood(-1.0, False, 1))

    def info(self):
        return ModelInfo(1e6, {})


def load(config):
    for _ in tqdm(range(300), desc="Converting and de-quantizing GGUF tensors..."):  # as transformers' GGUF loader
        pass
    return Ticking()


register_backend("ticking", load)
'''

SPEC = """
- id: add
  description: sums
  prompt: "What is {{ a }} + {{ b }}?"
  generate: {a: {integers: [10, 99]}, b: {integers: [10, 99]}}
  count: 100
  seed: 1
  expected: "1"
  check: exact
"""

LONG_TEST = """
def test_long(model):
    print("the test's own output")
    answers = model.generate([f"Question {i}?" for i in range(60)])
    assert answers[0] == "2"
"""

LINE = re.compile(r"\[pytest-emergent\] tick: \d+/(\d+) requests")


@pytest.fixture
def project(pytester: pytest.Pytester):
    pytester.makeconftest(CONFTEST)
    (pytester.path / "emergent-models.yaml").write_text("- {name: tick, backend: ticking, path: x, params: 1M}\n")
    return pytester


def run(pytester: pytest.Pytester, *args: str) -> tuple[pytest.RunResult, str]:
    result = pytester.runpytest("--emergent-cache=off", "--emergent-no-ledger", *args)
    return result, result.stdout.str()


def raw_output(pytester: pytest.Pytester) -> str:
    """What pytest writes, carriage returns kept (pytester's output is split into lines at them)."""
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--emergent-cache=off",
                           "--emergent-no-ledger"], cwd=pytester.path, capture_output=True, timeout=300)
    return done.stdout.decode()


def captured_sections(out: str) -> str:
    """The 'Captured stdout/stderr' sections of the failures."""
    return "\n".join(re.findall(r"-+ Captured \w+ \w+ -+\n(.*?)(?=\n[-=_]{5})", out, re.S))


def test_a_log_gets_occasional_lines_with_the_totals_and_an_end_line_for_the_plan(project):
    (project.path / "capability_specs").mkdir()
    (project.path / "capability_specs" / "sums.yaml").write_text(SPEC)
    result, out = run(project)
    totals = [int(total) for total in LINE.findall(out)]
    assert 2 <= len(totals) <= 11 and len(set(totals)) == 1  # one task: every generation and scoring
    assert f"[pytest-emergent] tick: {totals[0]} requests in " in out


def test_a_failing_tests_captured_output_holds_its_own_prints_and_neither_progress_nor_loading_bars(project):
    project.makepyfile(test_long=LONG_TEST)
    result, out = run(project)
    result.assert_outcomes(failed=1)
    captured = captured_sections(out)
    assert "the test's own output" in captured
    assert "[pytest-emergent]" not in captured and "requests" not in captured
    assert LINE.search(out) and "tick: 60 requests in 1m00s" in out  # on the terminal instead
    assert "de-quantizing" not in out  # the library's bar: nowhere


def test_under_q_only_the_first_line_and_the_end_line_are_printed_and_under_qq_nothing(project):
    project.makepyfile(test_long=LONG_TEST)
    _, quiet = run(project, "-q")
    assert len(LINE.findall(quiet)) == 1 and "tick: 60 requests in" in quiet
    _, silent = run(project, "-qq")
    assert "tick:" not in silent


def test_on_a_terminal_the_line_is_rewritten_in_place_and_replaced_by_the_end_line(project):
    project.makeconftest(CONFTEST + '''

def pytest_sessionstart(session):
    session.config.pluginmanager.getplugin("terminalreporter").isatty = lambda: True
''')
    project.makepyfile(test_long=LONG_TEST)
    out = raw_output(project)
    live = re.findall(r"\r\[pytest-emergent\] tick: \d+/60 requests[^\r\n]*", out)
    assert 1 <= len(live) <= 12  # one drawing per batch at most: the clock moves 5 s a batch
    assert re.search(r"\r *\r\[pytest-emergent\] tick: 60 requests in 1m00s \(1\.0/s\)\n", out)
    assert "[pytest-emergent]" not in captured_sections(out) and "the test's own output" in captured_sections(out)


def test_in_a_log_no_line_is_rewritten(project):
    project.makepyfile(test_long=LONG_TEST)
    out = raw_output(project)
    assert "\r" not in out and "tick: 60 requests in 1m00s" in out
