"""Runs inside the sandbox as `python -S -s -B _runner.py CONFIG`: the supervisor, then the code.

The supervisor (this process) becomes the subreaper of everything the code starts, forks the
worker, waits for it, then kills and reaps whatever the worker left behind (a `setsid`
grandchild included), so no process outlives the case even without a PID namespace.

The worker drops to the sandbox user when one is given, sets the resource limits, writes the
solution and the tests into the working folder, runs them, and writes the verdict with the run's
secret token to the verdict descriptor, then leaves with `os._exit` (no atexit handler of the
code runs after the verdict). Code that exits early (`os._exit`, a signal, a crash) leaves no
verdict, and no verdict is no pass; text the code prints never counts. The token arrives on the
payload descriptor, which the worker reads and closes before the code runs.

Standard library only: the code may import the standard library and the folders in `lib`
(Hypothesis and its dependencies), nothing else of the host's Python installation.
"""

import ctypes
import json
import os
import resource
import signal
import sys
import traceback

PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
MAX_FAILURES = 20
MAX_MESSAGE = 300


class Stop(Exception):
    """The host asked the supervisor to end the case (its wall-clock limit)."""


def prctl(option, value):
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(option, value, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl")


def children():
    """Pids of this process's children, including orphans reparented to it as subreaper."""
    pids = set()
    try:
        for task in os.listdir("/proc/self/task"):
            with open(f"/proc/self/task/{task}/children") as handle:
                pids.update(int(p) for p in handle.read().split())
        return pids
    except OSError:  # a kernel without /proc/PID/task/TID/children: look at every process's parent
        pass
    me = os.getpid()
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else ():
        try:
            with open(f"/proc/{entry}/stat") as handle:
                if int(handle.read().rsplit(")", 1)[1].split()[1]) == me:
                    pids.add(int(entry))
        except (OSError, ValueError, IndexError):
            pass
    return pids


def sweep(worker):
    """Kill every descendant still running and reap it, until none is left."""
    while True:
        for target in (-worker, *children()):
            try:
                os.kill(target, signal.SIGKILL)
            except OSError:
                pass
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def supervise(config):
    try:
        prctl(PR_SET_CHILD_SUBREAPER, 1)
    except (OSError, AttributeError):
        pass  # no subreaper (not Linux): the sweep still ends the worker's process group

    def stop(signum, frame):
        raise Stop

    signal.signal(signal.SIGTERM, stop)
    worker = os.fork()
    if worker == 0:
        code = 70
        try:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            code = work(config)
        except BaseException:  # noqa: BLE001 - the runner itself failed: no verdict
            traceback.print_exc()
        finally:
            os._exit(code)
    os.close(config["payload_fd"])
    os.close(config["verdict_fd"])
    status = None
    try:
        while status is None:
            pid, st = os.waitpid(-1, 0)
            if pid == worker:
                status = st
    except Stop:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        sweep(worker)
    if status is None:
        return 128 + signal.SIGTERM
    code = os.waitstatus_to_exitcode(status)
    return 128 - code if code < 0 else code


def drop_privileges(uid, gid):
    """Become the sandbox user for good: no groups, no capabilities, no setuid programs."""
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    prctl(PR_SET_NO_NEW_PRIVS, 1)


def own_tasks():
    """Tasks (threads included) of this real user visible here: what RLIMIT_NPROC counts."""
    uid, count = os.getuid(), 0
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else ():
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as handle:
                fields = dict(line.split(":", 1) for line in handle if ":" in line)
        except OSError:
            continue
        if int(fields.get("Uid", "-1").split()[0]) == uid:
            count += int(fields.get("Threads", "1"))
    return count


def set_limits(limits, nproc):
    cpu = max(1, int(limits["cpu_seconds"] + 0.999))
    pairs = [
        (resource.RLIMIT_CPU, cpu, cpu + 1),
        (resource.RLIMIT_AS, limits["memory_bytes"], limits["memory_bytes"]),
        (resource.RLIMIT_FSIZE, limits["file_bytes"], limits["file_bytes"]),
        (resource.RLIMIT_CORE, 0, 0),
        (resource.RLIMIT_NPROC, nproc, nproc),
    ]
    for which, soft, hard in pairs:
        resource.setrlimit(which, (soft, hard))


def work(config):
    os.setpgid(0, 0)  # one group for the sweep to kill at once
    fd = config["payload_fd"]
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while True:
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    payload = json.loads(b"".join(chunks))
    # Taken before the code runs: code that replaces os.write or json.dumps does not garble the verdict.
    token, verdict_fd, write, dumps = payload.pop("token"), config["verdict_fd"], os.write, json.dumps
    os.chdir(config["workdir"])
    if config.get("uid") is not None:
        drop_privileges(config["uid"], config["gid"])
    for name in ("solution.py", "tests.py"):
        with open(name, "w", encoding="utf-8") as handle:
            handle.write(payload[name])
    limits = config["limits"]
    nproc = config.get("nproc") or own_tasks() + limits["max_processes"] - 1
    set_limits(limits, nproc)
    sys.path[:0] = [".", *config["lib"]]
    verdict = run_tests(payload["tests.py"])
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - the code may have closed or replaced it
            pass
    verdict["token"] = token
    write(verdict_fd, (dumps(verdict) + "\n").encode())
    return 0


def describe(exc):
    message = str(exc).splitlines()[0] if str(exc) else ""
    return {"type": type(exc).__name__, "message": message[:MAX_MESSAGE]}


def run_tests(tests_source):
    """Exec the solution, then the tests in the same namespace, then call every test_*."""
    try:
        tests_code = compile(tests_source, "tests.py", "exec")
    except SyntaxError as exc:
        return {"error": {"where": "tests", **describe(exc)}}
    if "hypothesis" in tests_source:
        from hypothesis import settings

        settings.register_profile("sandbox", database=None, deadline=None, max_examples=50, derandomize=True)
        settings.load_profile("sandbox")
    namespace = {"__name__": "solution"}
    try:
        with open("solution.py", encoding="utf-8") as handle:
            exec(compile(handle.read(), "solution.py", "exec"), namespace)
    except BaseException as exc:  # noqa: BLE001 - every failure of model code counts
        traceback.print_exc(limit=3)
        return {"error": {"where": "solution", **describe(exc)}}
    namespace["__name__"] = "tests"
    try:
        exec(tests_code, namespace)
    except BaseException as exc:  # noqa: BLE001
        traceback.print_exc(limit=3)
        return {"error": {"where": "tests", **describe(exc)}}
    tests = [(n, f) for n, f in list(namespace.items()) if n.startswith("test") and callable(f)]
    failures = []
    for name, function in tests:
        try:
            function()
        except BaseException as exc:  # noqa: BLE001
            traceback.print_exc(limit=3)
            failures.append({"test": name, **describe(exc)})
    return {"tests": len(tests), "failed": len(failures), "failures": failures[:MAX_FAILURES]}


sys.exit(supervise(json.loads(sys.argv[1])))
