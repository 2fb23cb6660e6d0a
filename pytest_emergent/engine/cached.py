"""A backend wrapper that answers from the response cache and asks the model only on a miss.

A fully cached re-run never loads the model: its description (parameter count, chat template)
is cached too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..backends.base import Backend, GenerateRequest, LoglikelihoodRequest, ModelInfo, RequestError
from ..backends.codec import decode_response, encode_response, request_key
from ..progress import advance
from .cache import ResponseCache


class CachedBackend(Backend):
    """`inner` (usually a model loaded on first use) behind the response cache."""

    def __init__(self, name: str, inner: Backend, cache: ResponseCache, fingerprint: str):
        self.name, self.inner, self.cache, self.fingerprint = name, inner, cache, fingerprint
        self.hits = self.misses = 0

    def _lookup(self, requests: list[Any]) -> tuple[list[str], dict[int, Any], list[int]]:
        """(keys, the stored answers by index, the indices of the requests not stored)."""
        keys = [request_key(r, self.fingerprint) for r in requests]
        stored = self.cache.get_many(keys) if requests else {}
        missing = [i for i, key in enumerate(keys) if key not in stored]
        self.hits += len(requests) - len(missing)
        self.misses += len(missing)
        answers: dict[int, Any] = {i: decode_response(requests[i], stored[keys[i]]) for i in range(len(requests))
                                   if keys[i] in stored}
        advance(len(answers), cached=True)
        return keys, answers, missing

    def _store(self, kind: str, keys: list[str], answers: dict[int, Any], missing: list[int], fresh: list[Any]) -> list[Any]:
        answers.update(zip(missing, fresh))
        # A failed request is not an answer: it is asked again next time.
        if missing:
            self.cache.put_many(self.name, kind, [(keys[i], encode_response(answers[i])) for i in missing
                                                  if not isinstance(answers[i], RequestError)])
        return [answers[i] for i in range(len(keys))]

    def _answer(self, requests: list[Any], kind: str, compute: Callable[[list[Any]], list[Any]]) -> list[Any]:
        keys, answers, missing = self._lookup(requests)
        fresh = compute([requests[i] for i in missing]) if missing else []
        return self._store(kind, keys, answers, missing, fresh)

    def generate(self, requests: list[GenerateRequest]) -> list[Any]:
        return self._answer(requests, "generate", self.inner.generate)

    def loglikelihood(self, requests: list[LoglikelihoodRequest]) -> list[Any]:
        return self._answer(requests, "loglikelihood", self.inner.loglikelihood)

    def answer(self, generate: list[GenerateRequest], score: list[LoglikelihoodRequest]) -> tuple[list[Any], list[Any]]:
        """Both kinds: what the cache lacks of either goes to the model in one `answer` call."""
        looked = self._lookup(generate), self._lookup(score)
        (_, _, gen_missing), (_, _, score_missing) = looked
        fresh: tuple[list[Any], list[Any]] = ([], [])
        if gen_missing or score_missing:
            fresh = self.inner.answer([generate[i] for i in gen_missing], [score[i] for i in score_missing])
        return (self._store("generate", *looked[0], fresh[0]), self._store("loglikelihood", *looked[1], fresh[1]))

    def _info_record(self) -> dict[str, Any]:
        known = self.cache.model_info(self.fingerprint)
        if known is None:
            info = self.inner.info()
            known = {"params": info.params, "details": info.details, "supports_chat": self.inner.supports_chat()}
            self.cache.put_model_info(self.fingerprint, known)
        return known

    def info(self) -> ModelInfo:
        record = self._info_record()
        return ModelInfo(record["params"], dict(record["details"]))

    def supports_chat(self) -> bool:
        return bool(self._info_record()["supports_chat"])

    def render_chat(self, messages: tuple[tuple[str, str], ...]) -> str | None:
        """The templated text, cached too: scoring an instruct framing then needs no weights."""
        key = request_key(GenerateRequest("", 0, (), messages), self.fingerprint + ":render_chat")
        stored = self.cache.get_many([key])
        if key in stored:
            return stored[key]
        rendered = self.inner.render_chat(messages)
        self.cache.put_many(self.name, "render_chat", [(key, rendered)])
        return rendered

    def close(self) -> None:
        self.inner.close()
