"""The openai backend against a real vLLM server (CPU build) serving SmolLM2-135M on 127.0.0.1.

The server is the one an `openai` model with `serve: vllm` starts itself, from the vLLM
environment `make test` creates (.venv-vllm): started once per session (30-60 s here), waited
for on /health, and stopped with its engine processes at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.request
from pathlib import Path

import pytest

from pytest_emergent.backends import GenerateRequest, LoglikelihoodRequest, load_backend
from pytest_emergent.backends.hf.loading import loadable_folder
from pytest_emergent.backends.openai import OpenAIBackend
from pytest_emergent.config import builtin_models, locate
from pytest_emergent.config.models import config_from_entry

ROOT = Path(__file__).resolve().parents[2]
VLLM_PYTHON = Path(os.environ.get("EMERGENT_VLLM_PYTHON", ROOT / ".venv-vllm" / "bin" / "python"))
EXAMPLES = ROOT / "examples"
os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")  # GiB of KV cache on a CPU build; its default is 4


def smollm2_folder() -> Path:
    return Path(loadable_folder(builtin_models()["smollm2-135m"]))


@pytest.fixture(scope="session")
def served():
    """The openai backend with the vLLM server it started; the server must be gone after close()."""
    if not VLLM_PYTHON.exists():
        message = f"no vLLM environment at {VLLM_PYTHON}: `make test` creates it (make vllm-env)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    spec = config_from_entry({"name": "smollm2", "backend": "openai", "serve": "vllm", "serve_python": str(VLLM_PYTHON),
                            "path": str(locate("smollm2-135m")), "dtype": "float32", "enforce_eager": True,
                            "max_model_len": 2048, "startup_timeout": 420}, "test", ROOT)
    backend = load_backend(spec)
    server = backend.server
    group = server.process.pid
    yield backend
    backend.close()
    assert not server.running()
    with pytest.raises(ProcessLookupError):  # the whole group (API server, engine, worker) is gone
        os.killpg(group, 0)


@pytest.fixture(scope="session")
def vllm_url(served):
    return served.base_url


def engine_steps(base_url: str) -> float:
    """vLLM's count of engine iterations so far, from its Prometheus /metrics."""
    root = base_url.removesuffix("/v1")
    with urllib.request.urlopen(root + "/metrics", timeout=10) as response:
        text = response.read().decode()
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("vllm:iteration_tokens_total_count"))


PAIRS = [("The capital of France is", " Paris"), ("Q: What is 2 + 3?\nA:", " 5"), ("Hello, my name", " is"),
         ("cola sentence: the course is jumping well.", " unacceptable"), ("Once upon a time", " there was a king")]


def test_loglikelihoods_agree_with_the_hf_backend_within_0_2_nats(vllm_url):
    served = load_backend(config_from_entry({"name": "s", "backend": "openai", "base_url": vllm_url,
                                           "model": "smollm2"}, "test", ROOT))
    local = load_backend(builtin_models()["smollm2-135m"])
    requests = [LoglikelihoodRequest(c, x) for c, x in PAIRS]
    remote, here = served.loglikelihood(requests), local.loglikelihood(requests)
    local.close()
    assert [r.n_tokens for r in remote] == [h.n_tokens for h in here]
    gap = max(abs(r.logprob - h.logprob) for r, h in zip(remote, here))
    print(f"\nlargest log-likelihood gap served vs local: {gap:.4f} nats over {len(requests)} pairs")
    assert gap < 0.2


def test_thirty_two_requests_in_flight_take_a_fifth_of_the_engine_steps_of_one_at_a_time(vllm_url):
    """Counted in vLLM's engine iterations: in flight together, the requests share each step."""
    prompts = [GenerateRequest(f"Q: What is the capital of country number {i}?\nA:", 16) for i in range(32)]
    one = OpenAIBackend("s", vllm_url, "smollm2", concurrency=1)
    many = OpenAIBackend("s", vllm_url, "smollm2", concurrency=32)
    start = engine_steps(vllm_url)
    alone = one.generate(prompts)
    middle = engine_steps(vllm_url)
    together = many.generate(prompts)
    sequential, concurrent = middle - start, engine_steps(vllm_url) - middle
    print(f"\n32 requests: {sequential:.0f} engine steps one at a time, {concurrent:.0f} in flight together")
    assert sequential >= 5 * concurrent
    assert sum(a == b for a, b in zip(alone, together)) >= 28  # batching may part near-tied tokens


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
