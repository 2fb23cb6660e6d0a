"""A stand-in for vLLM's OpenAI server, for testing the server pytest-emergent starts and stops.

Takes the flags the real one takes (ignoring most), starts a child process as vLLM starts its
engine, and behaves as FAKE_VLLM_MODE says: `ok` serves /health, /v1/models and completions;
`crash` prints a few log lines and exits 3; `silent` answers /health with 503 forever.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host")
    parser.add_argument("--port", type=int)
    parser.add_argument("--served-model-name")
    parser.add_argument("--model")
    args, rest = parser.parse_known_args()
    mode = os.environ.get("FAKE_VLLM_MODE", "ok")
    print(f"fake vllm: args {sys.argv[1:]}", flush=True)
    if mode == "crash":
        print("fake vllm: loading weights", flush=True)
        print(f"fake vllm: ValueError: cannot load model {args.model}", flush=True)
        sys.exit(3)
    engine = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    print(f"fake vllm: engine pid {engine.pid}", flush=True)

    def shutdown(*_: object) -> None:  # as vLLM does on SIGTERM: its engine goes with it
        engine.terminate()
        engine.wait()
        sys.exit(0)

    signal.signal(signal.SIGTERM, shutdown)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def reply(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path == "/health":
                self.reply(503 if mode == "silent" else 200, {})
            elif self.path == "/v1/models":
                self.reply(200, {"data": [{"id": args.served_model_name, "max_model_len": 2048}]})
            else:
                self.reply(404, {"error": {"message": "not found"}})

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            text = f"served {body['prompt'][::-1]}\nmore"
            self.reply(200, {"choices": [{"text": text}]})

    ThreadingHTTPServer((args.host, args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
