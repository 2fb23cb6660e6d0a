"""`emergent dispatch`: the new-checkpoint event, sent to a local fake of the GitHub API."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from github_api import FakeGitHub

from pytest_emergent.integrations.dispatch import CheckpointEvent, DispatchError, send_dispatch

ROOT = Path(__file__).parents[2]
TOKEN = "ghp_" + "t0ken" * 8


def emergent(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest_emergent.cli", *args], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT), **env})


def test_emergent_dispatch_sends_the_new_checkpoint_event_with_its_payload():
    with FakeGitHub(TOKEN) as api:
        out = emergent("dispatch", "--repo", "acme/llm", "--checkpoint", "acme/llm-7b", "--revision", "step-2000",
                       "--step", "2000", "--family", "llm", "--token-env", "TRAIN_TOKEN", "--api-url", api.url,
                       env={"TRAIN_TOKEN": TOKEN})
    assert out.returncode == 0, out.stderr
    assert api.dispatches == [{"event_type": "new-checkpoint", "client_payload": {
        "checkpoint": "acme/llm-7b", "revision": "step-2000", "step": "2000", "family": "llm"}}]
    (request,) = api.received
    assert request.path == "/repos/acme/llm/dispatches"
    assert request.headers["accept"] == "application/vnd.github+json"
    assert request.headers["x-github-api-version"] == "2022-11-28"
    assert "sent new-checkpoint to acme/llm" in out.stdout
    assert TOKEN not in out.stdout + out.stderr


def test_a_refused_token_is_one_line_that_never_shows_the_token():
    with FakeGitHub(TOKEN) as api:
        out = emergent("dispatch", "--repo", "acme/llm", "--checkpoint", "x", "--api-url", api.url,
                       env={"GITHUB_TOKEN": "wrong-" + TOKEN})
    assert out.returncode == 2
    assert out.stderr.strip() == ("emergent dispatch: error: dispatch to acme/llm refused: "
                                  "HTTP 401: the token was refused (expired or mistyped?)")
    assert TOKEN not in out.stdout + out.stderr and len(api.received) == 1  # a refusal is not retried


def test_an_unset_token_variable_is_named_and_nothing_is_sent():
    with FakeGitHub(TOKEN) as api:
        out = emergent("dispatch", "--repo", "acme/llm", "--checkpoint", "x", "--token-env", "NOPE",
                       "--api-url", api.url, env={"NOPE": ""})
    assert out.returncode == 2 and "the environment variable NOPE is empty or not set" in out.stderr
    assert api.received == []


def test_server_errors_are_retried_until_the_event_is_delivered():
    with FakeGitHub(TOKEN, fail_first=2) as api:
        attempts = send_dispatch("acme/llm", CheckpointEvent("acme/llm-7b", step="100"), TOKEN, api_url=api.url,
                                 backoff=0)
    assert attempts == 3 and len(api.received) == 3 and len(api.dispatches) == 1


@pytest.mark.parametrize(("repo", "message"), [("acme/unknown", "HTTP 404: no such repository"),
                                               ("not-a-repo", "expected OWNER/REPO")])
def test_a_wrong_repository_is_a_clear_error(repo: str, message: str):
    with FakeGitHub(TOKEN) as api, pytest.raises(DispatchError, match=message):
        send_dispatch(repo, CheckpointEvent("acme/llm-7b"), TOKEN, api_url=api.url, backoff=0)


def test_a_step_that_is_not_a_number_is_refused_before_sending():
    with pytest.raises(DispatchError, match="step 'latest' is not a number"):
        send_dispatch("acme/llm", CheckpointEvent("acme/llm-7b", step="latest"), TOKEN, api_url="http://127.0.0.1:9")
