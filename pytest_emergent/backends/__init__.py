"""Backends: a registry of lazy factories by name, plus the request and result types.

Factories import their heavy dependencies only when called. Third-party packages add backends
through the entry-point group `pytest_emergent.backends` (value: `module:factory`, where the
factory takes a ModelConfig and returns a Backend).
"""

from __future__ import annotations

import importlib
import importlib.metadata as metadata
from collections.abc import Callable
from typing import TYPE_CHECKING

from .base import Backend, BackendError, GenerateRequest, Loglikelihood, LoglikelihoodRequest, ModelInfo, RequestError

if TYPE_CHECKING:
    from ..config import ModelConfig

Factory = Callable[["ModelConfig"], Backend]

_FACTORIES: dict[str, str | Factory] = {
    "hf": "pytest_emergent.backends.hf:load",
    "replay": "pytest_emergent.backends.replay:load",
    "openai": "pytest_emergent.backends.openai:load",
    "vllm": "pytest_emergent.backends.vllm:load",
}


def register_backend(name: str, factory: str | Factory) -> None:
    """Register a backend factory (a callable, or a lazy 'module:function' string)."""
    _FACTORIES[name] = factory


def _entry_points() -> dict[str, str | Factory]:
    found: dict[str, str | Factory] = {}
    for ep in metadata.entry_points(group="pytest_emergent.backends"):
        found[ep.name] = ep.value
    return found


def available_backends() -> list[str]:
    return sorted({**_entry_points(), **_FACTORIES})


def get_factory(name: str) -> Factory:
    factories = {**_entry_points(), **_FACTORIES}
    if name not in factories:
        raise BackendError(f"unknown backend {name!r}; available: {', '.join(available_backends())}")
    factory = factories[name]
    if isinstance(factory, str):
        module_name, _, attr = factory.partition(":")
        module = importlib.import_module(module_name)
        factory = getattr(module, attr)
    return factory


def load_backend(config: ModelConfig) -> Backend:
    return get_factory(config.backend)(config)


__all__ = [
    "Backend",
    "BackendError",
    "GenerateRequest",
    "Loglikelihood",
    "LoglikelihoodRequest",
    "ModelInfo",
    "RequestError",
    "available_backends",
    "load_backend",
    "register_backend",
]
