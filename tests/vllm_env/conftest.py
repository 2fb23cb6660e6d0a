"""Tests of the in-process `vllm` backend: they need vLLM itself, so they run in the vLLM
environment (`make test` runs this folder with .venv-vllm's Python after the main suite).

An environment without vLLM does not collect this folder; `make test` runs it where vLLM is, and
there a broken vLLM install collects no test, which pytest reports as a failed run (exit 5).
The engine starts once per session (about 20-60 s on two CPU cores).
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import replace

import pytest

collect_ignore_glob = [] if importlib.util.find_spec("vllm") else ["test_*.py"]

os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")  # GiB of KV cache on a CPU build; its default is 4


@pytest.fixture(scope="session")
def vllm_model():
    from pytest_emergent.backends import load_backend
    from pytest_emergent.config import parse_spec_string

    backend = load_backend(replace(parse_spec_string("vllm:smollm2-135m"), options={"max_model_len": 2048}))
    yield backend
    backend.close()


@pytest.fixture(scope="session")
def hf_model():
    from pytest_emergent.backends import load_backend
    from pytest_emergent.config import builtin_models

    backend = load_backend(builtin_models()["smollm2-135m"])
    yield backend
    backend.close()
