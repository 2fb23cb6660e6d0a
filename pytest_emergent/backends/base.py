"""Requests, results and the Backend interface every backend implements.

Backends take lists and return lists in the same order; batching is theirs to do (and `answer`
takes both kinds at once, where sharing work between them pays). An answer
may be a `RequestError` when that one request failed; a failure of the whole call raises
`BackendError`.
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
    """Greedy continuation of `prompt`, cut at the first stop string (not included).

    With `messages` ((role, content) pairs) the request is a chat turn: the backend applies the
    model's chat template (or the server's chat endpoint) and `prompt` is ignored.
    """

    prompt: str
    max_new_tokens: int = 32
    stop: tuple[str, ...] = ()
    messages: tuple[tuple[str, str], ...] | None = None


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
class RequestError:
    """In place of an answer: a request the backend could not answer (a server error for that
    request, a replay file without it). Backends may return it for single requests instead of
    raising for the whole list, so the other requests' items still run."""

    message: str


@dataclass(frozen=True)
class ModelInfo:
    """What a loaded model says of itself; travels into reports."""

    params: float | None
    details: dict[str, Any] = field(default_factory=dict)


class Backend(ABC):
    """A loaded model. Subclasses implement the list-in, list-out calls."""

    @abstractmethod
    def generate(self, requests: list[GenerateRequest]) -> list[str | RequestError]: ...

    @abstractmethod
    def loglikelihood(self, requests: list[LoglikelihoodRequest]) -> list[Loglikelihood | RequestError]: ...

    def answer(self, generate: list[GenerateRequest], score: list[LoglikelihoodRequest]
               ) -> tuple[list[str | RequestError], list[Loglikelihood | RequestError]]:
        """Both kinds at once, for a backend that can share work between them (the hf backend
        scores a continuation of a generated prompt from the generation's own pass); by default
        `generate`, then `loglikelihood`."""
        return (self.generate(generate) if generate else [], self.loglikelihood(score) if score else [])

    def supports_chat(self) -> bool:
        """Whether requests with `messages` can be answered (a chat template or a chat endpoint)."""
        return False

    def render_chat(self, messages: tuple[tuple[str, str], ...]) -> str | None:
        """The prompt text a chat turn becomes, where the backend can tell (for scoring a reply)."""
        return None

    @abstractmethod
    def info(self) -> ModelInfo: ...

    def scale(self, declared: Scale) -> Scale:
        """The declared scale, with params counted from the weights when not declared."""
        if declared.params is None:
            declared = Scale(self.info().params, declared.tokens, declared.compute, declared.step)
        return declared.with_compute()

    def close(self) -> None:  # noqa: B027 - most backends hold nothing to release
        """Release memory held by the model."""
