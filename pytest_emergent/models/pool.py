"""Loading and releasing models: one in memory at a time, each loaded at most once per session.

A model's backend is built in layers, each a Backend: the weights, loaded on first use
(`engine.lazy.LazyBackend`); the response cache in front of them (a fully cached re-run never
loads them); the recording of every exchange (`--emergent-record`). The `Model` that tests see
sits on top.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from ..backends import Backend, BackendError, available_backends
from ..config import ModelConfig, ModelConfigError, check_available
from ..config.paths import hub_cache, in_hub_cache, looks_like_hub_id
from ..config.recorded import recorded_headers
from ..engine.cache import LazyCache
from ..engine.cached import CachedBackend
from ..engine.fingerprint import fingerprint
from ..engine.lazy import LazyBackend
from ..engine.recording import Recorder, RecordingBackend
from ..progress import Display, speaking
from ..results import ModelHeader
from ..scale import Scale
from .model import Model

Say = Callable[[str], None]


def declared_scale(config: ModelConfig) -> Scale:
    return Scale(config.params, config.tokens, config.compute, config.step).with_compute()


def header_of(config: ModelConfig, model: Model | None = None, weights: str | None = None) -> ModelHeader:
    """The model as reports describe it: what is known before loading, and after when loaded."""
    scale = model.scale if model is not None else declared_scale(config)
    info = dict(model.info) if model is not None else {}
    location = config.header()["location"]
    if location:
        info.setdefault("location", location)
    return ModelHeader(config.name, config.backend, config.family, config.traits, scale.as_dict(), info, weights,
                       config.revision)


def check_model(config: ModelConfig) -> None:
    """Cheap checks before any loading: installed packages, existing local files."""
    if config.builtin:
        check_available(config.builtin)
    if config.backend not in available_backends():
        raise ModelConfigError(f"model {config.name!r}: unknown backend {config.backend!r}; "
                               f"available: {', '.join(available_backends())}")
    if config.gguf_file and not (Path(config.path or "") / config.gguf_file).is_file():
        raise ModelConfigError(f"model {config.name!r}: GGUF file {Path(config.path or '') / config.gguf_file} "
                               "does not exist")
    if config.backend == "replay" and not Path(config.path or "").is_file():
        raise ModelConfigError(f"model {config.name!r}: replay file {config.path} does not exist")
    local = config.backend in ("hf", "vllm") or config.options.get("serve")
    if local and config.path and not config.gguf_file and not Path(config.path).expanduser().exists():
        if not looks_like_hub_id(config.path):
            raise ModelConfigError(f"model {config.name!r}: no folder {config.path} (a local path, not a hub id)")
        if not in_hub_cache(config.path) and os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on"):
            raise ModelConfigError(f"model {config.name!r}: no folder {config.path}, and {config.path} is not in the "
                                   f"hub cache {hub_cache()} (HF_HUB_OFFLINE is set, so nothing can be downloaded)")


def _weights_identity(config: ModelConfig, fingerprint: str) -> str | None:
    """What tells this checkpoint from another in the ledger. A server's weights are not known
    (the same address may serve another checkpoint later); a replayed model is the recorded one."""
    if config.backend == "openai":
        return None
    if config.backend == "replay":
        header = recorded_headers(Path(config.path or "")).get(config.model or config.name) or {}
        return header.get("fingerprint") if isinstance(header.get("fingerprint"), str) else None
    return fingerprint


class ModelPool:
    """Models by name: built on first use, answered from the response cache when it has them."""

    def __init__(self, configs: list[ModelConfig], say: Say = lambda _m: None, *, cache: LazyCache | None = None,
                 recorder: Recorder | None = None, progress: Display | None = None):
        self.configs = {c.name: c for c in configs}
        self.say = say
        self.progress = progress  # where the models' long work shows (the session's terminal)
        self.cache = cache or LazyCache(None)
        self.recorder = recorder
        self.loaded: dict[str, Model] = {}
        self.lazies: dict[str, LazyBackend] = {}
        self.weights: dict[str, str | None] = {}  # the fingerprint of each model's weights, once known
        self.errors: dict[str, str] = {}

    def add(self, config: ModelConfig) -> None:
        """Make a model known that is not under test (a judge)."""
        self.configs.setdefault(config.name, config)

    def _backend(self, config: ModelConfig) -> Backend:
        lazy = self.lazies[config.name] = LazyBackend(config, self.say)
        cache = self.cache.get()
        try:
            weights = fingerprint(config, cache)
        except (OSError, ModelConfigError, BackendError) as exc:
            raise BackendError(f"model {config.name!r}: {exc}") from None
        self.weights[config.name] = _weights_identity(config, weights)
        if cache is None or config.backend == "replay":
            return lazy
        return CachedBackend(config.name, lazy, cache, weights)

    def get(self, name: str) -> Model:
        """The model; raises BackendError (the same short message every time) if it cannot load."""
        if name in self.loaded:
            return self.loaded[name]
        if name in self.errors:
            raise BackendError(self.errors[name])
        for other in list(self.loaded):  # one model in memory at a time
            self.release(other)
        config = self.configs[name]
        try:
            backend = self._backend(config)
            info = backend.info()  # from the cache when known: a cached re-run never loads the weights
        except BackendError as exc:
            self.errors[name] = str(exc)
            raise
        model = Model(name=name, backend=backend, scale=backend.scale(declared_scale(config)),
                      traits=config.traits, family=config.family, info={"backend": config.backend, **info.details},
                      progress=self.progress)
        if self.recorder is not None:
            self.recorder.model(name, self.header(name, model).to_dict())
            model.backend = RecordingBackend(name, backend, self.recorder)
        self.loaded[name] = model
        return model

    def header(self, name: str, model: Model | None = None) -> ModelHeader:
        """How reports describe the model: with what loading told, when it was loaded."""
        return header_of(self.configs[name], model or self.loaded.get(name), self.weights.get(name))

    def load_error(self, name: str) -> str | None:
        """Why the model could not be loaded, once it failed (its items then error with this line)."""
        lazy = self.lazies.get(name)
        return self.errors.get(name) or (lazy.error if lazy is not None else None)

    def release(self, name: str) -> None:
        model = self.loaded.pop(name, None)
        if model is not None:
            with speaking(self.say):  # what a backend says as it closes (vLLM's prefix-cache use)
                model.backend.close()

    def close(self) -> None:
        for name in list(self.loaded):
            self.release(name)
        self.cache.close()

