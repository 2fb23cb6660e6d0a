"""The openai backend's API key never reaches any output: tracebacks with locals, JUnit XML, messages."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from pytest_emergent.backends import BackendError
from pytest_emergent.backends.openai import OpenAIBackend, Secret

KEY = "sk-live-5ecret0123456789"


class Echoing(BaseHTTPRequestHandler):
    """Lists model `m`; answers every POST with `code` and the Authorization header echoed back."""

    code = 500

    def log_message(self, *args):
        pass

    def _send(self, code: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._send(200, {"data": [{"id": "m"}]})

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self._send(Echoing.code, {"error": {"message": f"rejected {self.headers.get('Authorization')}"}})


@pytest.fixture
def echoing():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Echoing)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


def test_a_secret_hides_its_value_in_repr_and_str_and_redacts_it_from_text():
    secret = Secret(KEY)
    assert KEY not in repr(secret) and KEY not in str(secret) and KEY not in repr({"key": secret})
    assert secret.redact(f"bad key Bearer {KEY}!") == "bad key Bearer ***!"


def test_the_key_is_sent_but_a_server_that_echoes_it_never_gets_it_printed(echoing):
    from pytest_emergent.backends import GenerateRequest

    backend = OpenAIBackend("m", echoing, "m", api_key=KEY, retries=0, backoff=0)
    backend.probe()
    assert KEY not in repr(vars(backend))
    Echoing.code = 400
    (answer,) = backend.generate([GenerateRequest("hi", 4, ())])
    assert "rejected Bearer ***" in answer.message and KEY not in answer.message
    Echoing.code = 500
    with pytest.raises(BackendError) as caught:
        backend.generate([GenerateRequest("hi", 4, ()), GenerateRequest("ho", 4, ())])
    assert "rejected Bearer ***" in str(caught.value) and KEY not in str(caught.value)


@pytest.mark.parametrize("code", [400, 500])
def test_pytest_l_and_junit_xml_never_show_the_key(pytester, echoing, monkeypatch, code):
    Echoing.code = code
    monkeypatch.setenv("EMERGENT_TEST_KEY", KEY)
    pytester.makefile(".yaml", **{"emergent-models": f"- name: served\n  backend: openai\n  base_url: {echoing}\n"
                                                     "  model: m\n  api_key_env: EMERGENT_TEST_KEY\n  max_retries: 0\n"
                                                     "  params: 1M\n"})
    pytester.makepyfile(test_served="def test_asks(model):\n    assert model.generate('hi') == 'x'\n")
    result = pytester.runpytest("-l", "--tb=long", "--junitxml=junit.xml", "--emergent-no-ledger",
                                "--emergent-cache=off")
    output = result.stdout.str() + result.stderr.str()
    assert "rejected Bearer ***" in output  # the server's words are shown, the key is not
    assert KEY not in output
    assert KEY not in (pytester.path / "junit.xml").read_text(encoding="utf-8")
