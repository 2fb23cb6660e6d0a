"""The `openai` backend: OpenAI-compatible servers (vLLM, TGI, llama.cpp server, Ollama).

Requests run concurrently (a bounded number in flight: a server's throughput comes from
batching many at once) with retries and exponential backoff on 429, 5xx and connection
errors. Log-likelihoods use prompt log-probabilities (`echo` with `logprobs`, as
lm-evaluation-harness's local-completions does); a server that gives none is a clear error.
The API key is read from the environment variable the models file names and never printed:
it is held in a `Secret` whose repr hides it (so no frame's locals show it under `pytest -l`, nor
the JUnit XML), added to each request without passing through a local, and cut out of anything
a server says back (an error body that echoes the Authorization header).
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
from ..progress import advance
from .base import Backend, BackendError, GenerateRequest, Loglikelihood, LoglikelihoodRequest, ModelInfo, RequestError

if TYPE_CHECKING:
    from .vllm_server import ManagedServer

RETRY_STATUS = {408, 409, 429, 500, 502, 503, 504}
MAX_BODY = 64 * 1024 * 1024  # an answer larger than this is refused, not read into memory


class Secret:
    """A value that must never be printed: its repr and str hide it."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value

    def reveal(self) -> str:
        return self._value

    def redact(self, text: str) -> str:
        """`text` with every occurrence of the value replaced (a server may echo it back)."""
        return text.replace(self._value, "***") if self._value else text

    def redact_bytes(self, data: bytes) -> bytes:
        return data.replace(self._value.encode("utf-8", "replace"), b"***") if self._value else data

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


def _key_from_env(config: ModelConfig) -> Secret | None:
    key_env = config.options.get("api_key_env")
    if not key_env:
        return None
    if not os.environ.get(str(key_env)):
        raise BackendError(f"model {config.name!r}: environment variable {key_env} (api_key_env) is not set")
    return Secret(os.environ[str(key_env)])


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
    backend = OpenAIBackend(
        config.name, config.base_url, config.model, api_key=_key_from_env(config),
        concurrency=int(config.options.get("concurrency", 32)),
        timeout=float(config.options.get("timeout", 120)),
        retries=int(config.options.get("max_retries", 5)),
        params=config.params, server=server,
    )
    backend.probe()
    return backend


class OpenAIBackend(Backend):
    def __init__(self, name: str, base_url: str, model: str, *, api_key: Secret | str | None = None, concurrency: int = 32,
                 timeout: float = 120.0, retries: int = 5, backoff: float = 0.5, params: float | None = None,
                 server: ManagedServer | None = None):
        self.name, self.base_url, self.model = name, base_url.rstrip("/"), model
        self._api_key = Secret(api_key) if isinstance(api_key, str) else api_key
        self.concurrency, self.timeout, self.retries, self.backoff = max(1, concurrency), timeout, retries, backoff
        self.params = params
        self.served: dict[str, Any] = {}
        self._down: str | None = None  # once the server is unreachable, every call says so at once
        self.server = server  # the server this backend started, if it did

    # -- HTTP ---------------------------------------------------------------------------------
    def _request(self, method: str, path: str, data: bytes | None) -> urllib.request.Request:
        """The request, its Authorization header added without the key ever sitting in a local."""
        request = urllib.request.Request(self.base_url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        if self._api_key is not None and self._api_key.reveal():
            request.add_unredirected_header("Authorization", "Bearer " + self._api_key.reveal())
        return request

    def _redact(self, text: str) -> str:
        return self._api_key.redact(text) if self._api_key is not None else text

    def _redact_bytes(self, data: bytes) -> bytes:
        """A server's answer as read: with the key cut out before it is kept anywhere."""
        return self._api_key.redact_bytes(data) if self._api_key is not None else data

    def _fail(self, message: str) -> BackendError:
        return BackendError(self._redact(f"model {self.name!r}: server {self.base_url} {message}"))

    def _call(self, method: str, path: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        if self._down:
            raise BackendError(self._down)
        data = json.dumps(payload).encode() if payload is not None else None
        last = ""
        for attempt in range(self.retries + 1):
            try:
                with urllib.request.urlopen(self._request(method, path, data), timeout=self.timeout) as response:
                    body = self._redact_bytes(response.read(MAX_BODY + 1))
            except urllib.error.HTTPError as exc:
                detail = self._redact(_error_message(exc))
                if exc.code not in RETRY_STATUS:
                    raise self._fail(f"answered {exc.code} to {path}: {detail}") from None
                last = f"HTTP {exc.code}: {detail}"
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as exc:
                last = self._redact(str(getattr(exc, "reason", exc)))
            except Exception as exc:  # noqa: BLE001 - e.g. a key that is not ASCII: said without the frames
                raise self._fail(f"cannot be asked {path}: {type(exc).__name__}: {exc}") from None
            else:
                return self._parse(path, body)
            if attempt < self.retries:
                time.sleep(self.backoff * 2 ** attempt)
        self._down = self._redact(f"model {self.name!r}: server {self.base_url} did not answer {path} after "
                                  f"{self.retries + 1} attempts ({last})")
        raise BackendError(self._down)

    def _parse(self, path: str, body: bytes) -> dict[str, Any]:
        if len(body) > MAX_BODY:
            raise self._fail(f"answered {path} with more than {MAX_BODY // 2**20} MiB; refused")
        try:
            answer = json.loads(body)
        except (ValueError, RecursionError):
            raise self._fail(f"answered {path} with something that is not JSON: "
                             f"{body[:120].decode('utf-8', 'replace')!r}") from None
        if not isinstance(answer, dict):
            raise self._fail(f"answered {path} with JSON that is not an object: {str(answer)[:120]!r}")
        return answer

    def probe(self) -> None:
        """Check the server answers and serves the model, before any test asks it something."""
        listing = self._call("GET", "/models")
        entries = listing.get("data")
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise self._fail("answered /models without a 'data' list of models; is it an OpenAI-compatible server?")
        ids = [entry.get("id") for entry in entries]
        if self.model not in ids:
            raise self._fail(f"does not serve {self.model!r}; it serves: {', '.join(map(str, ids)) or 'nothing'}")
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
        answers = []
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(items))) as pool:
            for answer in pool.map(one, items):  # counted here: the workers' threads hold no task
                answers.append(answer)
                advance()
        return answers

    # -- requests -----------------------------------------------------------------------------
    def _generate_one(self, request: GenerateRequest) -> str:
        common: dict[str, Any] = {"model": self.model, "max_tokens": request.max_new_tokens, "temperature": 0}
        if request.stop:
            common["stop"] = list(request.stop)[:4]
        if request.messages is not None:
            messages = [{"role": role, "content": content} for role, content in request.messages]
            answer = self._call("POST", "/chat/completions", {**common, "messages": messages})
            text = self._field(answer, "/chat/completions", "message", "content")
        else:
            answer = self._call("POST", "/completions", {**common, "prompt": request.prompt})
            text = self._field(answer, "/completions", "text")
        cuts = [i for i in (text.find(s) for s in request.stop if s) if i >= 0]
        return text[: min(cuts)] if cuts else text

    def _field(self, answer: dict[str, Any], path: str, *keys: str) -> str:
        """choices[0].<keys> of an answer as text (null: empty); a malformed answer is this request's error."""
        choices = answer.get("choices")
        value: Any = choices[0] if isinstance(choices, list) and choices else None
        for key in keys[:-1]:
            value = value.get(key) if isinstance(value, dict) else None
        text = value.get(keys[-1]) if isinstance(value, dict) else 0
        if text is not None and not isinstance(text, str):
            raise self._fail(f"answered {path} without choices[0].{'.'.join(keys)} as text: {str(answer)[:160]!r}")
        return text or ""

    def generate(self, requests: list[GenerateRequest]) -> list[str | RequestError]:
        return self._map(self._generate_one, requests)

    def _score_one(self, request: LoglikelihoodRequest) -> Loglikelihood:
        full = request.context + request.continuation
        answer = self._call("POST", "/completions", {"model": self.model, "prompt": full, "max_tokens": 1,
                                                     "temperature": 0, "echo": True, "logprobs": 1})
        try:
            return self._sum_logprobs(answer, request)
        except (TypeError, AttributeError, ValueError, KeyError, IndexError) as exc:
            raise self._fail(f"answered a loglikelihood request with malformed logprobs ({type(exc).__name__}: "
                             f"{exc}): {str(answer)[:160]!r}") from None

    def _sum_logprobs(self, answer: dict[str, Any], request: LoglikelihoodRequest) -> Loglikelihood:
        full = request.context + request.continuation
        logprobs = (answer.get("choices") or [{}])[0].get("logprobs") or {}
        offsets, tokens = logprobs.get("text_offset"), logprobs.get("tokens")
        values, tops = logprobs.get("token_logprobs"), logprobs.get("top_logprobs") or []
        if not offsets or not values or not tokens:
            raise self._fail("returned no prompt log-probabilities for a loglikelihood request (echo with logprobs); "
                             "it cannot score continuations. llama.cpp's server, for one, does not score prompts "
                             "correctly; vLLM does")
        total, greedy, count = 0.0, True, 0
        start, end = len(request.context), len(full)
        for i, (offset, token, value) in enumerate(zip(offsets, tokens, values)):
            if offset >= end or offset + len(token) <= start:
                continue  # context tokens, and the generated token after the prompt
            if value is None:
                continue
            total += float(value)
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
    """The server's own words: `error.message` of a JSON body, else the start of the body, else the reason."""
    try:
        raw = exc.read(64 * 1024) or b""
    except OSError:
        raw = b""
    try:
        body = json.loads(raw)
    except ValueError:
        text = raw[:300].decode("utf-8", "replace").strip()
        return text or (exc.reason if isinstance(exc.reason, str) else str(exc))
    error = body.get("error") if isinstance(body, dict) else body
    message = error.get("message") if isinstance(error, dict) else error
    return str(message or body)[:300]
