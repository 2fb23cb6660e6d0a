"""Relay Hugging Face Hub webhooks to GitHub: a push to a model repository on the Hub becomes a
`new-checkpoint` repository_dispatch, which runs the workflow of `ci/` on that checkpoint.

A training job that pushes checkpoints to the Hub needs no GitHub token this way; the relay
holds it. One file, standard library only, so it runs anywhere that can take an HTTPS POST
(a small VM, a container, a Hugging Face Space). Configuration, all from the environment:

  RELAY_SECRET      the webhook's secret, as set on huggingface.co/settings/webhooks (required)
  GITHUB_REPO       OWNER/REPO whose workflow runs (required)
  GITHUB_TOKEN      a token that may create dispatch events there (Contents: read and write)
  GITHUB_API_URL    default https://api.github.com
  RELAY_REFS        refs that count as new checkpoints, comma-separated globs
                    (default refs/heads/main,refs/tags/*; refs/pr/* are never relayed)
  RELAY_FAMILY      model family sent with the event (default: the workflow's own default)
  PORT              default 8080

For each updated ref of a `repo.content` event on a model repository, the event carries the
repository as `checkpoint`, the revision (a tag's name, else the new commit, which a later push
to the branch cannot change) and a step read from the ref's name (`step-2000`, `step2000`,
`checkpoint-2000`). Replies: 200 with what was sent or why nothing was, 401 for a wrong secret,
400 for a body that is not a webhook payload, 502 when GitHub refused the dispatch (the Hub
shows it in the webhook's activity tab and can replay it).
"""

from __future__ import annotations

import fnmatch
import hmac
import json
import os
import re
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

_STEP = re.compile(r"(?:^|[/_-])(?:step|checkpoint|ckpt)[-_]?(\d+)$", re.IGNORECASE)


@dataclass(frozen=True)
class RelayConfig:
    secret: str
    repo: str
    token: str
    api_url: str = "https://api.github.com"
    refs: tuple[str, ...] = ("refs/heads/main", "refs/tags/*")
    family: str = ""

    @classmethod
    def from_env(cls, environ: dict[str, str]) -> RelayConfig:
        missing = [k for k in ("RELAY_SECRET", "GITHUB_REPO", "GITHUB_TOKEN") if not environ.get(k)]
        if missing:
            raise SystemExit(f"hf_webhook_relay: set {', '.join(missing)}")
        refs = tuple(r.strip() for r in environ.get("RELAY_REFS", "").split(",") if r.strip())
        return cls(environ["RELAY_SECRET"], environ["GITHUB_REPO"], environ["GITHUB_TOKEN"],
                   environ.get("GITHUB_API_URL") or cls.api_url, refs or cls.refs, environ.get("RELAY_FAMILY", ""))


def step_of(ref: str) -> str:
    match = _STEP.search(ref)
    return match.group(1) if match else ""


def checkpoints(payload: dict, refs: tuple[str, ...]) -> tuple[list[dict[str, str]], str]:
    """(client payloads to send, why none) for one webhook payload."""
    event, repo = payload.get("event") or {}, payload.get("repo") or {}
    if event.get("scope") != "repo.content" or event.get("action") != "update":
        return [], f"event {event.get('scope')}/{event.get('action')} is not a push"
    if repo.get("type") != "model" or not repo.get("name"):
        return [], f"repository type {repo.get('type')} is not a model"
    out = []
    for update in payload.get("updatedRefs") or []:
        ref, sha = str(update.get("ref") or ""), update.get("newSha")
        if not sha or ref.startswith("refs/pr/") or not any(fnmatch.fnmatchcase(ref, glob) for glob in refs):
            continue
        revision = ref[len("refs/tags/"):] if ref.startswith("refs/tags/") else str(sha)
        body = {"checkpoint": repo["name"], "revision": revision, "step": step_of(ref)}
        out.append({k: v for k, v in body.items() if v})
    return out, "" if out else f"no updated ref matches {', '.join(refs)}"


def dispatch(config: RelayConfig, client_payload: dict[str, str]) -> None:
    body = {"event_type": "new-checkpoint",
            "client_payload": {**client_payload, **({"family": config.family} if config.family else {})}}
    request = urllib.request.Request(
        f"{config.api_url.rstrip('/')}/repos/{config.repo}/dispatches", data=json.dumps(body).encode(), method="POST",
        headers={"Accept": "application/vnd.github+json", "Authorization": f"Bearer {config.token}",
                 "X-GitHub-Api-Version": "2022-11-28", "Content-Type": "application/json",
                 "User-Agent": "pytest-emergent-relay"})
    with urllib.request.urlopen(request, timeout=30):
        pass


def make_server(config: RelayConfig, host: str = "0.0.0.0", port: int = 8080) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def _reply(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            given = self.headers.get("X-Webhook-Secret") or parse_qs(urlsplit(self.path).query).get("secret", [""])[0]
            if not hmac.compare_digest(given.encode(), config.secret.encode()):
                return self._reply(401, {"error": "wrong or missing X-Webhook-Secret"})
            try:
                payload = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                assert isinstance(payload, dict)
            except (ValueError, AssertionError):
                return self._reply(400, {"error": "the body is not a JSON webhook payload"})
            found, why = checkpoints(payload, config.refs)
            sent = []
            for client_payload in found:
                try:
                    dispatch(config, client_payload)
                except (urllib.error.URLError, OSError) as exc:
                    reason = f"HTTP {exc.code}" if isinstance(exc, urllib.error.HTTPError) else str(exc)
                    return self._reply(502, {"error": f"GitHub refused the dispatch: {reason}", "sent": sent})
                sent.append(client_payload)
            return self._reply(200, {"sent": sent} if sent else {"ignored": why})

        def log_message(self, fmt: str, *args) -> None:
            sys.stderr.write(f"hf_webhook_relay: {self.address_string()} {fmt % args}\n")

    return ThreadingHTTPServer((host, port), Handler)


def main() -> None:
    config = RelayConfig.from_env(dict(os.environ))
    server = make_server(config, port=int(os.environ.get("PORT", "8080")))
    print(f"hf_webhook_relay: relaying Hub pushes ({', '.join(config.refs)}) to {config.repo} "
          f"on port {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
