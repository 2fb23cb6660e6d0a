"""The project every row of the bad-input matrix starts from, and what "nothing lost" means.

The project has a scripted model (`echo`: answers with the prompt, so its capabilities pass), a
valid YAML spec, a valid Python capability and one earlier ledger record. A row adds or replaces
files, options, ini lines or environment variables; the checks then say what must still hold.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

CONFTEST = '''
from pytest_emergent.backends import register_backend
from pytest_emergent.backends.base import Backend, Loglikelihood, ModelInfo


class Echo(Backend):
    """Answers every prompt with the prompt itself: a 'contains' check of a word in it passes."""

    def generate(self, requests):
        return [r.prompt if r.messages is None else r.messages[-1][1] for r in requests]

    def loglikelihood(self, requests):
        return [Loglikelihood(-float(len(r.continuation)), False, 1) for r in requests]

    def info(self):
        return ModelInfo(1e6, {})


register_backend("echo", lambda config: Echo())
'''
ECHO_MODEL = "- name: echo\n  backend: echo\n  params: 1M\n  family: echo\n"
VALID_SPEC = """- id: valid/echo
  description: a capability that is fine (the echo model repeats the word)
  prompt: "Say {{ word }}"
  examples: [{word: apple}, {word: pear}]
  expected: "{{ word }}"
  check: contains
"""
VALID_TEST = '''
def test_echo(model):
    assert "hello" in model.generate("hello")
'''
# The two capabilities that must still pass whatever a row breaks (unless the row stops the run).
VALID = ("valid/echo", "test_valid.py::test_echo")
NOISE = ("Traceback (most recent call last)", "INTERNALERROR")


@dataclass(frozen=True)
class Row:
    """One bad input: what is written, how the run is started, what it must say, what must hold.

    `then` is one of:
    - `runs`: the run goes on; the valid capabilities pass on `echo` and the run is recorded;
    - `unrecorded`: as `runs`, but the ledger cannot take the record (the Markdown report is written);
    - `runs-no-json`: as `runs`, but the JSON report cannot be written (the Markdown report is);
    - `errors`: the valid capabilities pass on `echo`; on the other model (`bad`) they are errors;
    - `stops`: nothing runs (a usage error, exit status 4); no report is written;
    - `cli`: an `emergent` command (args), exit status `code`.
    Every row also checks that no traceback is printed and the earlier ledger record is unchanged.
    `says`: fragments the output must hold, naming the place (file, field, option, model) and the fix.
    """

    id: str
    what: str  # the class of input (spec, data, bigbench, models, option, ini, env, ledger, cache, replay, ...)
    says: tuple[str, ...]
    then: str = "runs"
    files: Mapping[str, str | bytes] = field(default_factory=dict)
    args: tuple[str, ...] = ()
    ini: str = ""
    env: Mapping[str, str] = field(default_factory=dict)
    code: int = 2  # the exit status of a `cli` row
    needs: str = ""  # mount, ro-ledger, full: a read-only or full file system (root only); symlink
    never: tuple[str, ...] = ()  # what must not appear anywhere in the output (a secret)
    patch: Mapping[str, Any] = field(default_factory=dict)  # module attribute -> value, for this row only
    expect: Mapping[str, str] = field(default_factory=dict)  # "capability@model" -> status


def seed_record(folder: Path) -> Path:
    """One earlier run in the ledger `folder`; returns its file (whose bytes must never change)."""
    from ledger.scenario import checkpoint_runs

    from pytest_emergent.ledger import Ledger

    run_id = Ledger(folder).write(checkpoint_runs()[0])
    return folder / f"{run_id}.json"


def fill(text: str | bytes, places: Mapping[str, str]) -> str | bytes:
    if isinstance(text, bytes):
        return text
    for key, value in places.items():
        text = text.replace("{" + key + "}", value)
    return text


def write_files(root: Path, files: Mapping[str, str | bytes], places: Mapping[str, str]) -> None:
    for name, text in files.items():
        path = root / fill(name, places)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = fill(text, places)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")


def statuses(report: Path) -> dict[tuple[str, str], str]:
    document = json.loads(report.read_text(encoding="utf-8"))
    return {(r["capability"], r["model"]): r["status"] for r in document["results"]}


# -- a server that misbehaves on purpose ------------------------------------------------------------
KEY = "sk-test-0123456789abcdef"  # the API key the matrix's openai rows use; it must never be printed


class Misbehaving(BaseHTTPRequestHandler):
    """An OpenAI-compatible server whose first path segment says how it misbehaves:
    ok, 500, 401-echo (echoes the Authorization header), not-json, list-json, no-choices, no-logprobs,
    huge, slow, models-garbage, no-model."""

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, code: int, body: bytes, kind: str = "application/json") -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _json(self, code: int, value: Any) -> None:
        self._send(code, json.dumps(value).encode())

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        how = self.path.strip("/").split("/")[0]
        if how == "models-garbage":
            return self._json(200, {"data": "none"})
        served = "other" if how == "no-model" else "m"
        return self._json(200, {"object": "list", "data": [{"id": served}]})

    def do_POST(self) -> None:  # noqa: N802
        how = self.path.strip("/").split("/")[0]
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        if how == "500":
            return self._json(500, {"error": {"message": "the server is on fire"}})
        if how == "401-echo":
            return self._json(401, {"error": {"message": f"bad key: {self.headers.get('Authorization')}"}})
        if how == "not-json":
            return self._send(200, b"<html>502 Bad Gateway</html>", "text/html")
        if how == "list-json":
            return self._json(200, [1, 2, 3])
        if how == "no-choices":
            return self._json(200, {"id": "x", "object": "text_completion"})
        if how == "huge":
            return self._send(200, b" " * (2 * 1024 * 1024))
        if how == "slow":
            time.sleep(3)
        return self._json(200, {"choices": [{"text": body.get("prompt", ""), "logprobs": None}]})  # an echo


class Server:
    def __init__(self) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Misbehaving)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
