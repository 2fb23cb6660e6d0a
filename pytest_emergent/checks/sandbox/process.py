"""Start the sandbox process and follow it: output read as it comes, only a bounded tail kept.

Three pipes are read together until they close: stdout and stderr (merged), the verdict
descriptor, and bubblewrap's status stream (its child's pid, then the exit code). The run ends at
its wall-clock limit or when its output passes the limit; either way nothing more is read, it is
stopped, and this waits for the process to end (killing everything if it has not after a grace
period), never for a fixed time.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import time
from dataclasses import dataclass

TAIL_BYTES = 64 * 1024
MAX_VERDICT = 64 * 1024
GRACE_SECONDS = 10.0  # after a stop: for the supervisor's sweep, then everything is killed
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Finished:
    exit_code: int | None  # the supervisor's (bubblewrap's child's) exit code; None if unknown
    tail: bytes  # the last TAIL_BYTES of the output
    output_bytes: int
    verdict: bytes
    ended_by: str  # "", "wall" (wall-clock limit) or "output" (output limit)
    started: bool  # False: bubblewrap could not set the sandbox up (its message is in `tail`)


class _Status:
    """bubblewrap's --json-status-fd stream: JSON objects one after the other."""

    def __init__(self) -> None:
        self.buffer, self.child_pid, self.exit_code = "", None, None

    def feed(self, data: bytes) -> None:
        self.buffer += data.decode("utf-8", "replace")
        decoder = json.JSONDecoder()
        while self.buffer.strip():
            try:
                obj, end = decoder.raw_decode(self.buffer.lstrip())
            except ValueError:
                return
            self.buffer = self.buffer.lstrip()[end:]
            if isinstance(obj, dict):
                self.child_pid = self.child_pid or obj.get("child-pid")
                self.exit_code = obj.get("exit-code", self.exit_code)


def execute(argv: list[str], *, env: dict[str, str], cwd: str, keep_fds: tuple[int, ...], verdict_fd: int,
            status_fd: int | None, wall: float, max_output: int) -> Finished:
    """Run `argv` and follow it to its end. The descriptors in `keep_fds` are inherited by it and
    closed here once it has started (so that the pipes they write to close when it ends)."""
    try:
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   env=env, cwd=cwd, pass_fds=keep_fds, start_new_session=True)
    finally:
        for fd in keep_fds:
            os.close(fd)
    status = _Status() if status_fd is not None else None
    tail, total, verdict, ended_by = bytearray(), 0, bytearray(), ""
    selector = selectors.DefaultSelector()
    assert process.stdout is not None
    streams = {process.stdout.fileno(): "out", verdict_fd: "verdict"}
    if status_fd is not None:
        streams[status_fd] = "status"
    for fd, name in streams.items():
        os.set_blocking(fd, False)
        selector.register(fd, selectors.EVENT_READ, name)
    deadline = time.monotonic() + wall
    try:
        while selector.get_map() and not ended_by:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                ended_by = "wall"
                break
            for key, _ in selector.select(timeout=remaining):
                try:
                    data = os.read(key.fd, _CHUNK)
                except BlockingIOError:
                    continue
                if not data:
                    selector.unregister(key.fd)
                elif key.data == "out":
                    total += len(data)
                    tail += data
                    if len(tail) > 2 * TAIL_BYTES:
                        del tail[:-TAIL_BYTES]
                    if total > max_output:
                        ended_by = "output"
                        break
                elif key.data == "verdict":
                    verdict += data[: max(0, MAX_VERDICT + 1 - len(verdict))]
                elif status is not None:
                    status.feed(data)
        if not ended_by:  # every pipe closed: the sandbox is ending, or it is holding on without them
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0))
            except subprocess.TimeoutExpired:
                ended_by = "wall"
        if ended_by:  # nothing more is read: a writer blocked on its full pipe dies as well as any other
            _stop(process, status)
            try:
                process.wait(timeout=GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                _kill(process)
    finally:
        selector.close()
        if process.poll() is None:
            _kill(process)
        process.wait()
        process.stdout.close()
    code = status.exit_code if status is not None and status.exit_code is not None else process.returncode
    started = status is None or status.child_pid is not None
    return Finished(code, bytes(tail[-TAIL_BYTES:]), total, bytes(verdict), ended_by, started)


def _stop(process: subprocess.Popen, status: _Status | None) -> None:
    """bubblewrap: kill its PID namespace's first process, and the kernel ends the namespace.
    Otherwise ask the supervisor (SIGTERM) to kill and reap everything the code started."""
    try:
        if status is None:
            process.send_signal(signal.SIGTERM)
        elif status.child_pid and _parent(status.child_pid) == process.pid:
            os.kill(status.child_pid, signal.SIGKILL)
        else:  # not started yet, or a pid that is not bubblewrap's child: end bubblewrap itself
            process.kill()
    except ProcessLookupError:
        pass


def _parent(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return int(handle.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _kill(process: subprocess.Popen) -> None:
    for kill in (lambda: os.killpg(process.pid, signal.SIGKILL), process.kill):
        try:
            kill()
        except (ProcessLookupError, PermissionError):
            pass
