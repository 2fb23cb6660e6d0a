"""The openai backend against a small scripted HTTP server: retries, errors, scoring by offsets."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from pytest_emergent import Model, Scale
from pytest_emergent.backends import BackendError, GenerateRequest, LoglikelihoodRequest, RequestError
from pytest_emergent.backends.openai import OpenAIBackend, Secret, load
from pytest_emergent.config import parse_spec_string
from pytest_emergent.progress import Task, track


class Scripted(BaseHTTPRequestHandler):
    """Answers like vLLM; `plan` holds status codes to return first; `seen` the requests."""

    plan: list[int] = []
    seen: list[tuple[str, dict, str]] = []
    logprobs = True
    echo_key = False  # error bodies echo the Authorization header, as a careless server's do

    def log_message(self, *args):  # quiet
        pass

    def _send(self, code: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._send(200, {"object": "list", "data": [{"id": "smol", "max_model_len": 2048}]})

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Scripted.seen.append((self.path, body, self.headers.get("Authorization", "")))
        if Scripted.plan:
            code = Scripted.plan.pop(0)
            echoed = f" for {self.headers.get('Authorization')}" if Scripted.echo_key else ""
            return self._send(code, {"error": {"message": f"scripted {code}{echoed}", "code": code}})
        if self.path.endswith("/chat/completions"):
            return self._send(200, {"choices": [{"message": {"content": "Paris."}}]})
        if body.get("echo"):
            prompt = body["prompt"]  # tokens: "The", " capital", " is", " Paris", then one generated "."
            parts = ["The", " capital", " is", " Paris"]
            assert "".join(parts) == prompt
            offsets = [0, 3, 11, 14, len(prompt)]
            values = [None, -11.5, -0.5, -0.25, -0.4]
            tops = [None, {" capital": -11.5, "-": -0.8}, {" is": -0.5}, {" Paris": -0.25}, {".": -0.4}]
            lp = {"tokens": [*parts, "."], "text_offset": offsets, "token_logprobs": values, "top_logprobs": tops}
            return self._send(200, {"choices": [{"text": prompt + ".", "logprobs": lp if Scripted.logprobs else None}]})
        return self._send(200, {"choices": [{"text": " Paris.\nQ: next"}]})


@pytest.fixture
def server():
    Scripted.plan, Scripted.seen, Scripted.logprobs, Scripted.echo_key = [], [], True, False
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


def backend(url: str, **kw) -> OpenAIBackend:
    made = OpenAIBackend("smol", url, "smol", backoff=0.01, **kw)
    made.probe()
    return made


def test_completions_are_cut_at_stop_strings_and_chat_goes_to_the_chat_endpoint(server):
    b = backend(server)
    assert b.generate([GenerateRequest("Q: capital of France?\nA:", 8, ("\n",))]) == [" Paris."]
    assert b.generate([GenerateRequest("", 8, (), (("user", "Capital of France?"),))]) == ["Paris."]
    assert [path for path, _, _ in Scripted.seen] == ["/v1/completions", "/v1/chat/completions"]
    assert Scripted.seen[0][1]["temperature"] == 0 and Scripted.seen[0][1]["stop"] == ["\n"]


def test_continuation_log_probabilities_come_from_text_offsets(server):
    (result,) = backend(server).loglikelihood([LoglikelihoodRequest("The capital is", " Paris")])
    assert result.logprob == pytest.approx(-0.25) and result.n_tokens == 1 and result.is_greedy
    (two,) = backend(server).loglikelihood([LoglikelihoodRequest("The capital", " is Paris")])
    assert two.logprob == pytest.approx(-0.75) and two.n_tokens == 2


def test_429_and_5xx_are_retried_with_backoff(server):
    Scripted.plan = [429, 503, 500]
    assert backend(server).generate([GenerateRequest("x", 4)]) == [" Paris.\nQ: next"]
    assert len(Scripted.seen) == 4


def test_a_refused_request_is_answered_by_its_error_naming_the_server_and_the_others_still_run(server):
    Scripted.plan = [400]
    first, second = backend(server, concurrency=1).generate([GenerateRequest("x", 4), GenerateRequest("y", 4)])
    assert isinstance(first, RequestError) and "answered 400 to /completions: scripted 400" in first.message
    assert isinstance(second, str)


def test_a_refused_request_through_the_model_is_a_backend_error(server):
    Scripted.plan = [400]
    model = Model("served", backend(server), Scale(params=1e6))
    with pytest.raises(BackendError, match=r"answered 400 to /completions: scripted 400"):
        model.generate("x")


def test_a_server_without_prompt_logprobs_is_a_clear_error(server):
    Scripted.logprobs = False
    (answer,) = backend(server).loglikelihood([LoglikelihoodRequest("The capital is", " Paris")])
    assert isinstance(answer, RequestError)
    assert "returned no prompt log-probabilities for a loglikelihood request" in answer.message


def test_an_unserved_model_is_named_with_what_the_server_serves(server):
    with pytest.raises(BackendError, match="does not serve 'other'; it serves: smol"):
        OpenAIBackend("x", server, "other").probe()


def test_a_stopped_server_fails_once_then_fast(server, monkeypatch):
    import urllib.request

    attempts = []
    real = urllib.request.urlopen
    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **k: attempts.append(a) or real(*a, **k))
    b = backend(server, retries=2)
    b.base_url = "http://127.0.0.1:9/v1"
    attempts.clear()
    with pytest.raises(BackendError, match=r"server http://127.0.0.1:9/v1 did not answer /completions after 3 attempts"):
        b.generate([GenerateRequest("x", 4)])
    assert len(attempts) == 3
    with pytest.raises(BackendError, match="did not answer"):
        b.generate([GenerateRequest("y", 4), GenerateRequest("z", 4)])
    assert len(attempts) == 3  # the second call asks nothing: the server is known to be down


def test_the_api_key_is_sent_but_never_in_errors(server, monkeypatch):
    monkeypatch.setenv("MY_KEY", "sk-secret-123")
    spec = parse_spec_string(f"openai:{server}#smol")
    from dataclasses import replace

    made = load(replace(spec, options={"api_key_env": "MY_KEY", "max_retries": 0}))
    Scripted.plan = [400]
    (answer,) = made.generate([GenerateRequest("x", 4)])
    assert Scripted.seen[-1][2] == "Bearer sk-secret-123"
    assert isinstance(answer, RequestError) and "sk-secret" not in answer.message
    assert "sk-secret" not in repr(made.__dict__.get("name"))


def test_a_missing_api_key_variable_is_named(server):
    from dataclasses import replace

    spec = replace(parse_spec_string(f"openai:{server}#smol"), options={"api_key_env": "NOT_SET_ANYWHERE"})
    with pytest.raises(BackendError, match="environment variable NOT_SET_ANYWHERE"):
        load(spec)


def test_a_stopped_server_is_one_clear_error_per_model_not_a_traceback_per_test(pytester):
    pytester.makefile(".yaml", **{"emergent-models": "- name: gone\n  backend: openai\n"
                                  "  base_url: http://127.0.0.1:9/v1\n  model: m\n  max_retries: 1\n"})
    pytester.makepyfile(test_x="def test_a(model): pass\ndef test_b(model): pass\ndef test_c(model): pass\n")
    result = pytester.runpytest("--emergent-model", "gone", "--emergent-cache", "off")
    result.assert_outcomes(errors=3)
    result.stdout.no_fnmatch_line("*Traceback*")
    assert result.stdout.str().count("loading model gone") == 1
    result.stdout.fnmatch_lines(["model gone could not be loaded: model 'gone': server http://127.0.0.1:9/v1 did not "
                                 "answer /models after 2 attempts*"])


KEY = "sk-live-5ecret0123456789"


def test_a_secret_hides_its_value_in_repr_and_str_and_redacts_it_from_text():
    secret = Secret(KEY)
    assert KEY not in repr(secret) and KEY not in str(secret) and KEY not in repr({"key": secret})
    assert secret.redact(f"bad key Bearer {KEY}!") == "bad key Bearer ***!"


def test_a_server_that_echoes_the_key_never_gets_it_printed(server):
    Scripted.echo_key = True
    made = backend(server, api_key=KEY, retries=0)
    assert KEY not in repr(vars(made))
    Scripted.plan = [400]
    (answer,) = made.generate([GenerateRequest("hi", 4)])
    assert Scripted.seen[-1][2] == f"Bearer {KEY}"  # sent, and only sent
    assert "scripted 400 for Bearer ***" in answer.message and KEY not in answer.message
    Scripted.plan = [500]
    with pytest.raises(BackendError) as caught:  # the server is down: every request fails at once
        made.generate([GenerateRequest("hi", 4), GenerateRequest("ho", 4)])
    assert "scripted 500 for Bearer ***" in str(caught.value) and KEY not in str(caught.value)


@pytest.mark.parametrize("code", [400, 500])
def test_pytest_l_and_junit_xml_never_show_the_key(pytester, server, monkeypatch, code):
    Scripted.echo_key, Scripted.plan = True, [code]
    monkeypatch.setenv("EMERGENT_TEST_KEY", KEY)
    pytester.makefile(".yaml", **{"emergent-models": f"- name: served\n  backend: openai\n  base_url: {server}\n"
                                                     "  model: smol\n  api_key_env: EMERGENT_TEST_KEY\n"
                                                     "  max_retries: 0\n  params: 1M\n"})
    pytester.makepyfile(test_served="def test_asks(model):\n    assert model.generate('hi') == 'x'\n")
    result = pytester.runpytest("-l", "--tb=long", "--junitxml=junit.xml", "--emergent-no-ledger",
                                "--emergent-cache=off")
    output = result.stdout.str() + result.stderr.str()
    assert f"scripted {code} for Bearer ***" in output  # the server's words are shown, the key is not
    assert KEY not in output
    assert KEY not in (pytester.path / "junit.xml").read_text(encoding="utf-8")


def test_answers_are_counted_one_by_one_as_they_come_back_from_the_server(server):
    seen: list[int] = []

    class Display:
        def update(self, task: Task) -> None:
            seen.append(task.done)

        def end(self, task: Task, finished: bool) -> None:
            pass

    with track("smol", 5, Display()):
        backend(server).generate([GenerateRequest(f"Q: capital number {i}?\nA:", 8) for i in range(5)])
    assert seen == [1, 2, 3, 4, 5]
