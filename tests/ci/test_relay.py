"""The Hugging Face webhook relay: Hub payloads in, new-checkpoint dispatches out (to a local
fake of the GitHub API), over real HTTP."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from github_api import FakeGitHub

RELAY = Path(__file__).parents[2] / "ci" / "relay" / "hf_webhook_relay.py"
SECRET, TOKEN = "hub-webhook-secret", "ghp_relay_token"
spec = importlib.util.spec_from_file_location("hf_webhook_relay", RELAY)
relay = importlib.util.module_from_spec(spec)
sys.modules["hf_webhook_relay"] = relay  # dataclasses look their module up there
spec.loader.exec_module(relay)


def push_payload(*refs: tuple[str, str | None], repo_type: str = "model", scope: str = "repo.content") -> dict:
    """A webhook payload as the Hub sends it on a push (docs: huggingface.co/docs/hub/webhooks)."""
    return {"event": {"action": "update", "scope": scope},
            "repo": {"type": repo_type, "name": "acme/llm-1b", "id": "6366c000a2abcdf2fd69a080", "private": False,
                     "headSha": "c379e821c9c95d613899e8c4343e4bfee2b0c600"},
            "updatedRefs": [{"ref": ref, "oldSha": None, "newSha": sha} for ref, sha in refs],
            "webhook": {"id": "6390e855e30d9209411de93b", "version": 3}}


def post(url: str, payload: object, secret: str | None = SECRET) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json", **({"X-Webhook-Secret": secret} if secret else {})}
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.fixture
def served():
    with FakeGitHub(TOKEN) as api:
        config = relay.RelayConfig(SECRET, "acme/llm", TOKEN, api.url, family="llm")
        server = relay.make_server(config, "127.0.0.1", 0)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.server_address[1]}/", api
        server.shutdown()
        server.server_close()


def test_a_push_to_main_and_a_step_tag_become_two_new_checkpoint_dispatches(served):
    url, api = served
    status, body = post(url, push_payload(("refs/heads/main", "575db8b7a51b6f85eb06eee540738584589f131c"),
                                          ("refs/tags/step-2000", "575db8b7a51b6f85eb06eee540738584589f131c"),
                                          ("refs/pr/3", "aaaa"), ("refs/heads/old", None)))
    assert status == 200
    assert [d["client_payload"] for d in api.dispatches] == [
        {"checkpoint": "acme/llm-1b", "revision": "575db8b7a51b6f85eb06eee540738584589f131c", "family": "llm"},
        {"checkpoint": "acme/llm-1b", "revision": "step-2000", "step": "2000", "family": "llm"}]
    assert {d["event_type"] for d in api.dispatches} == {"new-checkpoint"} and len(body["sent"]) == 2


def test_a_wrong_secret_is_refused_and_nothing_is_sent(served):
    url, api = served
    assert post(url, push_payload(("refs/heads/main", "abc")), secret="guess")[0] == 401
    assert post(url, push_payload(("refs/heads/main", "abc")), secret=None)[0] == 401
    assert api.received == []


def test_the_secret_may_come_in_the_query_string_as_the_hub_allows(served):
    url, api = served
    assert post(url + f"?secret={SECRET}", push_payload(("refs/heads/main", "abc")), secret=None)[0] == 200
    assert len(api.dispatches) == 1


@pytest.mark.parametrize(("payload", "why"), [
    (push_payload(("refs/heads/main", "abc"), scope="discussion"), "event discussion/update is not a push"),
    (push_payload(("refs/heads/main", "abc"), repo_type="dataset"), "repository type dataset is not a model"),
    (push_payload(("refs/heads/dev", "abc")), "no updated ref matches refs/heads/main, refs/tags/*"),
])
def test_other_events_are_answered_and_ignored(served, payload, why):
    url, api = served
    assert post(url, payload) == (200, {"ignored": why}) and api.received == []


def test_a_body_that_is_not_a_payload_is_a_400(served):
    url, _ = served
    assert post(url, ["not", "a", "payload"])[0] == 400


def test_a_refused_dispatch_is_a_502_the_hub_can_replay():
    with FakeGitHub("another-token") as api:
        server = relay.make_server(relay.RelayConfig(SECRET, "acme/llm", TOKEN, api.url), "127.0.0.1", 0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            status, body = post(f"http://127.0.0.1:{server.server_address[1]}/", push_payload(("refs/heads/main", "a")))
        finally:
            server.shutdown()
            server.server_close()
    assert status == 502 and body["error"] == "GitHub refused the dispatch: HTTP 401" and TOKEN not in json.dumps(body)


@pytest.mark.parametrize(("ref", "step"), [("refs/tags/step-2000", "2000"), ("refs/heads/step2000", "2000"),
                                           ("refs/tags/checkpoint_143000", "143000"), ("refs/heads/main", ""),
                                           ("refs/tags/v1.0", "")])
def test_the_step_is_read_from_the_refs_name(ref: str, step: str):
    assert relay.step_of(ref) == step


def test_the_script_runs_from_its_environment_and_says_what_it_relays(tmp_path: Path):
    with FakeGitHub(TOKEN) as api:
        env = {**os.environ, "RELAY_SECRET": SECRET, "GITHUB_REPO": "acme/llm", "GITHUB_TOKEN": TOKEN,
               "GITHUB_API_URL": api.url, "RELAY_REFS": "refs/tags/step-*", "PORT": "0"}
        process = subprocess.Popen([sys.executable, str(RELAY)], env=env, stdout=subprocess.PIPE, text=True)
        try:
            line = process.stdout.readline()
            assert "relaying Hub pushes (refs/tags/step-*) to acme/llm on port" in line
            port = line.rsplit(" ", 1)[1].strip()
            status, _ = post(f"http://127.0.0.1:{port}/", push_payload(("refs/tags/step-500", "abc")))
        finally:
            process.terminate()
            process.wait(timeout=30)
    assert status == 200 and api.dispatches[0]["client_payload"] == {
        "checkpoint": "acme/llm-1b", "revision": "step-500", "step": "500"}
    missing = subprocess.run([sys.executable, str(RELAY)], env={"PATH": os.environ["PATH"]}, capture_output=True,
                             text=True, timeout=60)
    assert missing.returncode == 1 and "set RELAY_SECRET, GITHUB_REPO, GITHUB_TOKEN" in missing.stderr
