"""The pool: one model in memory at a time, each loaded at most once, nothing loaded for a cached answer."""

from __future__ import annotations

import pytest
from fakes import ScriptedBackend

from pytest_emergent.backends import BackendError, register_backend
from pytest_emergent.backends.base import GenerateRequest
from pytest_emergent.config import ModelConfig
from pytest_emergent.engine.cache import LazyCache
from pytest_emergent.models.pool import ModelPool

LOADS: list[str] = []


def scripted(config: ModelConfig) -> ScriptedBackend:
    LOADS.append(config.name)
    if config.name == "broken":
        raise RuntimeError("no weights here")
    return ScriptedBackend(reply=lambda p: f"{config.name}: {p}")


@pytest.fixture(autouse=True)
def backend_kind():
    register_backend("scripted", scripted)
    LOADS.clear()


def pool(cache=None, *names: str) -> ModelPool:
    configs = [ModelConfig(name=n, backend="scripted", params=1e6, family="f") for n in names or ("a", "b")]
    return ModelPool(configs, cache=LazyCache(cache))


def test_a_model_loads_on_its_first_request_and_once():
    models = pool()
    model = models.get("a")
    model.generate(["x", "y"])
    model.generate("z")
    assert LOADS == ["a"]


def test_getting_another_model_releases_the_first():
    models = pool()
    a = models.get("a")
    a.generate("x")
    models.get("b")
    assert list(models.loaded) == ["b"] and not a.backend.loaded


def test_a_model_that_cannot_load_fails_with_one_remembered_line():
    models = pool(None, "broken")
    with pytest.raises(BackendError, match="model 'broken': loading failed: RuntimeError: no weights here"):
        models.get("broken").generate("x")
    with pytest.raises(BackendError, match="no weights here"):
        models.get("broken").generate("y")
    assert LOADS == ["broken"]
    assert "no weights here" in models.load_error("broken")


def test_a_fully_cached_rerun_loads_nothing(tmp_path):
    first = pool(tmp_path / "cache")
    assert first.get("a").generate(["x", "y"]) == ["a: x", "a: y"]
    first.close()
    LOADS.clear()
    second = pool(tmp_path / "cache")
    assert second.get("a").generate(["y", "x"]) == ["a: y", "a: x"]
    assert LOADS == []
    second.close()


def test_a_failed_request_is_not_cached(tmp_path):
    failing = ScriptedBackend(fail_on="bad")
    register_backend("scripted", lambda config: failing)
    models = pool(tmp_path / "cache")
    model = models.get("a")
    answers = model.complete([GenerateRequest("bad", 4), GenerateRequest("good", 4)], keep_errors=True)
    assert type(answers[0]).__name__ == "RequestError" and answers[1] == ""
    model.complete([GenerateRequest("bad", 4), GenerateRequest("good", 4)], keep_errors=True)
    assert [len(call) for call in failing.generate_calls] == [2, 1]  # only the failed one is asked again


def test_the_header_carries_the_weights_fingerprint_and_the_declared_scale():
    models = pool()
    models.get("a")
    header = models.header("a")
    assert header.fingerprint and header.scale["params"] == 1e6 and header.family == "f"
