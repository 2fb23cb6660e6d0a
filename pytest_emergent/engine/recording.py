"""The recording of a run (`--emergent-record FILE`): every request and response, as JSON lines, for replay."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..backends.base import Backend, GenerateRequest, LoglikelihoodRequest, ModelInfo, RequestError
from ..backends.codec import encode_response, request_dict


class Recorder:
    """Appends lines with O_APPEND, one write each, so concurrent xdist workers do not interleave.

    `fresh`: start the file empty (the run's main process does; xdist workers then append), so a
    recording holds one run, not every run that was ever recorded into the same file. A write that
    fails (a disk that fills up) ends the recording with one line via `say`; the run goes on."""

    def __init__(self, path: Path, fresh: bool = False, say: Callable[[str], None] | None = None):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if fresh:
            self.path.write_bytes(b"")
        self._models: set[str] = set()
        self._say = say or (lambda message: None)
        self.failed: str | None = None

    def _append(self, record: dict[str, Any]) -> None:
        if self.failed:
            return
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode()
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            try:
                os.write(fd, line)
            finally:
                os.close(fd)
        except OSError as exc:  # the model's answer is still good: only the recording stops
            self.failed = (f"recording {self.path}: cannot be written ({exc.strerror or exc}); it is incomplete "
                           "from here, the run goes on")
            self._say(self.failed)

    def model(self, name: str, header: dict[str, Any]) -> None:
        if name not in self._models:
            self._models.add(name)
            self._append({"type": "model", "model": name, **header})

    def exchange(self, name: str, request: Any, response: Any) -> None:
        self._append({"type": "exchange", "model": name, "request": request_dict(request),
                      "response": encode_response(response)})


class RecordingBackend(Backend):
    def __init__(self, name: str, inner: Backend, recorder: Recorder):
        self.name, self.inner, self.recorder = name, inner, recorder

    def _record(self, requests: list[Any], answers: list[Any]) -> list[Any]:
        for request, response in zip(requests, answers):
            if not isinstance(response, RequestError):  # a failed request has no answer to replay
                self.recorder.exchange(self.name, request, response)
        return answers

    def generate(self, requests: list[GenerateRequest]) -> list[Any]:
        return self._record(requests, self.inner.generate(requests))

    def loglikelihood(self, requests: list[LoglikelihoodRequest]) -> list[Any]:
        return self._record(requests, self.inner.loglikelihood(requests))

    def answer(self, generate: list[GenerateRequest], score: list[LoglikelihoodRequest]) -> tuple[list[Any], list[Any]]:
        generated, scored = self.inner.answer(generate, score)
        return self._record(generate, generated), self._record(score, scored)

    def info(self) -> ModelInfo:
        return self.inner.info()

    def supports_chat(self) -> bool:
        return self.inner.supports_chat()

    def render_chat(self, messages: tuple[tuple[str, str], ...]) -> str | None:
        return self.inner.render_chat(messages)

    def close(self) -> None:
        self.inner.close()
