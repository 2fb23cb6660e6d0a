"""One run of model code under a given isolation, and the verdict read from it.

The verdict travels on its own pipe with a secret token made for this run, which the code's
output cannot reach: printed text never passes, and a run that ends without the token (an early
`os._exit(0)`, an exit from an atexit handler, a crash, a limit) fails with how it ended.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
import shutil
import signal
import tempfile
from pathlib import Path

from . import bwrap
from .process import MAX_VERDICT, Finished, execute
from .text import decode, escape_line
from .types import BUBBLEWRAP, NOBODY, Isolation, Limits, SandboxResult

SHOWN_OUTPUT = 4000  # characters of the output's tail kept in the result


RUNNER = Path(__file__).with_name("_runner.py")


def _program(runner: str, config: dict) -> list[str]:
    # -S: no site-packages; -s: no user site; -B: no bytecode files. The environment is ours
    # (below), so PYTHONHASHSEED applies and no other PYTHON* variable exists.
    return [bwrap.interpreter(), "-S", "-s", "-B", runner, json.dumps(config)]


def _environment(home: str, tmp: str) -> dict[str, str]:
    """Nothing of the parent's environment: no secrets, proxies or paths leak into the code."""
    return {"PATH": "/usr/bin:/bin", "HOME": home, "TMPDIR": tmp, "LANG": "C.UTF-8", "PYTHONHASHSEED": "0"}


def host_tasks(uid: int) -> int:
    """Tasks (threads included) of `uid` on this machine: what RLIMIT_NPROC counts for it."""
    count = 0
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else ():
        if not entry.isdigit():
            continue
        try:
            lines = Path("/proc", entry, "status").read_text().splitlines()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in lines if ":" in line)
        if int(fields.get("Uid", "-1").split()[0]) == uid:
            count += int(fields.get("Threads", "1"))
    return count


def _payload(data: dict[str, str]) -> int:
    """A descriptor holding the token and the files, read by the runner before the code runs."""
    if hasattr(os, "memfd_create"):
        fd = os.memfd_create("emergent-payload")
    else:
        fd, path = tempfile.mkstemp(prefix="emergent-payload-")
        os.unlink(path)
    os.write(fd, json.dumps(data).encode())
    return fd


def run_isolated(solution: str, tests: str, limits: Limits, isolation: Isolation) -> SandboxResult:
    """Run `solution` then `tests` (functions named test_*, Hypothesis @given ones included)."""
    token = secrets.token_hex(16)
    payload = _payload({"token": token, "solution.py": solution, "tests.py": tests})
    verdict_r, verdict_w = os.pipe()
    config = {"payload_fd": payload, "verdict_fd": verdict_w, "limits": limits.for_runner()}
    try:
        if isolation.mode == BUBBLEWRAP:
            finished = _in_bubblewrap(isolation, limits, config, verdict_r)
        else:
            finished = _on_host(isolation, limits, config, verdict_r)
    except OSError as exc:  # the program could not be started (a missing bwrap, a full disk)
        return SandboxResult(False, escape_line(f"the sandbox could not start: {exc}"), "", isolation.mode)
    finally:
        os.close(verdict_r)
    return _result(finished, token, limits, isolation.mode)


def _in_bubblewrap(isolation: Isolation, limits: Limits, config: dict, verdict_r: int) -> Finished:
    root = os.geteuid() == 0
    config = {**config, "workdir": bwrap.WORKDIR, "lib": [bwrap.LIBDIR]}
    if root:  # no user namespace: RLIMIT_NPROC counts every process of nobody on the host
        uid = bwrap.SANDBOX_UID
        config.update(uid=uid, gid=uid, nproc=host_tasks(uid) + limits.max_processes)
    status_r, status_w = os.pipe()
    argv = bwrap.command(isolation.bwrap or "bwrap", root=root, tmp_bytes=limits.max_disk_mb << 20,
                         status_fd=status_w, runner=str(RUNNER), program=_program(bwrap.RUNNER, config))
    try:
        return execute(argv, env=_environment(bwrap.WORKDIR, "/tmp"), cwd="/",
                       keep_fds=(config["payload_fd"], config["verdict_fd"], status_w), verdict_fd=verdict_r,
                       status_fd=status_r, wall=limits.wall, max_output=limits.max_output_mb << 20)
    finally:
        os.close(status_r)


def _on_host(isolation: Isolation, limits: Limits, config: dict, verdict_r: int) -> Finished:
    """No namespaces: a temporary folder of the host is the working folder; Hypothesis is
    reached through links in a folder beside it. In the nobody mode the folder belongs to nobody."""
    base = tempfile.mkdtemp(prefix="emergent-code-")
    try:
        work, lib, runner = os.path.join(base, "work"), os.path.join(base, "lib"), os.path.join(base, "runner.py")
        os.mkdir(work, 0o700)
        os.mkdir(lib)
        shutil.copyfile(RUNNER, runner)  # the package may lie where the sandbox user cannot read
        for path, name in bwrap.libraries():
            os.symlink(path, os.path.join(lib, name))
        config = {**config, "workdir": work, "lib": [lib]}
        if isolation.mode == NOBODY:
            os.chmod(base, 0o755)
            os.chown(work, bwrap.SANDBOX_UID, bwrap.SANDBOX_UID)
            config.update(uid=bwrap.SANDBOX_UID, gid=bwrap.SANDBOX_UID)
        return execute(_program(runner, config), env=_environment(work, work), cwd=base,
                       keep_fds=(config["payload_fd"], config["verdict_fd"]), verdict_fd=verdict_r, status_fd=None,
                       wall=limits.wall, max_output=limits.max_output_mb << 20)
    finally:
        _remove(base)


def _remove(folder: str) -> None:
    """Remove the working folder even where the code took its own write permission away."""
    for parent, dirs, _ in os.walk(folder):
        for name in dirs:
            path = os.path.join(parent, name)
            if not os.path.islink(path):
                try:
                    os.chmod(path, 0o700)
                except OSError:
                    pass
    shutil.rmtree(folder, ignore_errors=True)


def _verdict(data: bytes, token: str) -> dict | None:
    """The runner's verdict, only if it is one line carrying this run's token."""
    if not data or len(data) > MAX_VERDICT or data.count(b"\n") != 1:
        return None
    try:
        verdict = json.loads(data)
    except ValueError:
        return None
    if not isinstance(verdict, dict) or not hmac.compare_digest(str(verdict.get("token", "")), token):
        return None
    return verdict


def _result(finished: Finished, token: str, limits: Limits, mode: str) -> SandboxResult:
    output = decode(finished.tail)[-SHOWN_OUTPUT:]
    verdict = None if finished.ended_by else _verdict(finished.verdict, token)
    if verdict is None:
        reason = _why_no_verdict(finished, limits, output)
    elif finished.exit_code not in (0, None):  # the code ended its supervisor: nothing it says holds
        reason = f"its supervisor was ended (exit status {finished.exit_code}) after the tests ran"
    else:
        reason = _why_failed(verdict, limits)
    return SandboxResult(not reason, escape_line(reason), output, mode, finished.output_bytes)


def _why_failed(verdict: dict, limits: Limits) -> str:
    """'' when every test passed; else the first problem the runner reported."""
    memory = f"ran out of memory (limit {limits.memory_mb} MiB)"
    error = verdict.get("error")
    if error:
        if error.get("type") == "MemoryError":
            return memory
        return f"the {error.get('where', 'solution')} raised {error.get('type')}: {error.get('message', '')}".rstrip(": ")
    failures = verdict.get("failures") or []
    if any(f.get("type") == "MemoryError" for f in failures):
        return memory
    if failures:
        first, more = failures[0], int(verdict.get("failed", len(failures))) - 1
        line = f"{first.get('test')}: {first.get('type')}: {first.get('message', '')}".rstrip(": ")
        return line + (f" (and {more} more failed)" if more > 0 else "")
    if not verdict.get("tests"):
        return "the tests define no test_* function"
    return ""


def _why_no_verdict(finished: Finished, limits: Limits, output: str) -> str:
    if finished.ended_by == "wall":
        return f"killed at its wall-clock limit ({limits.wall:g} s)"
    if finished.ended_by == "output":
        return f"wrote more than {limits.max_output_mb} MiB of output"
    if not finished.started:
        lines = [line for line in output.splitlines() if line.strip()]
        return "the sandbox could not start: " + (lines[-1] if lines else f"exit status {finished.exit_code}")
    if finished.verdict:
        return "no valid verdict: something other than the runner wrote to its verdict channel"
    code = finished.exit_code
    if code is None:
        return "ended without a verdict"
    if code == 128 + signal.SIGXCPU:
        return f"killed at its CPU-time limit ({limits.cpu_seconds:g} s)"
    if code == 128 + signal.SIGKILL:  # its CPU-time hard limit, the system's memory killer, or the code itself
        return f"killed (SIGKILL) before its tests finished (CPU-time limit {limits.cpu_seconds:g} s)"
    if code > 128:
        try:
            name = signal.Signals(code - 128).name
        except ValueError:
            name = f"signal {code - 128}"
        return f"crashed ({name}) before its tests finished"
    last = next((line for line in reversed(output.splitlines()) if line.strip()), "")
    return f"exited (status {code}) before its tests finished: no verdict from the runner" + \
        (f" (last output: {last[:200]})" if code and last else "")
