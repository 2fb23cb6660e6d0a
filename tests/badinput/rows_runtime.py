"""Rows of the bad-input matrix met while a run goes on: earlier ledger records, replay recordings,
servers that misbehave, graders that fail. Each costs only what it touches: a bad record is skipped
with a warning, a bad model's items are errors, the other model and the other records are kept."""

from __future__ import annotations

import json

from badinput.harness import ECHO_MODEL, KEY, Row

MODELS = "emergent-models.yaml"
LEDGER = ".emergent/20250101T000000.000Z-bad000.json"


def _record(**changes) -> str:
    """A valid run record, with `changes` applied at dotted paths (`results.0.status`)."""
    record = {"schema_version": 2, "run_id": "20250101T000000.000Z-bad000", "started": "2025-01-01T00:00:00+00:00",
              "models": [{"name": "echo", "backend": "echo", "family": "echo", "traits": [],
                          "scale": {"params": 1e6, "tokens": None, "compute": None, "step": None}, "info": {}}],
              "results": [{"capability": "valid/echo", "model": "echo", "status": "pass", "score": 1.0, "n": 2}]}
    for path, value in changes.items():
        *head, last = path.split("__")
        target = record
        for part in head:
            target = target[int(part)] if isinstance(target, list) else target[part]
        target[int(last) if isinstance(target, list) else last] = value
    return json.dumps(record)


def ledger(id: str, says: tuple[str, ...], text: str | bytes) -> Row:
    return Row(id, "ledger", (".emergent/20250101T000000.000Z-bad000.json", *says), files={LEDGER: text})


def _exchange(request: dict, response) -> dict:
    return {"type": "exchange", "model": "bad", "request": request, "response": response}


HEADER = {"type": "model", "model": "bad", "name": "bad", "backend": "echo", "family": "echo", "traits": [],
          "scale": {"params": 1e6}, "info": {}}
SPEC_REQUESTS = [({"kind": "generate", "prompt": f"Say {w}", "max_new_tokens": 32, "stop": [], "messages": None},
                  f"Say {w}") for w in ("apple", "pear")] + [
                 ({"kind": "generate", "prompt": "hello", "max_new_tokens": 32, "stop": [], "messages": None}, "hello")]
SCORES = [({"kind": "loglikelihood", "context": f"Say {w}", "continuation": f" {w}"}, [-1.0, False, 1])
          for w in ("apple", "pear")]


def recording(*lines: dict | str) -> str:
    return "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)


FULL = [HEADER, *(_exchange(r, a) for r, a in SPEC_REQUESTS + SCORES)]


def replay(id: str, says: tuple[str, ...], content: str | bytes, **kw) -> Row:
    return Row(id, "replay", says, then="errors",
               files={MODELS: ECHO_MODEL + "- name: bad\n  backend: replay\n  path: rec.jsonl\n  model: bad\n",
                      "rec.jsonl": content}, **kw)


def server(id: str, how: str, says: tuple[str, ...], *, extra: str = "", spec: str = "", **kw) -> Row:
    files = {MODELS: ECHO_MODEL + f"- name: bad\n  backend: openai\n  base_url: {{server}}/{how}/v1\n  model: m\n"
                                  f"  max_retries: 0\n  timeout: 1\n{extra}"}
    if spec:
        files["capability_specs/choice.yaml"] = spec
    return Row(id, "server", says, then="errors", files=files, **kw)


CHOICE_SPEC = """- id: choice/echo
  description: a choice check (scored by log-likelihoods)
  prompt: "Say {{ word }}"
  examples: [{word: pear}]
  choices: [pear, apples]
  expected: pear
  check: choice
"""
GRADED = """- id: graded/x
  description: graded by the suite's own function
  prompt: "Say {{ w }}"
  examples: [{w: a}]
  expected: a
  check: {type: python, function: "graders:grade"}
"""

ROWS = [
    # -- earlier records of the ledger ----------------------------------------------------------------
    ledger("record-not-json", ("skipped: cannot be read as JSON",), "{not json"),
    ledger("record-a-list", ("skipped: expected a JSON object, got list",), "[1, 2]"),
    ledger("record-newer-schema", ("schema_version 99 is newer than this pytest-emergent reads", "upgrade it"),
           _record(schema_version=99)),
    ledger("record-no-results", ("skipped: no 'results' list",), '{"schema_version": 2}'),
    ledger("record-scale-a-word", ("models[0].scale is 'big', not an object; ignored",), _record(models__0__scale="big")),
    ledger("record-params-a-word", ("models[0].scale.params is 'big', not a number or null",),
           _record(models__0__scale__params="big")),
    ledger("record-status-a-list", ("results[0] has unknown status []; the result is ignored",),
           _record(results__0__status=[])),
    ledger("record-change-a-map", ("results[0].change is {}, not one of",), _record(results__0__change={})),
    ledger("record-score-a-word", ("results[0].score is 'high', not a number or null",),
           _record(results__0__score="high")),
    ledger("record-cases-a-number", ("results[0].cases is not a list of cases",), _record(results__0__cases=3)),
    ledger("record-model-name-missing", ("models[0] has no string 'name'",), _record(models__0__name=None)),
    ledger("record-deep", ("skipped: cannot be read as JSON",), "[" * 100000 + "]" * 100000),
    ledger("record-not-utf8", ("skipped: cannot be read as JSON",), b"\xff\xfe{}"),
    # -- replay recordings ----------------------------------------------------------------------------
    replay("replay-not-utf8", ("rec.jsonl: not a recording (not UTF-8 text)",), b"\xff\xfe\x00\x01"),
    replay("replay-bad-line", ("rec.jsonl, line 2: not a recorded exchange",),
           recording(HEADER, "{oops", *FULL[1:])),
    replay("replay-line-a-list", ("rec.jsonl, line 1: not a recorded exchange",),
           recording("[1, 2]", *FULL)),
    replay("replay-other-model", ("rec.jsonl has no model 'bad'; it has: other",),
           recording({**HEADER, "model": "other"})),
    replay("replay-not-recorded", ("rec.jsonl has no generate response of model 'bad'",
                                   "record the suite again with --emergent-record"), recording(HEADER)),
    replay("replay-malformed-answer", ("rec.jsonl: the recorded response of model 'bad' is not an answer",),
           recording(HEADER, *(_exchange(r, {"text": a}) for r, a in SPEC_REQUESTS))),
    replay("replay-header-wrong-types", ("has no generate response of model 'bad'",),
           recording({**HEADER, "family": 3, "traits": "base", "scale": "big"})),
    # -- servers that misbehave -----------------------------------------------------------------------
    server("server-500", "500", ("model 'bad': server", "did not answer /completions after 1 attempts (HTTP 500: "
                                 "the server is on fire)")),
    server("server-echoes-the-key", "401-echo", ("answered 401 to /completions: bad key: Bearer ***",),
           extra="  api_key_env: MATRIX_KEY\n", env={"MATRIX_KEY": KEY}, never=(KEY,)),
    server("server-not-json", "not-json", ("answered /completions with something that is not JSON: "
                                           "'<html>502 Bad Gateway</html>'",)),
    server("server-json-list", "list-json", ("answered /completions with JSON that is not an object",)),
    server("server-no-choices", "no-choices", ("answered /completions without choices[0].text as text",)),
    server("server-no-logprobs", "no-logprobs", ("returned no prompt log-probabilities for a loglikelihood request",),
           spec=CHOICE_SPEC, expect={"choice/echo@echo": "pass", "test_valid.py::test_echo@bad": "pass",
                                     # generated answers need no prompt log-probabilities: still graded
                                     "valid/echo@bad": "pass"}),
    server("server-huge-body", "huge", ("answered /completions with more than 1 MiB; refused",),
           patch={"pytest_emergent.backends.openai.MAX_BODY": 1024 * 1024}),
    server("server-slow", "slow", ("did not answer /completions after 1 attempts (timed out)",)),
    server("server-models-garbage", "models-garbage", ("answered /models without a 'data' list of models",)),
    server("server-model-not-served", "no-model", ("does not serve 'm'; it serves: other",)),
    Row("server-refuses-connections", "server", ("model 'bad': server http://127.0.0.1:9/v1 did not answer /models",
                                                 "Connection refused"), then="errors",
        files={MODELS: ECHO_MODEL + "- name: bad\n  backend: openai\n  base_url: http://127.0.0.1:9/v1\n  model: m\n"
                                    "  max_retries: 0\n"}),
    # -- graders that fail while grading --------------------------------------------------------------
    Row("grader-raises", "grader", ("python check graders:grade raised ZeroDivisionError: division by zero",
                                    "fix the grader"),
        files={"capability_specs/graded.yaml": GRADED,
               "capability_specs/graders.py": "def grade(output, case):\n    return 1 / 0\n"},
        expect={"graded/x@echo": "error"}),
    Row("grader-returns-text", "grader", ("python check graders:grade returned", "expected true/false or a number"),
        files={"capability_specs/graded.yaml": GRADED,
               "capability_specs/graders.py": "def grade(output, case):\n    return 'yes'\n"},
        expect={"graded/x@echo": "error"}),
]
