"""Loading and releasing models: one loaded at a time, each loaded once per session."""

from __future__ import annotations

import gc
from dataclasses import replace
from typing import Callable

from .backends import BackendError, load_backend
from .config import ModelConfigError, ModelSpec, check_available
from .model import Model
from .results import ModelHeader
from .scale import Scale

# The test suite of this project sets this so that in-process pytester runs share loaded models.
RETAIN_ACROSS_SESSIONS = False
_retained: dict[ModelSpec, Model] = {}


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


class ModelPool:
    def __init__(self, specs: list[ModelSpec], say: Callable[[str], None] = lambda _m: None):
        self.specs = {s.name: s for s in specs}
        self.say = say
        self.loaded: dict[str, Model] = {}
        self.errors: dict[str, str] = {}

    def get(self, name: str) -> Model:
        """The loaded model; raises BackendError (the same short message every time) if it cannot load."""
        if name in self.loaded:
            return self.loaded[name]
        if name in self.errors:
            raise BackendError(self.errors[name])
        for other in list(self.loaded):  # one model in memory at a time
            self.release(other)
        spec = self.specs[name]
        if RETAIN_ACROSS_SESSIONS and spec in _retained:
            self.loaded[name] = _retained[spec]
            return self.loaded[name]
        self.say(f"loading model {name} ({spec.backend})")
        try:
            backend = load_backend(spec)
        except (BackendError, ModelConfigError) as exc:
            self.errors[name] = str(exc)
            raise BackendError(str(exc)) from None
        except Exception as exc:  # any loader failure becomes one clear message, not a traceback per test
            self.errors[name] = f"model {name!r}: loading failed: {type(exc).__name__}: {exc}"
            raise BackendError(self.errors[name]) from None
        info = backend.info()
        model = Model(
            name=name, backend=backend, scale=backend.scale(declared_scale(spec)),
            traits=spec.traits, family=spec.family, info={"backend": spec.backend, **info.details},
        )
        if RETAIN_ACROSS_SESSIONS:
            _retained.clear()
            _retained[spec] = model
        self.loaded[name] = model
        return model

    def release(self, name: str) -> None:
        model = self.loaded.pop(name, None)
        if model is not None and not RETAIN_ACROSS_SESSIONS:
            model.backend.close()
            del model
            gc.collect()

    def release_all(self) -> None:
        for name in list(self.loaded):
            self.release(name)


def with_batch_size(specs: list[ModelSpec], batch_size: str | None) -> list[ModelSpec]:
    """Apply a session-wide batch size to the models that do not set their own."""
    if not batch_size:
        return specs
    value: int | str = batch_size if batch_size == "auto" else int(batch_size)
    return [s if "batch_size" in s.options else replace(s, options={**s.options, "batch_size": value}) for s in specs]
