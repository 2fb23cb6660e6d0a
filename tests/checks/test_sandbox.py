"""The sandbox's contract under the isolation this machine gives (`best`): verdicts only from the
runner, reasons a user can act on, output read with a bounded tail and escaped, nothing left.

The hostile-code matrix across modes and users is test_hostile.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from pytest_emergent.checks.sandbox import RLIMITS, Isolation, Limits, choose_isolation, run_code

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the sandbox's isolation is Linux's")

LIMITS = Limits(cpu_seconds=2, memory_mb=512)
PASSING_TEST = "def test_runs():\n    pass\n"
ROOT = Path(__file__).resolve().parents[2]


def test_good_code_passes_its_tests_including_a_hypothesis_property():
    tests = ("from hypothesis import given, strategies as st\n"
             "def test_one():\n    assert add(2, 3) == 5\n"
             "@given(st.integers(), st.integers())\ndef test_commutes(a, b):\n    assert add(a, b) == add(b, a)\n")
    result = run_code("def add(a, b):\n    return a + b\n", tests, LIMITS)
    assert result.passed, result.output
    assert result.isolation == choose_isolation("best").mode


def test_a_failing_property_fails_the_case_and_the_reason_names_the_test():
    tests = "from hypothesis import given, strategies as st\n@given(st.integers())\ndef test_p(a):\n    assert f(a) == a\n"
    result = run_code("def f(a):\n    return abs(a)\n", tests, LIMITS)
    assert not result.passed and result.reason.startswith("test_p: AssertionError")


def test_the_reason_counts_the_other_failed_tests():
    tests = "".join(f"def test_{i}():\n    assert f() == {i}\n" for i in range(3))
    result = run_code("def f():\n    return 0\n", tests, LIMITS)
    assert result.reason.startswith("test_1: AssertionError") and "(and 1 more failed)" in result.reason


@pytest.mark.parametrize(("solution", "tests", "reason"), [
    ("def f(:\n", PASSING_TEST, "the solution raised SyntaxError"),
    ("x = undefined_name\n", PASSING_TEST, "the solution raised NameError: name 'undefined_name' is not defined"),
    ("import numpy\n", PASSING_TEST, "the solution raised ModuleNotFoundError: No module named 'numpy'"),
    ("def f():\n    return 1\n", "def test_f(:\n", "the tests raised SyntaxError"),
    ("def f():\n    return 1\n", "x = f()\n", "the tests define no test_* function"),
    ("import sys\nsys.exit(0)\n", PASSING_TEST, "the solution raised SystemExit"),
    ("block = bytearray(10 * 1024 ** 3)\n", PASSING_TEST, "ran out of memory (limit 512 MiB)"),
    ("while True:\n    pass\n", PASSING_TEST, "killed at its CPU-time limit (2 s)"),
    ("import os\nos._exit(0)\n", PASSING_TEST, "exited (status 0) before its tests finished: no verdict from the runner"),
    ("import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n", PASSING_TEST, "crashed (SIGSEGV)"),
], ids=["solution-syntax", "solution-name", "beyond-stdlib", "tests-syntax", "no-tests", "sys-exit", "memory",
        "cpu", "os-exit", "crash"])
def test_each_way_of_failing_has_its_own_reason(solution, tests, reason):
    result = run_code(solution, tests, LIMITS)
    assert not result.passed and result.reason.startswith(reason), result.reason


def test_a_sleeping_process_is_killed_at_its_wall_clock_limit():
    result = run_code("import time\ntime.sleep(600)\n", PASSING_TEST, Limits(cpu_seconds=1, wall_seconds=2))
    assert not result.passed and result.reason == "killed at its wall-clock limit (2 s)"


def test_printing_a_pass_is_not_a_pass():
    code = "print('PASSED')\nprint('{\"tests\": 1, \"failed\": 0, \"failures\": []}')\n"
    result = run_code(code, "def test_fails():\n    assert False\n", LIMITS)
    assert not result.passed and "PASSED" in result.output


def test_control_characters_of_the_output_and_of_the_reason_are_escaped():
    code = "print('\\x1b[2J\\x1b]0;title\\x07 bell\\r over \\u202e reversed')\n"
    tests = "def test_t():\n    assert False, 'one \\x1b[31mred\\x07 \\u202e two\\nthree'\n"
    result = run_code(code, tests, LIMITS)
    for text in (result.output, result.reason):
        assert not any(ch in text for ch in "\x1b\x07\r\u202e"), repr(text)
    assert "\\x1b[2J" in result.output and "\\u202e reversed" in result.output
    assert result.reason == "test_t: AssertionError: one \\x1b[31mred\\x07 \\u202e two"  # its first line


def test_an_output_past_its_limit_ends_the_run_after_about_that_much():
    code = "import sys\nwhile True:\n    sys.stdout.write('y' * 65536)\n"
    result = run_code(code, PASSING_TEST, Limits(cpu_seconds=10, max_output_mb=2))
    assert not result.passed and result.reason == "wrote more than 2 MiB of output"
    assert 2 << 20 < result.output_bytes <= (2 << 20) + 65536  # nothing is read past the limit's chunk
    assert len(result.output) <= 4000 and set(result.output) <= {"y", "\n"}


def test_a_gigabyte_of_output_is_read_through_without_growing_the_pytest_process():
    """In a fresh process, so that its peak memory is this run's: 1 GiB streamed, a bounded tail kept."""
    probe = (
        "import json, resource, sys\n"
        "from pytest_emergent.checks.sandbox import Limits, run_code\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "code = 'import os\\nblock = bytes(1 << 20)\\nfor _ in range(1024):\\n    os.write(1, block)\\n'\n"
        "r = run_code(code, 'def test_t():\\n    pass\\n', Limits(cpu_seconds=60, max_output_mb=2048))\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(json.dumps({'passed': r.passed, 'bytes': r.output_bytes, 'tail': len(r.output),"
        " 'grown_kib': after - before, 'reason': r.reason}))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["passed"], report
    assert report["bytes"] == 1 << 30 and report["tail"] <= 4000
    assert report["grown_kib"] < 64 * 1024, report  # 1 GiB kept would be 1,048,576 KiB


def test_writes_inside_its_own_folder_work_and_it_starts_with_only_its_files():
    code = ("import os\nstart = sorted(os.listdir('.'))\nopen('notes.txt', 'w').write('ok')\n"
            "assert start == ['solution.py', 'tests.py'], start\nassert open('notes.txt').read() == 'ok'\n")
    result = run_code(code, PASSING_TEST, LIMITS)
    assert result.passed, result.output


def test_the_environment_is_clean_and_home_is_the_working_folder(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    monkeypatch.setenv("SECRET_TOKEN", "hunter2")
    code = ("import os\nassert set(os.environ) <= {'HOME', 'LANG', 'PATH', 'PWD', 'PYTHONHASHSEED', 'TMPDIR'}, "
            "sorted(os.environ)\nassert os.path.realpath(os.environ['HOME']) == os.path.realpath(os.getcwd())\n")
    result = run_code(code, PASSING_TEST, LIMITS)
    assert result.passed, result.output


def test_only_the_standard_library_and_hypothesis_are_importable():
    code = ("import importlib.util\n"
            "assert importlib.util.find_spec('hypothesis') is not None\n"
            "missing = [m for m in ('pytest', 'yaml', 'pytest_emergent', 'torch') if importlib.util.find_spec(m)]\n"
            "assert not missing, missing\n")
    result = run_code(code, PASSING_TEST, LIMITS)
    assert result.passed, result.reason


def test_without_namespaces_the_working_folder_is_removed_even_when_the_code_locks_it(monkeypatch):
    """The rlimits mode works in a host folder: the code may take its own write permission away."""
    temp = Path(tempfile.mkdtemp(prefix="emergent-tmp-"))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    code = "import os\nos.mkdir('locked')\nopen('locked/f', 'w').write('x')\nos.chmod('locked', 0o500)\n" \
           "os.chmod('.', 0o500)\n"
    result = run_code(code, PASSING_TEST, LIMITS, Isolation(RLIMITS))
    assert result.passed and result.isolation == RLIMITS, result.reason
    assert list(temp.iterdir()) == []
    temp.rmdir()
