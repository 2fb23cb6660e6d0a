"""Requests, results and the Backend interface every backend implements.

Backends take lists and return lists in the same order; batching is theirs to do.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from ..scale import Scale


class BackendError(Exception):
    """A backend that cannot load or answer; the message names the model and the fix."""


@dataclass(frozen=True)
class GenerateRequest:
    """Greedy continuation of `prompt`, cut at the first stop string (not included)."""

    prompt: str
    max_new_tokens: int = 32
    stop: tuple[str, ...] = ()
    # Chat-templated prompts already carry their special tokens.
    add_special_tokens: bool = True


@dataclass(frozen=True)
class LoglikelihoodRequest:
    context: str
    continuation: str


@dataclass(frozen=True)
class Loglikelihood:
    """Sum of log-probabilities of the continuation tokens given the context."""

    logprob: float
    is_greedy: bool
    n_tokens: int


@dataclass(frozen=True)
class ModelInfo:
    """What a loaded model says of itself; travels into reports."""

    params: float | None
    details: dict[str, Any] = field(default_factory=dict)


class Backend(ABC):
    """A loaded model. Subclasses implement the list-in, list-out calls."""

    @abstractmethod
    def generate(self, requests: list[GenerateRequest]) -> list[str]: ...

    @abstractmethod
    def loglikelihood(self, requests: list[LoglikelihoodRequest]) -> list[Loglikelihood]: ...

    def chat_prompt(self, messages: list[dict[str, str]]) -> str | None:
        """The prompt text for `messages` through the model's chat template; None when it has none."""
        return None

    @abstractmethod
    def info(self) -> ModelInfo: ...

    def scale(self, declared: Scale) -> Scale:
        """The declared scale, with params counted from the weights when not declared."""
        if declared.params is None:
            declared = Scale(self.info().params, declared.tokens, declared.compute, declared.step)
        return declared.with_compute()

    def close(self) -> None:
        """Release memory held by the model."""
