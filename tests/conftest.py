from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
# Responses cached by one test must not answer another test's run: a fresh cache per session.
os.environ["EMERGENT_CACHE"] = tempfile.mkdtemp(prefix="emergent-test-cache-")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).parent))

from tiny import build_llama  # noqa: E402


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_llama(tmp_path_factory.mktemp("tiny-llama"))


@pytest.fixture
def models_file(pytester: pytest.Pytester, tiny_dir: Path):
    """Write an emergent-models.yaml into the pytester folder; entries are (name, params, traits)."""

    def write(*entries: tuple[str, str, list[str]]) -> Path:
        lines = []
        for name, params, traits in entries:
            lines += [f"- name: {name}", f"  path: {tiny_dir}", f"  params: {params}", "  family: tiny",
                      f"  traits: [{', '.join(traits)}]"]
        return pytester.makefile(".yaml", **{"emergent-models": "\n".join(lines) + "\n"})

    return write
