"""The `openai` backend: OpenAI-compatible servers (vLLM, TGI, llama.cpp server, Ollama).

Requests run concurrently (a bounded number in flight: a server's throughput comes from
batching many at once) with retries and exponential backoff on 429, 5xx and connection
errors. Log-likelihoods use prompt log-probabilities (`echo` with `logprobs`, as
lm-evaluation-harness's local-completions does); a server that gives none is a clear error.
The API key is read from the environment variable the models file names and never printed.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..config import ModelConfig
from .base import Backend, BackendError, GenerateRequest, Loglikelihood, LoglikelihoodRequest, ModelInfo, RequestError

if TYPE_CHECKING:
    from .vllm_server import ManagedServer

RETRY_STATUS = {408, 409, 429, 500, 502, 503, 504}


def load(config: ModelConfig) -> OpenAIBackend:
    if not config.options.get("serve"):
        return _connect(config, None)
    from .vllm_server import start_server

    server = start_server(config)  # a vLLM server for this model, stopped when the model is released
    try:
        return _connect(replace(config, base_url=server.base + "/v1", model=config.model or config.name), server)
    except BaseException:
        server.stop()
        raise


def _connect(config: ModelConfig, server: ManagedServer | None) -> OpenAIBackend:
    if not config.base_url or not config.model:
        raise BackendError(f"model {config.name!r}: the openai backend needs 'base_url' and 'model' "
                           "(or the spec string openai:BASE_URL#MODEL), or 'path' with serve: vllm")
    key_env = config.options.get("api_key_env")
    api_key = None
    if key_env:
        api_key = os.environ.get(str(key_env))
        if not api_key:
            raise BackendError(f"model {config.name!r}: environment variable {key_env} (api_key_env) is not set")
    backend = OpenAIBackend(
        config.name, config.base_url, config.model, api_key=api_key,
        concurrency=int(config.options.get("concurrency", 32)),
        timeout=float(config.options.get("timeout", 120)),
        retries=int(config.options.get("max_retries", 5)),
        params=config.params, server=server,
    )
    backend.probe()
    return backend


class OpenAIBackend(Backend):
    def __init__(self, name: str, base_url: str, model: str, *, api_key: str | None = None, concurrency: int = 32,
                 timeout: float = 120.0, retries: int = 5, backoff: float = 0.5, params: float | None = None,
                 server: ManagedServer | None = None):
        self.name, self.base_url, self.model = name, base_url.rstrip("/"), model
        self._api_key = api_key
        self.concurrency, self.timeout, self.retries, self.backoff = max(1, concurrency), timeout, retries, backoff
        self.params = params
        self.served: dict[str, Any] = {}
        self._down: str | None = None  # once the server is unreachable, every call says so at once
        self.server = server  # the server this backend started, if it did

    # -- HTTP ---------------------------------------------------------------------------------
    def _call(self, method: str, path: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        if self._down:
            raise BackendError(self._down)
        headers = {"Content-Type": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        data = json.dumps(payload).encode() if payload is not None else None
        last = ""
        for attempt in range(self.retries + 1):
            request = urllib.request.Request(self.base_url + path, data=data, headers=headers, method=method)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return json.loads(response.read())
            except urllib.error.HTTPError as exc:
                detail = _error_message(exc)
                if exc.code not in RETRY_STATUS:
                    raise BackendError(f"model {self.name!r}: server {self.base_url} answered {exc.code} to {path}: "
                                       f"{detail}") from None
                last = f"HTTP {exc.code}: {detail}"
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as exc:
                last = str(getattr(exc, "reason", exc))
            if attempt < self.retries:
                time.sleep(self.backoff * 2 ** attempt)
        self._down = (f"model {self.name!r}: server {self.base_url} did not answer {path} after "
                      f"{self.retries + 1} attempts ({last})")
        raise BackendError(self._down)

    def probe(self) -> None:
        """Check the server answers and serves the model, before any test asks it something."""
        listing = self._call("GET", "/models")
        ids = [entry.get("id") for entry in listing.get("data", [])]
        if self.model not in ids:
            raise BackendError(f"model {self.name!r}: server {self.base_url} does not serve {self.model!r}; "
                               f"it serves: {', '.join(map(str, ids)) or 'nothing'}")
        self.served = next(e for e in listing["data"] if e.get("id") == self.model)

    def _map(self, fn: Any, items: list[Any]) -> list[Any]:
        """`fn` over `items`, a bounded number in flight; a request the server refuses becomes a
        RequestError in its place (its items error, the others run); a server that is down fails all."""
        def one(item: Any) -> Any:
            try:
                return fn(item)
            except BackendError as exc:
                if self._down:
                    raise
                return RequestError(str(exc))

        if len(items) <= 1:
            return [one(item) for item in items]
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(items))) as pool:
            return list(pool.map(one, items))

    # -- requests -----------------------------------------------------------------------------
    def _generate_one(self, request: GenerateRequest) -> str:
        common: dict[str, Any] = {"model": self.model, "max_tokens": request.max_new_tokens, "temperature": 0}
        if request.stop:
            common["stop"] = list(request.stop)[:4]
        if request.messages is not None:
            messages = [{"role": role, "content": content} for role, content in request.messages]
            answer = self._call("POST", "/chat/completions", {**common, "messages": messages})
            text = answer["choices"][0]["message"].get("content") or ""
        else:
            answer = self._call("POST", "/completions", {**common, "prompt": request.prompt})
            text = answer["choices"][0].get("text") or ""
        cuts = [i for i in (text.find(s) for s in request.stop if s) if i >= 0]
        return text[: min(cuts)] if cuts else text

    def generate(self, requests: list[GenerateRequest]) -> list[str | RequestError]:
        return self._map(self._generate_one, requests)

    def _score_one(self, request: LoglikelihoodRequest) -> Loglikelihood:
        full = request.context + request.continuation
        answer = self._call("POST", "/completions", {"model": self.model, "prompt": full, "max_tokens": 1,
                                                     "temperature": 0, "echo": True, "logprobs": 1})
        logprobs = (answer.get("choices") or [{}])[0].get("logprobs") or {}
        offsets, tokens = logprobs.get("text_offset"), logprobs.get("tokens")
        values, tops = logprobs.get("token_logprobs"), logprobs.get("top_logprobs") or []
        if not offsets or not values or not tokens:
            raise BackendError(f"model {self.name!r}: server {self.base_url} returned no prompt log-probabilities "
                               "for a loglikelihood request (echo with logprobs); it cannot score continuations. "
                               "llama.cpp's server, for one, does not score prompts correctly; vLLM does")
        total, greedy, count = 0.0, True, 0
        start, end = len(request.context), len(full)
        for i, (offset, token, value) in enumerate(zip(offsets, tokens, values)):
            if offset >= end or offset + len(token) <= start:
                continue  # context tokens, and the generated token after the prompt
            if value is None:
                continue
            total += value
            count += 1
            top = tops[i] if i < len(tops) and tops[i] else {}
            if top and max(top, key=top.get) != token:
                greedy = False
        return Loglikelihood(total, greedy, count)

    def loglikelihood(self, requests: list[LoglikelihoodRequest]) -> list[Loglikelihood | RequestError]:
        return self._map(self._score_one, requests)

    def supports_chat(self) -> bool:
        return True

    def info(self) -> ModelInfo:
        details = {"base_url": self.base_url, "served_model": self.model,
                   "max_model_len": self.served.get("max_model_len"), "chat_template": True}
        if self.server is not None:
            details["server"] = "vllm, started by pytest-emergent"
        return ModelInfo(self.params, details)

    def close(self) -> None:
        if self.server is not None:
            self.server.stop()
            self._down = f"model {self.name!r}: the server was stopped when the model was released"


def _error_message(exc: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(exc.read() or b"{}")
        return str((body.get("error") or {}).get("message") or body)[:300]
    except (ValueError, AttributeError):
        return exc.reason if isinstance(exc.reason, str) else str(exc)
