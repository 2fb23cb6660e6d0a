"""The `replay` backend: answers from a file written by `--emergent-record`, without the model.

CI can run a suite this way on a machine without the weights; a request that was never
recorded is a clear error naming the file and the request, for the items that asked it only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..config import ModelConfig
from .base import Backend, BackendError, GenerateRequest, Loglikelihood, LoglikelihoodRequest, ModelInfo, RequestError
from .codec import decode_response, request_from_dict, request_key


def read_recording(path: Path) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """({model name: header}, {model name: {request key: response}}) from a recording."""
    headers: dict[str, dict[str, Any]] = {}
    answers: dict[str, dict[str, Any]] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise BackendError(f"replay file {path}: cannot read it ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise BackendError(f"replay file {path}: not a recording (not UTF-8 text); give a file written by "
                           "--emergent-record") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            name = record["model"]
            if record["type"] == "model":
                headers[name] = record
            else:
                request = request_from_dict(record["request"])
                answers.setdefault(name, {})[request_key(request)] = record["response"]
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
            if number == len(lines):  # a run killed mid-write leaves a partial last line
                continue
            raise BackendError(f"replay file {path}, line {number}: not a recorded exchange ({exc})") from None
    return headers, answers


def load(config: ModelConfig) -> ReplayBackend:
    if not config.path:
        raise BackendError(f"model {config.name!r}: the replay backend needs 'path' (a file written by --emergent-record)")
    path = Path(config.path)
    headers, answers = read_recording(path)
    name = config.model or (next(iter(headers)) if len(headers) == 1 else config.name)
    if name not in headers:
        raise BackendError(f"replay file {path} has no model {name!r}; it has: {', '.join(sorted(headers)) or 'none'}"
                           " (choose one with 'model:' in the models file or replay:FILE#MODEL)")
    return ReplayBackend(path, name, headers[name], answers.get(name, {}))


class ReplayBackend(Backend):
    def __init__(self, path: Path, name: str, header: dict[str, Any], answers: dict[str, Any]):
        self.path, self.name, self.header, self.answers = path, name, header, answers

    def _lookup(self, request: Any) -> Any:
        key = request_key(request)
        if key not in self.answers:
            what = request.prompt if isinstance(request, GenerateRequest) else request.context + request.continuation
            kind = "generate" if isinstance(request, GenerateRequest) else "loglikelihood"
            return RequestError(f"replay file {self.path} has no {kind} response of model {self.name!r} for "
                                f"{what[:80]!r}; record the suite again with --emergent-record")
        value = self.answers[key]
        try:
            if isinstance(request, GenerateRequest) and not isinstance(value, str):
                raise TypeError(f"a generated text is a string, not {type(value).__name__}")
            return decode_response(request, value)
        except (TypeError, ValueError, IndexError, KeyError) as exc:
            return RequestError(f"replay file {self.path}: the recorded response of model {self.name!r} is not an "
                                f"answer ({exc}); record the suite again with --emergent-record")

    def generate(self, requests: list[GenerateRequest]) -> list[str | RequestError]:
        return [self._lookup(r) for r in requests]

    def loglikelihood(self, requests: list[LoglikelihoodRequest]) -> list[Loglikelihood | RequestError]:
        return [self._lookup(r) for r in requests]

    def info(self) -> ModelInfo:
        scale, info = self.header.get("scale"), self.header.get("info")  # a hand-edited header may hold anything
        params = scale.get("params") if isinstance(scale, dict) else None
        return ModelInfo(params if isinstance(params, (int, float)) and not isinstance(params, bool) else None,
                         {**(info if isinstance(info, dict) else {}), "replayed_from": str(self.path)})

    def supports_chat(self) -> bool:
        info = self.header.get("info")
        return isinstance(info, dict) and bool(info.get("chat_template"))
