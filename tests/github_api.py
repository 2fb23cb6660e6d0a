"""A local stand-in for the GitHub REST API's `POST /repos/OWNER/REPO/dispatches`, over real HTTP.

It answers as GitHub does: 204 for a good request, 401 without the token, 404 for a
repository it does not know, 422 for a body without `event_type`; it can be told to fail
the first requests with 503. Every request is kept for the test to inspect."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]  # names in lower case: HTTP header names are case-insensitive
    body: dict


class FakeGitHub:
    def __init__(self, token: str, repos: tuple[str, ...] = ("acme/llm",), fail_first: int = 0):
        self.token, self.repos, self.fail_first = token, repos, fail_first
        self.received: list[Received] = []
        self.dispatches: list[dict] = []  # accepted events, in order
        self.lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {}
                with api.lock:
                    api.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                    failing = len(api.received) <= api.fail_first
                status = api.answer(self.path, self.headers.get("Authorization", ""), body, failing)
                if status == 204:
                    with api.lock:
                        api.dispatches.append(body)
                self.send_response(status)
                payload = b"" if status == 204 else json.dumps({"message": "error", "status": str(status)}).encode()
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def answer(self, path: str, authorization: str, body: dict, failing: bool) -> int:
        if failing:
            return 503
        if authorization != f"Bearer {self.token}":
            return 401
        parts = path.strip("/").split("/")
        if len(parts) != 4 or parts[0] != "repos" or parts[3] != "dispatches" or f"{parts[1]}/{parts[2]}" not in self.repos:
            return 404
        if not isinstance(body.get("event_type"), str) or len(body.get("client_payload", {})) > 10:
            return 422
        return 204

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> FakeGitHub:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
