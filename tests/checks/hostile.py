"""The hostile-code suite: what model code may try, and what each isolation mode lets through.

Each case is code written against a `Target` (the host's listeners, marker processes, files and
secrets of one run) and an `observe` function that turns the sandbox's result and the host's
state afterwards into an outcome: `killed` (a limit ended it), `failed` (no pass, the host
untouched), `contained` (what it tried did not reach the host), or `leak` (it did). `expected`
says which each mode gives, keyed by mode, or mode and user (`rlimits/root`); docs/specs.md
("The code sandbox") describes the same table.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

FAST = {"cpu_seconds": 1, "wall_seconds": 20, "memory_mb": 256, "max_processes": 16}
PASSING = "def test_case():\n    pass\n"


@dataclass
class Target:
    """What one run of the suite may attack on the host."""

    tcp4: int
    tcp6: int | None
    udp: int
    unix_path: str
    abstract: str
    proc_marker: str  # in the command line of a host process
    secret: str  # in the environment of the process that runs the sandbox
    sentinel: Path  # a file of the user running the sandbox, outside its working folder
    private: Path  # a 0600 file of that user
    writable: list[str]  # the host's world-writable folders
    victim: int  # pid of a process of that user
    markers: dict[str, str] = field(default_factory=dict)  # per case: a name for its processes and files

    def marker(self, case: str) -> str:
        return self.markers.setdefault(case, "e" + secrets.token_hex(7))  # 15 chars: a process name fits


@dataclass(frozen=True)
class Outcome:
    kind: str  # killed | failed | contained | leak
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}" if self.detail else self.kind


@dataclass(frozen=True)
class Host:
    """The host's state after a run, as a case's observer sees it."""

    survivors: Callable[[str], int]  # processes still named after a marker
    kept: Callable[[str], list[str]]  # world-writable folders that now hold a file named after a marker
    target: Target


@dataclass(frozen=True)
class Hostile:
    name: str
    solution: Callable[[Target, str], str]  # (target, marker) -> code
    observe: Callable[[dict, Host, str], Outcome]  # (result, host, marker) -> outcome
    expected: Mapping[str, str]  # mode or mode/user -> kind; "*" for the rest
    tests: str = PASSING
    limits: Mapping[str, float] = field(default_factory=lambda: FAST)
    runs_in: Callable[[str, str], bool] = lambda mode, user: True
    not_run: str = ""  # why, where runs_in says no
    needs: Callable[[Target], bool] = lambda target: True

    def expect(self, mode: str, user: str) -> str:
        return self.expected.get(f"{mode}/{user}", self.expected.get(mode, self.expected["*"]))


def _limit(result: dict, host: Host, marker: str) -> Outcome:
    """A run that a limit ended: which one (the reason), and nothing of it left running."""
    left = host.survivors(marker)
    if result["passed"]:
        return Outcome("leak", "passed")
    if left:
        return Outcome("leak", f"{left} processes left running; {result['reason']}")
    return Outcome("killed" if "limit" in result["reason"] else "failed", result["reason"])


def _refused(result: dict, host: Host, marker: str) -> Outcome:
    """The case's test asserts that the attempt failed inside: a pass is containment."""
    if result["passed"]:
        return Outcome("contained")
    return Outcome("leak", result["reason"])


def _no_pass(result: dict, host: Host, marker: str) -> Outcome:
    return Outcome("leak", "passed") if result["passed"] else Outcome("failed", result["reason"])


def _no_survivor(result: dict, host: Host, marker: str) -> Outcome:
    left = host.survivors(marker)
    if left:
        return Outcome("leak", f"{left} process outlived the case")
    return Outcome("contained", "none left" + ("" if result["passed"] else f"; {result['reason']}"))


def _bounded(result: dict, host: Host, marker: str) -> Outcome:
    """Passed: its forks stopped below the limit; failed: they did not (its test names how many)."""
    return _no_survivor(result, host, marker) if result["passed"] else Outcome("leak", result["reason"])


def _nothing_kept(result: dict, host: Host, marker: str) -> Outcome:
    kept = host.kept(marker)
    return Outcome("leak", "kept in " + ", ".join(kept)) if kept else Outcome("contained")


def _sentinel_intact(result: dict, host: Host, marker: str) -> Outcome:
    sentinel = host.target.sentinel
    changed = sentinel.read_text() != "unchanged" or (sentinel.parent / marker).exists()
    return Outcome("leak", "changed a file of the user") if changed else Outcome("contained")


def _usr_intact(result: dict, host: Host, marker: str) -> Outcome:
    made = Path("/usr", marker)
    if made.exists():
        made.unlink()
        return Outcome("leak", f"created {made}")
    return Outcome("contained")


def _attempt(action: str) -> str:
    """Solution code: `action` (indented body) must raise for the attempt to count as refused."""
    body = "\n".join("    " + line for line in action.strip().splitlines())
    return f"try:\n{body}\n    done = True\nexcept OSError:\n    done = False\n"


def _search_proc(text: str, name: str, start: str = "False") -> str:
    """Solution code: `found` when /proc/*/NAME of any process holds `text` (written reversed in
    the code, so that the code itself is not what it finds)."""
    return (f"import os\nneedle = {text[::-1]!r}[::-1].encode()\nfound = {start}\n"
            "for pid in filter(str.isdigit, os.listdir('/proc')):\n"
            f"    try:\n        found = found or needle in open(f'/proc/{{pid}}/{name}', 'rb').read()\n"
            "    except OSError:\n        pass\n")


def _grandchild(marker: str) -> str:
    """Solution code: a grandchild in a session of its own, named `marker`, that never ends; the
    code returns once it runs (a condition: it says so on a pipe)."""
    return ("import ctypes, os, signal\nr, w = os.pipe()\n"
            "if os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
            f"        ctypes.CDLL(None).prctl(15, {marker!r}.encode(), 0, 0, 0)\n"
            "        os.write(w, b'up')\n        os.closerange(0, 3)\n        while True:\n            signal.pause()\n"
            "    os._exit(0)\nassert os.read(r, 2) == b'up'\n")


def _network(name: str, action: Callable[[Target], str], **options) -> Hostile:
    """A network attempt that must fail inside: only bubblewrap's own network namespace stops it."""
    return Hostile(name, lambda t, m: _attempt(action(t)), _refused, {"*": "leak", "bubblewrap": "contained"},
                   tests=REFUSED, **options)


REFUSED = "def test_refused():\n    assert not done, 'the attempt succeeded'\n"
NOT_FOUND = "def test_not_found():\n    assert not found, 'found it'\n"

# Cases: what each mode gives. The same table is in docs/specs.md.
CASES: list[Hostile] = [
    Hostile("infinite loop", lambda t, m: "while True:\n    pass\n", _limit, {"*": "killed"}),
    Hostile("sleeps past the wall clock", lambda t, m: "import time\ntime.sleep(600)\n", _limit, {"*": "killed"},
            limits={**FAST, "wall_seconds": 2}),
    Hostile("fork bomb", lambda t, m: (
        "import ctypes, os, time\n"
        f"ctypes.CDLL(None).prctl(15, {m!r}.encode(), 0, 0, 0)\n"
        "while True:\n    try:\n        os.fork()\n    except OSError:\n        time.sleep(0.05)\n"),
        _limit, {"*": "killed"}, limits={**FAST, "wall_seconds": 3},
        runs_in=lambda mode, user: not (mode == "rlimits" and user == "root"),
        not_run="the kernel exempts root from RLIMIT_NPROC: nothing would bound it"),
    Hostile("more processes than its limit", lambda t, m: (
        "import ctypes, os, signal\n"
        f"ctypes.CDLL(None).prctl(15, {m!r}.encode(), 0, 0, 0)\n"
        "started = 0\n"
        "for _ in range(200):\n    try:\n        pid = os.fork()\n    except OSError:\n        break\n"
        "    if pid == 0:\n        signal.pause()\n    started += 1\n"),
        _bounded, {"*": "contained", "rlimits/root": "leak"},
        tests="def test_bounded():\n    assert started < 100, f'{started} processes'\n"),
    Hostile("allocates 10 GB", lambda t, m: "block = bytearray(10 * 1024 ** 3)\n", _no_pass, {"*": "failed"}),
    Hostile("floods its output", lambda t, m: "import sys\nchunk = 'x' * (1 << 20)\nwhile True:\n    sys.stdout.write(chunk)\n",
            _no_pass, {"*": "failed"}, limits={**FAST, "max_output_mb": 4}),
    Hostile("os._exit(0) before the tests", lambda t, m: "import os\nos._exit(0)\n", _no_pass, {"*": "failed"}),
    Hostile("os._exit(0) inside a test", lambda t, m: "import os\ndef stop():\n    os._exit(0)\n", _no_pass,
            {"*": "failed"}, tests="def test_case():\n    stop()\n"),
    Hostile("os._exit(0) from atexit after a failed test",
            lambda t, m: "import atexit, os\natexit.register(os._exit, 0)\n", _no_pass, {"*": "failed"},
            tests="def test_case():\n    assert False, 'this test fails'\n"),
    Hostile("forges a verdict on every descriptor", lambda t, m: (
        "import json, os\n"
        "line = json.dumps({'tests': 1, 'failed': 0, 'failures': [], 'token': '0' * 32}) + '\\n'\n"
        "print(line, 'PASSED')\n"
        "for fd in range(3, 256):\n    try:\n        os.write(fd, line.encode())\n    except OSError:\n        pass\n"),
        _no_pass, {"*": "failed"}, tests="def test_case():\n    assert False, 'this test fails'\n"),
    Hostile("writes to every world-writable folder", lambda t, m: (
        "import os\n"
        f"for folder in {t.writable!r}:\n"
        f"    try:\n        open(os.path.join(folder, {m!r}), 'w').write('x')\n    except OSError:\n        pass\n"),
        _nothing_kept, {"*": "leak", "bubblewrap": "contained"}),
    Hostile("writes a file of the user outside its folder", lambda t, m: (
        "import os\n"
        f"for path, text in (({str(t.sentinel)!r}, 'changed'), ({str(t.sentinel.parent / m)!r}, 'new')):\n"
        "    try:\n        open(path, 'w').write(text)\n    except OSError:\n        pass\n"),
        _sentinel_intact, {"*": "contained", "rlimits": "leak"}),
    Hostile("writes into /usr", lambda t, m: _attempt(f"open('/usr/{m}', 'w').write('x')"), _usr_intact,
            {"*": "contained", "rlimits/root": "leak"}),
    Hostile("reads a private file of the user", lambda t, m: _attempt(f"open({str(t.private)!r}).read()"),
            _refused, {"*": "contained", "rlimits": "leak"}, tests=REFUSED),
    _network("connects over TCP (socket.create_connection)", lambda t: (
        f"import socket\nsocket.create_connection(('127.0.0.1', {t.tcp4}), timeout=2).close()")),
    _network("connects over TCP with the raw _socket module", lambda t: (
        f"import _socket\ns = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)\ns.settimeout(2)\n"
        f"s.connect(('127.0.0.1', {t.tcp4}))")),
    _network("connects over TCP on IPv6", lambda t: (
        f"import socket\nsocket.create_connection(('::1', {t.tcp6}), timeout=2).close()"), needs=lambda t: t.tcp6 is not None),
    _network("exchanges UDP datagrams", lambda t: (
        f"import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ns.settimeout(2)\n"
        f"s.sendto(b'ping', ('127.0.0.1', {t.udp}))\nassert s.recv(16) == b'ping'")),
    _network("connects to a host AF_UNIX socket by path", lambda t: (
        f"import socket\ns = socket.socket(socket.AF_UNIX)\ns.settimeout(2)\ns.connect({t.unix_path!r})")),
    _network("connects to a host abstract AF_UNIX socket", lambda t: (
        f"import socket\ns = socket.socket(socket.AF_UNIX)\ns.settimeout(2)\ns.connect({t.abstract!r})")),
    Hostile("lists the host's network interfaces over AF_NETLINK", lambda t, m: (
        "import socket\n"
        "s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)\ns.bind((0, 0))\n"
        "names = sorted(name for _, name in socket.if_nameindex())\n"),
        _refused, {"*": "leak", "bubblewrap": "contained"},
        tests="def test_only_loopback():\n    assert names == ['lo'], 'sees the host interfaces'\n"),
    Hostile("opens a raw packet socket (AF_PACKET)", lambda t, m: _attempt(
        "import socket\nsocket.socket(socket.AF_PACKET, socket.SOCK_RAW).close()"),
        _refused, {"*": "contained", "rlimits/root": "leak"}, tests=REFUSED),
    Hostile("reads other processes' command lines in /proc", lambda t, m: _search_proc(t.proc_marker, "cmdline"),
            _refused, {"*": "leak", "bubblewrap": "contained"}, tests=NOT_FOUND),
    Hostile("looks for the parent's secrets in its environment and /proc",
            lambda t, m: _search_proc(t.secret, "environ", "any(needle.decode() in v for v in os.environ.values())"),
            _refused, {"*": "contained", "rlimits": "leak"}, tests=NOT_FOUND),
    Hostile("kills another process of the user", lambda t, m: _attempt(f"import os\nos.kill({t.victim}, 9)"),
            _refused, {"*": "contained", "rlimits": "leak"}, tests=REFUSED),
    Hostile("leaves a setsid grandchild behind", lambda t, m: _grandchild(m), _no_survivor, {"*": "contained"}),
    Hostile("kills its supervisor, then leaves a setsid grandchild",
            lambda t, m: "import os, signal\ntry:\n    os.kill(os.getppid(), signal.SIGKILL)\nexcept OSError:\n"
                         "    pass\n" + _grandchild(m),
            _no_survivor, {"*": "contained", "rlimits": "leak"}),
    Hostile("fills the disk with files under the size limit", lambda t, m: (
        "written = 0\ntry:\n    for i in range(8):\n"
        "        with open(f'fill{i}', 'wb') as f:\n            f.write(bytes(15 << 20))\n        written += 15\n"
        "except OSError:\n    pass\n"),
        _refused, {"*": "leak", "bubblewrap": "contained"},
        tests="def test_bounded():\n    assert written < 100, f'wrote {written} MiB'\n"),
    Hostile("fills every folder it can write inside the sandbox", lambda t, m: (
        "import os\nwritten = 0\n"
        "for root, dirs, _ in os.walk('/'):\n"
        "    if root.startswith(('/proc', '/sys')):\n        dirs[:] = []\n        continue\n"
        "    for i in range(10):  # 150 MiB at most per folder, 450 in all: enough to pass any bound\n"
        "        if written >= 450:\n            break\n"
        f"        try:\n            with open(os.path.join(root, '{m}-%d' % i), 'wb') as f:\n"
        "                f.write(bytes(15 << 20))\n            written += 15\n"
        "        except OSError:\n            break\n"),
        _refused, {"*": "contained"}, tests="def test_bounded():\n    assert written <= 80, f'wrote {written} MiB'\n",
        limits={**FAST, "cpu_seconds": 30, "wall_seconds": 120},  # walking / and writing take long on a loaded machine
        runs_in=lambda mode, user: mode == "bubblewrap",
        not_run="without bubblewrap it would fill every folder of the host that its user may write"),
]


def case_payload(case: Hostile, target: Target) -> dict:
    return {"name": case.name, "solution": case.solution(target, target.marker(case.name)), "tests": case.tests,
            "limits": dict(case.limits)}


def survivors(marker: str) -> list[int]:
    """Pids of processes named `marker` (a case names its processes with prctl(PR_SET_NAME))."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if Path("/proc", entry, "comm").read_text().strip() == marker:
                    found.append(int(entry))
            except OSError:
                pass
    return found
