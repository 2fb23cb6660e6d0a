"""Requests and responses as JSON, and request keys (a hash of exactly the inputs that change a response).

The response cache, the recording of a run and its replay all write and read requests this way.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from typing import Any

from .base import GenerateRequest, Loglikelihood, LoglikelihoodRequest

Request = GenerateRequest | LoglikelihoodRequest


def request_dict(request: Request) -> dict[str, Any]:
    kind = "generate" if isinstance(request, GenerateRequest) else "loglikelihood"
    return {"kind": kind, **asdict(request)}


def request_key(request: Request, fingerprint: str = "") -> str:
    payload = json.dumps([fingerprint, request_dict(request)], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def encode_response(response: str | Loglikelihood) -> Any:
    if isinstance(response, Loglikelihood):
        return [response.logprob, response.is_greedy, response.n_tokens]
    return response


def decode_response(request: Request, value: Any) -> str | Loglikelihood:
    if isinstance(request, LoglikelihoodRequest):
        return Loglikelihood(float(value[0]), bool(value[1]), int(value[2]))
    return str(value)


def request_from_dict(data: dict[str, Any]) -> Request:
    data = dict(data)
    kind = data.pop("kind")
    if kind == "generate":
        messages = data.get("messages")
        return GenerateRequest(data["prompt"], int(data["max_new_tokens"]), tuple(data.get("stop") or ()),
                               tuple(tuple(m) for m in messages) if messages is not None else None)
    return LoglikelihoodRequest(data["context"], data["continuation"])
