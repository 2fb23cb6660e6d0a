"""Loading and releasing models: one loaded at a time, each loaded once per session."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from .backends import Backend, BackendError, available_backends, load_backend
from .config import ModelConfigError, ModelSpec, check_available
from .config.paths import hub_cache, in_hub_cache, looks_like_hub_id
from .engine.cache import ResponseCache
from .engine.cached import CachedBackend
from .engine.fingerprint import fingerprint
from .engine.record import Recorder, RecordingBackend
from .model import Model
from .results import ModelHeader
from .scale import Scale


def declared_scale(spec: ModelSpec) -> Scale:
    return Scale(spec.params, spec.tokens, spec.compute, spec.step).with_compute()


def header_of(spec: ModelSpec, model: Model | None = None) -> ModelHeader:
    scale = model.scale if model is not None else declared_scale(spec)
    info = dict(model.info) if model is not None else {}
    location = spec.header()["location"]
    if location:
        info.setdefault("location", location)
    return ModelHeader(spec.name, spec.backend, spec.family, spec.traits, scale.as_dict(), info)


def check_spec(spec: ModelSpec) -> None:
    """Cheap checks before any loading: installed packages, existing local files."""
    if spec.builtin:
        check_available(spec.builtin)
    if spec.backend not in available_backends():
        raise ModelConfigError(f"model {spec.name!r}: unknown backend {spec.backend!r}; "
                               f"available: {', '.join(available_backends())}")
    if spec.gguf_file and not (Path(spec.path or "") / spec.gguf_file).is_file():
        raise ModelConfigError(f"model {spec.name!r}: GGUF file {Path(spec.path or '') / spec.gguf_file} does not exist")
    if spec.backend == "replay" and not Path(spec.path or "").is_file():
        raise ModelConfigError(f"model {spec.name!r}: replay file {spec.path} does not exist")
    local = spec.backend in ("hf", "vllm") or spec.options.get("serve")
    if local and spec.path and not spec.gguf_file and not Path(spec.path).expanduser().exists():
        if not looks_like_hub_id(spec.path):
            raise ModelConfigError(f"model {spec.name!r}: no folder {spec.path} (a local path, not a hub id)")
        if not in_hub_cache(spec.path) and os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on"):
            raise ModelConfigError(f"model {spec.name!r}: no folder {spec.path}, and {spec.path} is not in the hub "
                                   f"cache {hub_cache()} (HF_HUB_OFFLINE is set, so nothing can be downloaded)")


class ModelPool:
    """Models by name: loaded on first use, answered from the response cache when it has them."""

    def __init__(self, specs: list[ModelSpec], say: Callable[[str], None] = lambda _m: None, *,
                 cache_folder: Path | None = None, recorder: Recorder | None = None):
        self.specs = {s.name: s for s in specs}
        self.say = say
        self.cache_folder = cache_folder
        self._cache: ResponseCache | None = None
        self.recorder = recorder
        self.loaded: dict[str, Model] = {}
        self.errors: dict[str, str] = {}

    def _load(self, spec: ModelSpec) -> Backend:
        """Load the weights; any failure becomes one short message, remembered for the model."""
        if spec.name in self.errors:
            raise BackendError(self.errors[spec.name])
        self.say(f"loading model {spec.name} ({spec.backend})")
        try:
            return load_backend(spec)
        except (BackendError, ModelConfigError) as exc:
            self.errors[spec.name] = str(exc)
        except Exception as exc:  # any loader failure: one clear message, not a traceback per test
            self.errors[spec.name] = f"model {spec.name!r}: loading failed: {type(exc).__name__}: {exc}"
        raise BackendError(self.errors[spec.name])

    @property
    def cache(self) -> ResponseCache | None:
        """The response cache, opened on first use (a run that loads no model creates no file)."""
        if self._cache is None and self.cache_folder is not None:
            self._cache = ResponseCache.open_or_warn(self.cache_folder)
            if self._cache is None:
                self.cache_folder = None
        return self._cache

    def _backend(self, spec: ModelSpec) -> Backend:
        if self.cache is None or spec.backend == "replay":
            return self._load(spec)
        try:
            print_ = fingerprint(spec, self.cache)
        except (OSError, ModelConfigError, BackendError) as exc:
            self.errors[spec.name] = f"model {spec.name!r}: {exc}"
            raise BackendError(self.errors[spec.name]) from None
        return CachedBackend(spec.name, lambda: self._load(spec), self.cache, print_)

    def get(self, name: str) -> Model:
        """The model; raises BackendError (the same short message every time) if it cannot load."""
        if name in self.loaded:
            return self.loaded[name]
        if name in self.errors:
            raise BackendError(self.errors[name])
        for other in list(self.loaded):  # one model in memory at a time
            self.release(other)
        spec = self.specs[name]
        backend = self._backend(spec)
        info = backend.info()  # from the cache when known: a cached re-run never loads the weights
        model = Model(
            name=name, backend=backend, scale=backend.scale(declared_scale(spec)),
            traits=spec.traits, family=spec.family, info={"backend": spec.backend, **info.details},
        )
        if self.recorder is not None:
            self.recorder.model(name, header_of(spec, model).to_dict())
            model.backend = RecordingBackend(name, backend, self.recorder)
        self.loaded[name] = model
        return model

    def release(self, name: str) -> None:
        model = self.loaded.pop(name, None)
        if model is not None:
            model.backend.close()

    def close(self) -> None:
        for name in list(self.loaded):
            self.release(name)
        if self._cache is not None:
            self._cache.close()
            self._cache = None


def with_batch_size(specs: list[ModelSpec], batch_size: str | None) -> list[ModelSpec]:
    """Apply a session-wide batch size to the models that do not set their own."""
    if not batch_size:
        return specs
    value: int | str = batch_size if batch_size == "auto" else int(batch_size)
    return [s if "batch_size" in s.options else replace(s, options={**s.options, "batch_size": value}) for s in specs]
