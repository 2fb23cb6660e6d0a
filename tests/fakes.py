"""A scripted backend for unit tests: answers from rules, and counts every call it gets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pytest_emergent.backends.base import (
    Backend,
    GenerateRequest,
    Loglikelihood,
    LoglikelihoodRequest,
    ModelInfo,
    RequestError,
)


class ScriptedBackend(Backend):
    """`reply(prompt) -> text`, `logprob(context, continuation) -> float`; a prompt or continuation
    containing `fail_on` is answered with a RequestError. Every call's request list is kept."""

    def __init__(self, reply: Callable[[str], str] = lambda p: "", logprob: Callable[[str, str], float] | None = None,
                 *, chat_template: bool = False, fail_on: str | None = None, params: float = 1e6):
        self.reply, self.logprob, self.chat_template, self.fail_on = reply, logprob, chat_template, fail_on
        self.params = params
        self.generate_calls: list[list[GenerateRequest]] = []
        self.score_calls: list[list[LoglikelihoodRequest]] = []
        self.closed = 0

    def generate(self, requests: list[GenerateRequest]) -> list[Any]:
        self.generate_calls.append(list(requests))
        return [RequestError(f"scripted failure for {r.prompt!r}") if self.fail_on and self.fail_on in r.prompt
                else self.reply(r.prompt) for r in requests]

    def loglikelihood(self, requests: list[LoglikelihoodRequest]) -> list[Any]:
        self.score_calls.append(list(requests))
        score = self.logprob or (lambda c, x: -float(len(x)))
        return [RequestError("scripted failure") if self.fail_on and self.fail_on in r.continuation
                else Loglikelihood(score(r.context, r.continuation), False, max(1, len(r.continuation.split())))
                for r in requests]

    def supports_chat(self) -> bool:
        return self.chat_template

    def render_chat(self, messages: tuple[tuple[str, str], ...]) -> str | None:
        if not self.chat_template:
            return None
        return "".join(f"<{role}>{content}</{role}>" for role, content in messages) + "<assistant>"

    def info(self) -> ModelInfo:
        return ModelInfo(self.params, {"scripted": True, "chat_template": self.chat_template})

    def close(self) -> None:
        self.closed += 1
