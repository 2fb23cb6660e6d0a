"""The vLLM server an `openai` model with `serve: vllm` starts and stops, against a stand-in server.

The stand-in (fake_vllm/) answers as vLLM's OpenAI server does and starts a child process as
vLLM starts its engine, so these tests see the whole life of a managed server in a second; the
real server is started once in test_vllm.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pytest_emergent.backends import BackendError, GenerateRequest, load_backend
from pytest_emergent.backends.vllm_server import server_command
from pytest_emergent.config import ModelConfigError, load_models_file
from pytest_emergent.config.models import ModelConfig
from pytest_emergent.engine.fingerprint import fingerprint

FAKE = Path(__file__).parent / "fake_vllm"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fake_vllm(monkeypatch, tiny_dir):
    """Models-file text for a served model; the stand-in server is found through PYTHONPATH."""
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(FAKE), str(ROOT)]))

    def entry(**extra: object) -> ModelConfig:
        fields = {"name": "served", "backend": "openai", "serve": "vllm", "path": str(tiny_dir),
                  "serve_python": sys.executable, "params": "1M", "startup_timeout": 60, **extra}
        from pytest_emergent.config.models import config_from_entry

        return config_from_entry(fields, "models file", Path.cwd())

    return entry


def pid_gone(pid: int, within: float = 10.0) -> bool:
    """Whether process `pid` has exited (reaped or a zombie of another parent) within `within` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        status = Path(f"/proc/{pid}/stat")
        if status.exists() and status.read_text().split(")")[-1].split()[0] == "Z":
            return True
        time.sleep(0.05)
    return False


def log_of(error: Exception) -> Path:
    return Path(str(error).split("of its log ")[1].split(":\n")[0])


def engine_pid(log: Path) -> int:
    line = next(x for x in log.read_text().splitlines() if x.startswith("fake vllm: engine pid"))
    return int(line.rsplit(" ", 1)[1])


def test_a_served_model_starts_its_server_answers_and_stops_it_with_its_engine_when_released(fake_vllm):
    backend = load_backend(fake_vllm())
    server = backend.server
    pids = [server.process.pid, engine_pid(server.log_path)]
    assert backend.base_url == f"http://127.0.0.1:{server.port}/v1"
    assert backend.generate([GenerateRequest("abc", 8, ("\n",))]) == ["served cba"]
    assert backend.info().details["server"] == "vllm, started by pytest-emergent"
    backend.close()
    assert all(pid_gone(pid) for pid in pids)
    assert not server.log_path.exists()
    with pytest.raises(BackendError, match="server was stopped"):
        backend.generate([GenerateRequest("abc")])


def test_a_server_that_exits_at_start_is_one_error_with_the_last_lines_of_its_log(fake_vllm, monkeypatch):
    monkeypatch.setenv("FAKE_VLLM_MODE", "crash")
    with pytest.raises(BackendError) as caught:
        load_backend(fake_vllm())
    message = str(caught.value)
    assert "model 'served': the server exited (status 3) before it was ready" in message
    assert "ValueError: cannot load model" in message.splitlines()[-1]
    log_of(caught.value).unlink()  # kept for the error to point at


def test_a_server_that_never_gets_healthy_is_stopped_after_startup_timeout(fake_vllm, monkeypatch):
    monkeypatch.setenv("FAKE_VLLM_MODE", "silent")
    with pytest.raises(BackendError, match=r"did not answer /health within 2 s \(raise startup_timeout\)") as caught:
        load_backend(fake_vllm(startup_timeout=2))
    log = log_of(caught.value)
    assert pid_gone(engine_pid(log))
    log.unlink()


SCRIPT = """
import os, sys
from pytest_emergent.backends import load_backend
from pytest_emergent.config.models import config_from_entry
from pathlib import Path
spec = config_from_entry({{"name": "served", "backend": "openai", "serve": "vllm", "path": {path!r},
                        "serve_python": sys.executable}}, "models file", Path.cwd())
backend = load_backend(spec)
print(backend.server.process.pid, flush=True)
print(backend.server.log_path, flush=True)
{ending}
"""


@pytest.mark.parametrize("ending", ["pass", "os.kill(os.getpid(), 9)"], ids=["exits", "is-killed"])
def test_the_server_does_not_outlive_the_python_that_started_it(fake_vllm, tiny_dir, ending):
    """Never left running: at exit without a close, and when the process dies by SIGKILL."""
    done = subprocess.run([sys.executable, "-c", SCRIPT.format(path=str(tiny_dir), ending=ending)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == (0 if ending == "pass" else -signal.SIGKILL), done.stderr[-2000:]
    server_pid, log = done.stdout.split("\n")[:2]
    assert pid_gone(int(server_pid))
    if Path(log).exists():  # a clean stop removes the log; after SIGKILL the server stopped itself
        assert pid_gone(engine_pid(Path(log)))
        Path(log).unlink()


def test_the_server_command_carries_the_engine_fields_as_flags(tiny_dir):
    spec = ModelConfig("m", backend="openai", path=str(tiny_dir), options={
        "serve": "vllm", "tensor_parallel_size": 2, "enforce_eager": True, "dtype": "bfloat16",
        "max_model_len": 4096, "gpu_memory_utilization": 0.8,
        "engine_args": {"max_num_seqs": 64, "pipeline_parallel_size": 2, "distributed_executor_backend": "ray",
                        "hf_overrides": {"rope_theta": 10000}}})
    command = server_command(spec, "/env/bin/python", "/models/m", "m", 8123)
    assert command[:3] == ["/env/bin/python", "-m", "vllm.entrypoints.openai.api_server"]
    flags = " ".join(command[3:])
    for part in ("--host 127.0.0.1", "--port 8123", "--served-model-name m", "--model /models/m", "--dtype bfloat16",
                 "--tensor-parallel-size 2", "--enforce-eager", "--max-model-len 4096",
                 "--gpu-memory-utilization 0.8", "--enable-prefix-caching", "--max-num-seqs 64",
                 "--pipeline-parallel-size 2", "--distributed-executor-backend ray",
                 '--hf-overrides {"rope_theta": 10000}'):
        assert part in flags
    assert "--no-trust-remote-code" in flags


@pytest.mark.parametrize(("fields", "message"), [
    ({"serve": "tgi"}, "serve 'tgi' unknown; the server pytest-emergent can start is 'vllm'"),
    ({"base_url": "http://127.0.0.1:1/v1"}, "give either base_url .* or serve: vllm"),
    ({"serve_python": "/nowhere/bin/python"}, "serve_python /nowhere/bin/python does not exist"),
    ({"tensor_parallel_size": "two"}, "field 'tensor_parallel_size' must be a whole number, got 'two'"),
    ({"startup_timeout": "soon"}, "field 'startup_timeout' must be a number"),
])
def test_bad_serve_fields_are_one_error_naming_the_model_and_field(fake_vllm, fields, message):
    with pytest.raises(BackendError, match=f"model 'served': {message}"):
        load_backend(fake_vllm(**fields))


def test_without_vllm_here_and_no_serve_python_the_error_says_how_to_get_one(fake_vllm, monkeypatch):
    monkeypatch.delenv("EMERGENT_VLLM_PYTHON", raising=False)
    monkeypatch.setitem(sys.modules, "vllm", None)
    monkeypatch.setattr("importlib.util.find_spec", lambda name, *a: None)
    with pytest.raises(BackendError, match="serve: vllm needs vLLM, which this environment lacks: `pip install vllm`"):
        load_backend(fake_vllm(serve_python=None))


def test_a_served_model_is_fingerprinted_by_its_weights_not_its_port(tmp_path, tiny_dir):
    (tmp_path / "models.yaml").write_text(
        f"- {{name: a, backend: openai, serve: vllm, path: {tiny_dir}}}\n"
        f"- {{name: b, backend: openai, serve: vllm, path: {tiny_dir}, port: 9000}}\n"
        f"- {{name: c, backend: openai, base_url: 'http://127.0.0.1:9000/v1', model: b}}\n")
    a, b, c = load_models_file(tmp_path / "models.yaml")
    assert fingerprint(a, None) == fingerprint(b, None) != fingerprint(c, None)


def test_unknown_serve_field_spellings_are_caught_in_the_models_file(tmp_path):
    (tmp_path / "models.yaml").write_text("- {name: a, backend: openai, serve: vllm, path: x, serve_pyhton: /p}\n")
    with pytest.raises(ModelConfigError, match=r"unknown field 'serve_pyhton' \(did you mean 'serve_python'\?\)"):
        load_models_file(tmp_path / "models.yaml")


def test_the_pool_stops_the_server_after_the_models_use_and_a_cached_rerun_starts_none(fake_vllm, tmp_path):
    from pytest_emergent.engine.cache import LazyCache
    from pytest_emergent.models.pool import ModelPool

    spec = fake_vllm()
    pool = ModelPool([spec], cache=LazyCache(tmp_path / "cache"))
    model = pool.get("served")
    assert model.generate("abc", stop="\n") == "served cba"
    server = model.backend.inner.inner.server  # the cache, the weights loaded on first use, the served model
    pid = server.process.pid
    pool.close()
    assert pid_gone(pid) and not server.running()
    again = ModelPool([spec], cache=LazyCache(tmp_path / "cache"))
    model = again.get("served")
    assert model.generate("abc", stop="\n") == "served cba"
    assert not model.backend.inner.loaded  # answered from the response cache: no server was started
    again.close()


def test_a_served_model_that_fails_after_its_server_started_leaves_no_server(fake_vllm, monkeypatch):
    from pytest_emergent.backends.vllm_server import ManagedServer

    pids: list[int] = []
    original = ManagedServer.start

    def start(self: ManagedServer) -> None:
        original(self)
        pids.append(self.process.pid)

    monkeypatch.setattr(ManagedServer, "start", start)
    monkeypatch.delenv("EMERGENT_NO_SUCH_KEY", raising=False)
    with pytest.raises(BackendError, match="environment variable EMERGENT_NO_SUCH_KEY .* is not set"):
        load_backend(fake_vllm(api_key_env="EMERGENT_NO_SUCH_KEY"))
    assert len(pids) == 1 and pid_gone(pids[0])
