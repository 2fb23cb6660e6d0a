"""The openai backend against a real vLLM server (CPU build) serving SmolLM2-135M on 127.0.0.1.

`make test` creates the server's environment (.venv-vllm); the server starts once per session
(about 30 s) and is stopped by its PID.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from pytest_emergent.backends import GenerateRequest, LoglikelihoodRequest, load_backend
from pytest_emergent.backends.openai import OpenAIBackend
from pytest_emergent.config import builtin_models, parse_spec_string

ROOT = Path(__file__).resolve().parents[2]
VLLM_PYTHON = Path(os.environ.get("EMERGENT_VLLM_PYTHON", ROOT / ".venv-vllm" / "bin" / "python"))
EXAMPLES = ROOT / "examples"


def smollm2_folder() -> Path:
    from pytest_emergent.backends.hf.loading import _dequant_dir
    from pytest_emergent.config import locate

    folder = _dequant_dir(locate("smollm2-135m"))
    if not (folder / "config.json").is_file():
        load_backend(builtin_models()["smollm2-135m"]).close()
    return folder


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def vllm_url(tmp_path_factory):
    if not VLLM_PYTHON.exists():
        message = f"no vLLM environment at {VLLM_PYTHON}: `make test` creates it (make vllm-env)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    port = free_port()
    log = tmp_path_factory.mktemp("vllm") / "server.log"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "VLLM_CPU_KVCACHE_SPACE": "1",
           "VLLM_NO_USAGE_STATS": "1", "DO_NOT_TRACK": "1"}
    command = [str(VLLM_PYTHON), "-m", "vllm.entrypoints.openai.api_server", "--model", str(smollm2_folder()),
               "--host", "127.0.0.1", "--port", str(port), "--max-model-len", "2048", "--served-model-name",
               "smollm2", "--enforce-eager", "--dtype", "float32"]
    with log.open("w") as handle:
        server = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 420
    while True:
        try:
            with urllib.request.urlopen(base + "/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            pytest.fail(f"vLLM did not start (exit {server.poll()}); log:\n{log.read_text()[-4000:]}")
        time.sleep(1)
    yield base + "/v1"
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


PAIRS = [("The capital of France is", " Paris"), ("Q: What is 2 + 3?\nA:", " 5"), ("Hello, my name", " is"),
         ("cola sentence: the course is jumping well.", " unacceptable"), ("Once upon a time", " there was a king")]


def test_loglikelihoods_agree_with_the_hf_backend_within_0_2_nats(vllm_url):
    served = load_backend(parse_spec_string(f"openai:{vllm_url}#smollm2"))
    local = load_backend(parse_spec_string(f"hf:{smollm2_folder()}"))
    requests = [LoglikelihoodRequest(c, x) for c, x in PAIRS]
    remote, here = served.loglikelihood(requests), local.loglikelihood(requests)
    local.close()
    assert [r.n_tokens for r in remote] == [h.n_tokens for h in here]
    gap = max(abs(r.logprob - h.logprob) for r, h in zip(remote, here))
    print(f"\nlargest log-likelihood gap served vs local: {gap:.4f} nats over {len(requests)} pairs")
    assert gap < 0.2


def test_thirty_two_requests_in_flight_are_five_times_faster_than_one_at_a_time(vllm_url):
    prompts = [GenerateRequest(f"Q: What is the capital of country number {i}?\nA:", 16) for i in range(32)]
    one = OpenAIBackend("s", vllm_url, "smollm2", concurrency=1)
    many = OpenAIBackend("s", vllm_url, "smollm2", concurrency=32)
    many.generate(prompts[:2])  # warm up
    started = time.perf_counter()
    one.generate(prompts)
    sequential = time.perf_counter() - started
    started = time.perf_counter()
    many.generate(prompts)
    concurrent = time.perf_counter() - started
    print(f"\n32 requests: sequential {sequential:.2f} s, concurrent {concurrent:.2f} s, {sequential / concurrent:.1f}x")
    assert sequential / concurrent >= 5, f"sequential {sequential:.2f} s, concurrent {concurrent:.2f} s"


def test_the_shipped_examples_get_the_same_statuses_served_as_local(vllm_url, pytester):
    shutil.copytree(EXAMPLES, pytester.path / "examples")
    pytester.makefile(".yaml", **{"emergent-models": "\n".join([
        "- name: local", f"  path: {smollm2_folder()}", "  family: smollm2", "  traits: [instruct, chat]",
        "  tokens: 2T",
        "- name: served", "  backend: openai", f"  base_url: {vllm_url}", "  model: smollm2", "  params: 134515008",
        "  family: smollm2", "  traits: [instruct, chat]", "  tokens: 2T"]) + "\n"})
    statuses = {}
    for name in ("local", "served"):
        pytester.runpytest("examples", "--emergent-model", name, "--emergent-json", f"{name}.json",
                           "--emergent-no-ledger", "--emergent-cache", "off")
        document = json.loads((pytester.path / f"{name}.json").read_text())
        statuses[name] = {r["capability"]: r["status"] for r in document["results"]}
    assert statuses["served"] == statuses["local"]
    assert "error" not in statuses["served"].values()
