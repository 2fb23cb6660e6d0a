"""Running model-written code in a separate, limited process.

Containment, strongest first (chosen once per process, see `isolation()`):

- `namespaces` (root, with util-linux `unshare`): new PID, mount and network namespaces; a fresh
  tmpfs over /tmp, /var/tmp and /dev/shm; the code runs as user `nobody`. There is no network
  device but loopback, every process dies with the sandbox, and the only writable place that
  outlives it is its own folder.
- `uid` (root without namespaces): the code runs as `nobody`, so it cannot write to the
  user's files; world-writable folders stay writable.
- `rlimits` (not root): resource limits only, plus a socket guard in the runner.

Always: CPU-time (RLIMIT_CPU), address-space (RLIMIT_AS), file-size (RLIMIT_FSIZE) and
process-count (RLIMIT_NPROC) limits, a wall-clock timeout that kills the whole process group,
an empty temporary working folder, a clean environment (no proxies, HOME in the folder), and
Python in isolated mode with only the standard library and Hypothesis importable.
"""

from __future__ import annotations

import functools
import json
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

NOBODY = 65534
_RUNNER = Path(__file__).with_name("_runner.py")
_BOOT = Path(__file__).with_name("_boot.py")


@dataclass(frozen=True)
class Limits:
    cpu_seconds: float = 10.0
    wall_seconds: float | None = None  # default: 2 × CPU + 5 s (start-up and I/O waits)
    memory_mb: int = 1024
    max_processes: int = 64
    max_file_mb: int = 16


@dataclass(frozen=True)
class SandboxResult:
    passed: bool
    reason: str  # "" when passed; else the first line that says why (timeout, memory, a failed test...)
    output: str
    isolation: str


def _hypothesis_path() -> str:
    import hypothesis

    return str(Path(hypothesis.__file__).resolve().parent.parent)


@functools.lru_cache(maxsize=1)
def isolation() -> str:
    """Which containment this machine allows: namespaces, uid or rlimits."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "rlimits"
    unshare = shutil.which("unshare")
    if unshare:
        try:
            probe = subprocess.run([unshare, "--pid", "--fork", "--kill-child", "--mount", "--net", "true"],
                                   capture_output=True, timeout=10)
            if probe.returncode == 0 and _boot_settings(_needed(_hypothesis_path())) is not None:
                return "namespaces"
        except (OSError, subprocess.SubprocessError):
            pass
    # Without namespaces, `nobody` must be able to reach the interpreter by itself.
    return "uid" if not any(_blocked(n) for n in _needed(_hypothesis_path())) else "rlimits"


def _limit(limits: Limits, mode: str) -> None:
    """In the child before exec: its own session (one group to kill) and the resource limits."""
    os.setsid()
    cpu = max(1, int(limits.cpu_seconds + 0.999))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    memory = limits.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    size = limits.max_file_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NPROC, (limits.max_processes, limits.max_processes))
    if mode == "uid":
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)


def _blocked(path: str) -> str | None:
    """The outermost folder on `path` that others may not enter (e.g. /root), or None."""
    current = "/"
    for part in Path(path).parts[1:]:
        current = os.path.join(current, part)
        try:
            mode = os.stat(current).st_mode
        except OSError:
            return None
        if stat.S_ISDIR(mode) and not mode & stat.S_IXOTH:
            return current
    return None


def _boot_settings(needed: list[str]) -> dict | None:
    """What the namespace bootstrap mounts: private tmpfs over the shared temporary folders, tmpfs
    over folders `nobody` cannot enter, and the interpreter's folders put back where either
    covered them (a checkout under /tmp, a Python under /root)."""
    tmpfs = [f for f in ("/tmp", "/var/tmp", "/dev/shm") if os.path.isdir(f)]
    hide = sorted({b for b in (_blocked(n) for n in needed) if b})
    covered = [*tmpfs, *hide]
    expose = [n for n in needed if any(n == c or n.startswith(c + "/") for c in covered)]
    return {"tmpfs": tmpfs, "hide": hide, "expose": expose, "uid": NOBODY}


def _needed(hypothesis_path: str) -> list[str]:
    return sorted({os.path.realpath(p) for p in (sys.base_prefix, sys.prefix, hypothesis_path)})


def _command(mode: str, hypothesis_path: str, folder: str) -> list[str]:
    python = [sys.executable, "-I", "-S", "-B"]
    runner = [*python, _RUNNER.name, hypothesis_path]
    if mode != "namespaces":
        return runner
    settings = {**(_boot_settings(_needed(hypothesis_path)) or {}), "workdir": folder}
    unshare = shutil.which("unshare") or "unshare"
    return [unshare, "--pid", "--fork", "--kill-child", "--mount", "--net", *python, str(_BOOT),
            json.dumps(settings), *runner]


def _environment(folder: str) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "HOME": folder, "TMPDIR": folder, "LANG": "C.UTF-8",
            "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"}


def _why(output: str, limits: Limits) -> str:
    """The reason a run failed: the runner's own FAILED line, else how the process died."""
    failed = [line for line in output.splitlines() if line.startswith("FAILED:")]
    if "MemoryError" in output:
        return f"ran out of memory (limit {limits.memory_mb} MiB)"
    if failed:
        return failed[-1][len("FAILED:"):].strip()
    # No verdict from the runner: it was killed, here by RLIMIT_CPU (SIGXCPU, then SIGKILL).
    return f"killed at its CPU-time limit ({limits.cpu_seconds:g} s)"


def run_code(solution: str, tests: str, limits: Limits = Limits()) -> SandboxResult:
    """Run `solution` then `tests` (functions named test_*, Hypothesis @given ones included)."""
    mode = isolation()
    folder = tempfile.mkdtemp(prefix="emergent-code-")
    try:
        Path(folder, "solution.py").write_text(solution, encoding="utf-8")
        Path(folder, "tests.py").write_text(tests, encoding="utf-8")
        shutil.copy(_RUNNER, Path(folder, _RUNNER.name))
        if mode != "rlimits":
            for path in (folder, *(str(p) for p in Path(folder).iterdir())):
                os.chown(path, NOBODY, NOBODY)
        wall = limits.wall_seconds or 2 * limits.cpu_seconds + 5
        process = subprocess.Popen(
            _command(mode, _hypothesis_path(), folder), cwd=folder, env=_environment(folder), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, preexec_fn=functools.partial(_limit, limits, mode),
        )
        try:
            raw, _ = process.communicate(timeout=wall)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            raw, _ = process.communicate()
            text = raw.decode("utf-8", "replace")[-4000:]
            return SandboxResult(False, f"killed at its wall-clock limit ({wall:g} s)", text, mode)
        _kill_group(process)  # anything it left behind in its group
        text = raw.decode("utf-8", "replace")[-4000:]
        if process.returncode == 0:
            return SandboxResult(True, "", text, mode)
        return SandboxResult(False, _why(text, limits), text, mode)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
