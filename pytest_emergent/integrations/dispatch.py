"""Tell GitHub that a checkpoint appeared: a `repository_dispatch` event of type `new-checkpoint`.

The workflow in `ci/` runs on that event with the checkpoint, revision, step and family in
`client_payload`. A training job (or the Trainer callback, or the Hugging Face webhook relay)
sends it with a token that may create dispatch events: a fine-grained token with Contents
read and write on the repository, or a classic token with `repo`. The token comes from an
environment variable named by the caller and is never printed or put in a message.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

EVENT_TYPE = "new-checkpoint"
DEFAULT_API = "https://api.github.com"
DEFAULT_TOKEN_ENV = "GITHUB_TOKEN"
_RETRY_STATUSES = (429, 500, 502, 503, 504)
_HINTS = {
    401: "the token was refused (expired or mistyped?)",
    403: "the token may not create dispatch events on this repository (it needs Contents: read and write)",
    404: "no such repository, or the token cannot see it",
    422: "GitHub refused the payload (client_payload allows at most 10 top-level keys)",
}


class DispatchError(Exception):
    """A dispatch that was not delivered; the message names the repository and the reason."""


@dataclass(frozen=True)
class CheckpointEvent:
    """What the workflow needs to test one checkpoint."""

    checkpoint: str
    revision: str = ""
    step: str = ""
    family: str = ""

    def payload(self, event_type: str = EVENT_TYPE) -> dict[str, object]:
        body = {"checkpoint": self.checkpoint, "revision": self.revision, "step": self.step, "family": self.family}
        return {"event_type": event_type, "client_payload": {k: v for k, v in body.items() if v}}


def _check_repo(repo: str) -> None:
    owner, sep, name = repo.partition("/")
    if not sep or not owner or not name or "/" in name or any(c.isspace() for c in repo):
        raise DispatchError(f"--repo {repo!r}: expected OWNER/REPO")


def token_from(env_name: str, environ: dict[str, str] | None = None) -> str:
    """The token held by the environment variable `env_name`; an error names the variable only."""
    token = (os.environ if environ is None else environ).get(env_name, "").strip()
    if not token:
        raise DispatchError(f"no token: the environment variable {env_name} is empty or not set")
    return token


def send_dispatch(repo: str, event: CheckpointEvent, token: str, *, api_url: str = DEFAULT_API,
                  event_type: str = EVENT_TYPE, attempts: int = 4, timeout: float = 30.0,
                  backoff: float = 1.0) -> int:
    """POST the event; returns the number of attempts it took. Server errors and rate limits
    are retried with backoff; a refusal (401, 403, 404, 422) is not."""
    _check_repo(repo)
    if not event.checkpoint.strip():
        raise DispatchError("no checkpoint given")
    if event.step and not _is_number(event.step):
        raise DispatchError(f"step {event.step!r} is not a number")
    url = f"{api_url.rstrip('/')}/repos/{repo}/dispatches"
    body = json.dumps(event.payload(event_type)).encode()
    headers = {"Accept": "application/vnd.github+json", "Authorization": f"Bearer {token}",
               "X-GitHub-Api-Version": "2022-11-28", "Content-Type": "application/json",
               "User-Agent": "pytest-emergent"}
    reason = ""
    for attempt in range(1, attempts + 1):
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                if 200 <= response.status < 300:
                    return attempt
                reason = f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            reason = f"HTTP {exc.code}" + (f": {_HINTS[exc.code]}" if exc.code in _HINTS else "")
            if exc.code not in _RETRY_STATUSES:
                raise DispatchError(f"dispatch to {repo} refused: {reason}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = f"cannot reach {api_url}: {getattr(exc, 'reason', exc)}"
        if attempt < attempts:
            time.sleep(min(backoff * 2 ** (attempt - 1), 8.0))
    raise DispatchError(f"dispatch to {repo} failed after {attempts} attempts: {reason}")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
