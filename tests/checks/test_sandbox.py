"""Hostile model code ends as a failed case within its limit, and changes nothing outside its folder."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from pytest_emergent.checks.sandbox import Limits, isolation, run_code

pytestmark = pytest.mark.skipif(os.name != "posix", reason="the sandbox uses POSIX resource limits")

LIMITS = Limits(cpu_seconds=2, memory_mb=512)
PASSING_TEST = "def test_runs():\n    pass\n"


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


@pytest.fixture
def sentinel(tmp_path: Path) -> Path:
    """A folder outside the sandbox, with a file, that hostile code tries to change."""
    folder = tmp_path / "sentinel"
    folder.mkdir()
    (folder / "keep.txt").write_text("unchanged")
    return folder


def test_good_code_passes_its_tests_including_a_hypothesis_property():
    tests = ("from hypothesis import given, strategies as st\n"
             "def test_one():\n    assert add(2, 3) == 5\n"
             "@given(st.integers(), st.integers())\ndef test_commutes(a, b):\n    assert add(a, b) == add(b, a)\n")
    result = run_code("def add(a, b):\n    return a + b\n", tests, LIMITS)
    assert result.passed, result.output


def test_a_failing_property_fails_the_case():
    tests = "from hypothesis import given, strategies as st\n@given(st.integers())\ndef test_p(a):\n    assert f(a) == a\n"
    result = run_code("def f(a):\n    return abs(a)\n", tests, LIMITS)
    assert not result.passed and "test_p" in result.reason


def test_an_infinite_loop_is_killed_at_its_cpu_limit():
    started = time.monotonic()
    result = run_code("while True:\n    pass\n", PASSING_TEST, LIMITS)
    assert not result.passed and "limit" in result.reason
    assert time.monotonic() - started < 2 * LIMITS.cpu_seconds + 6


def test_a_sleeping_process_is_killed_at_its_wall_clock_limit():
    started = time.monotonic()
    result = run_code("import time\ntime.sleep(60)\n", PASSING_TEST, Limits(cpu_seconds=1, wall_seconds=2))
    assert not result.passed and "wall-clock" in result.reason
    assert time.monotonic() - started < 10


def test_a_fork_bomb_fails_and_leaves_no_process_behind():
    bomb = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n"
    started = time.monotonic()
    result = run_code(bomb, PASSING_TEST, LIMITS)
    assert not result.passed
    assert time.monotonic() - started < 2 * LIMITS.cpu_seconds + 6
    time.sleep(0.5)
    leftovers = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _runs_solution(p)]
    assert leftovers == []


def _runs_solution(proc: Path) -> bool:
    try:
        return b"_runner.py" in (proc / "cmdline").read_bytes()
    except OSError:
        return False


def test_a_10_gb_allocation_fails_at_the_memory_limit():
    result = run_code("block = bytearray(10 * 1024 ** 3)\n", PASSING_TEST, LIMITS)
    assert not result.passed and "memory" in result.reason


def test_a_write_outside_its_folder_changes_nothing(sentinel: Path):
    before = snapshot(sentinel)
    code = (f"open({str(sentinel / 'keep.txt')!r}, 'w').write('changed')\n"
            f"open({str(sentinel / 'new.txt')!r}, 'w').write('new')\n")
    result = run_code(code, PASSING_TEST, LIMITS)
    assert not result.passed
    assert snapshot(sentinel) == before
    assert (sentinel / "keep.txt").read_text() == "unchanged"


def test_writes_inside_its_own_folder_work_and_vanish_with_it():
    result = run_code("open('notes.txt', 'w').write('ok')\nimport os\nassert os.listdir('.')\n", PASSING_TEST, LIMITS)
    assert result.passed, result.output


@pytest.mark.skipif(isolation() != "namespaces", reason="private temporary folders need mount namespaces")
def test_shared_temporary_folders_are_private_to_the_sandbox():
    marker = Path("/tmp") / f"emergent-sandbox-probe-{os.getpid()}"
    result = run_code(f"open({str(marker)!r}, 'w').write('x')\n", PASSING_TEST, LIMITS)
    assert result.passed, result.output  # it may write there, but only into its own tmpfs
    assert not marker.exists()


def test_a_network_connection_fails():
    code = "import socket\nsocket.create_connection(('127.0.0.1', 9), timeout=2)\n"
    result = run_code(code, PASSING_TEST, LIMITS)
    assert not result.passed and ("network" in result.reason.lower() or "refused" in result.reason.lower())


def test_the_environment_is_clean_and_home_is_the_working_folder(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    monkeypatch.setenv("SECRET_TOKEN", "hunter2")
    code = ("import os\nassert 'HTTPS_PROXY' not in os.environ and 'SECRET_TOKEN' not in os.environ\n"
            "assert os.path.realpath(os.environ['HOME']) == os.path.realpath(os.getcwd())\n"
            "assert sorted(os.listdir('.')) == ['_runner.py', 'solution.py', 'tests.py']\n")
    result = run_code(code, PASSING_TEST, LIMITS)
    assert result.passed, result.output
