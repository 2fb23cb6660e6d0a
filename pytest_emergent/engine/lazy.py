"""A model's weights, loaded on first use: the bottom layer of every model's backend.

A fully cached re-run asks nothing of it, so the weights are never loaded; a failure to load is
one short message, kept and given again to every later request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..backends import Backend, BackendError, load_backend
from ..backends.base import GenerateRequest, LoglikelihoodRequest, ModelInfo
from ..config import ModelConfig, ModelConfigError
from ..progress import paused, quiet_library_bars, speaking


class LazyBackend(Backend):
    """The model's weights, loaded on first use; a failure to load is one short message, kept."""

    def __init__(self, config: ModelConfig, say: Callable[[str], None]):
        self.config, self.say = config, say
        self._inner: Backend | None = None
        self.error: str | None = None

    @property
    def inner(self) -> Backend:
        if self._inner is None:
            if self.error is not None:
                raise BackendError(self.error)
            self.say(f"loading model {self.config.name} ({self.config.backend})")
            try:
                # Loading is not work on requests (left out of the rate); what the loader says goes
                # to the terminal, and the libraries' bars nowhere, not into a test's captured output.
                with paused(), speaking(self.say), quiet_library_bars():
                    self._inner = load_backend(self.config)
            except (BackendError, ModelConfigError) as exc:
                self.error = str(exc)
            except Exception as exc:  # any loader failure: one clear message, not a traceback per test
                self.error = f"model {self.config.name!r}: loading failed: {type(exc).__name__}: {exc}"
            if self._inner is None:
                raise BackendError(self.error)
        return self._inner

    @property
    def loaded(self) -> bool:
        return self._inner is not None

    def generate(self, requests: list[GenerateRequest]) -> list[Any]:
        return self.inner.generate(requests)

    def loglikelihood(self, requests: list[LoglikelihoodRequest]) -> list[Any]:
        return self.inner.loglikelihood(requests)

    def answer(self, generate: list[GenerateRequest], score: list[LoglikelihoodRequest]) -> tuple[list[Any], list[Any]]:
        return self.inner.answer(generate, score)

    def supports_chat(self) -> bool:
        return self.inner.supports_chat()

    def render_chat(self, messages: tuple[tuple[str, str], ...]) -> str | None:
        return self.inner.render_chat(messages)

    def info(self) -> ModelInfo:
        return self.inner.info()

    def close(self) -> None:
        if self._inner is not None:
            self._inner.close()
            self._inner = None
