"""Rows of the bad-input matrix: the models file, options, ini keys, environment variables and output
paths. A bad setting stops the run before anything runs, with one line naming it (`stops`); an
output that fails only at the end is one line while the others are still written."""

from __future__ import annotations

from badinput.harness import ECHO_MODEL, Row

MODELS = "emergent-models.yaml"


def models(id: str, says: tuple[str, ...], text: str, *, then: str = "stops", never: tuple[str, ...] = ()) -> Row:
    return Row(id, "models", says, then=then, files={MODELS: text}, never=never)


def field(id: str, line: str, says: str, **kw) -> Row:
    """The echo model with one more field line."""
    return models(id, (f"emergent-models.yaml, entry 1 (echo): {says}",), ECHO_MODEL + line + "\n", **kw)


def option(id: str, says: tuple[str, ...], *args: str, then: str = "stops", **kw) -> Row:
    return Row(id, "option", says, then=then, args=args, **kw)


def ini(id: str, says: tuple[str, ...], text: str, *, then: str = "stops") -> Row:
    return Row(id, "ini", says, then=then, ini=text)


def env(id: str, says: tuple[str, ...], variables: dict[str, str], *, then: str = "stops", **kw) -> Row:
    return Row(id, "env", says, then=then, env=variables, **kw)


PASTED_KEY = "sk-proj-pastedkey0123456789"

ROWS = [
    # -- the models file ------------------------------------------------------------------------------
    models("models-not-yaml", ("models file", "emergent-models.yaml: not valid YAML"), "- name: [echo\n"),
    models("models-a-word", ("emergent-models.yaml: expected a list of models (or a 'models:' list)",), "echo\n"),
    models("models-empty", ("emergent-models.yaml: expected a list of models",), ""),
    models("models-entry-a-word", ("emergent-models.yaml, entry 1: expected a mapping with at least 'name'",),
           "- echo\n"),
    models("models-no-name", ("emergent-models.yaml, entry 1: field 'name' is required",), "- backend: echo\n"),
    models("models-unknown-field", ("entry 1 (echo): unknown field 'patth' (did you mean 'path'?)",),
           ECHO_MODEL + "  patth: x\n"),
    models("models-name-twice", ("emergent-models.yaml: model name 'echo' appears twice",), ECHO_MODEL * 2),
    models("models-deep", ("emergent-models.yaml: not valid YAML",), "- name: " + "[" * 5000 + "]" * 5000 + "\n"),
    field("models-params-bad", "  step: 1.5X", "field 'step'"),
    field("models-batch-size-zero", "  batch_size: 0", "field 'batch_size': expected a whole number ≥ 1, or auto, "
                                                     "got a number 0"),
    field("models-batch-size-negative", "  batch_size: -3", "field 'batch_size': expected a whole number ≥ 1"),
    field("models-batch-size-word", "  batch_size: big", "field 'batch_size': expected a whole number ≥ 1, or auto, "
                                                       "got a string 'big'"),
    field("models-concurrency-zero", "  concurrency: 0", "field 'concurrency': expected a whole number from 1 to 1024"),
    field("models-concurrency-word", "  concurrency: many", "field 'concurrency': expected a whole number"),
    field("models-timeout-negative", "  timeout: -1", "field 'timeout': expected a number of seconds > 0, got a "
                                                     "number -1"),
    field("models-timeout-word", "  timeout: soon", "field 'timeout': expected a number of seconds > 0"),
    field("models-max-retries-negative", "  max_retries: -1", "field 'max_retries': expected a whole number from 0"),
    field("models-max-retries-fraction", "  max_retries: 2.5", "field 'max_retries': expected a whole number"),
    field("models-trust-remote-code-quoted", '  trust_remote_code: "false"',
          "field 'trust_remote_code': expected true or false (unquoted), got a string 'false'"),
    field("models-api-key-pasted", f"  api_key_env: {PASTED_KEY}",
          "field 'api_key_env': expected the name of an environment variable", never=(PASTED_KEY,)),
    field("models-base-url-no-scheme", "  base_url: localhost:8000/v1",
          "field 'base_url': expected an http:// or https:// address"),
    field("models-revision-a-number", "  revision: 1.0", "field 'revision': expected a string, got a number 1.0 "
                                                       '(write it in quotes: "1.0")'),
    field("models-traits-a-number", "  traits: 3", "field 'traits' must be a list of words"),
    models("models-unknown-backend", ("model 'bad': unknown backend 'nope'; available: echo, hf, openai, replay",),
           ECHO_MODEL + "- name: bad\n  backend: nope\n"),
    models("models-replay-missing", ("model 'bad': replay file missing.jsonl does not exist",),
           ECHO_MODEL + "- name: bad\n  backend: replay\n  path: missing.jsonl\n"),
    models("models-openai-no-url", ("model 'bad': the openai backend needs 'base_url' and 'model'",),
           ECHO_MODEL + "- name: bad\n  backend: openai\n", then="errors"),
    # -- options --------------------------------------------------------------------------------------
    option("batch-size-negative", ("--emergent-batch-size (ini emergent_batch_size): expected 'auto' or a whole "
                                   "number ≥ 1, got '-3'",), "--emergent-batch-size=-3"),
    option("batch-size-zero", ("--emergent-batch-size", "got '0'"), "--emergent-batch-size=0"),
    option("batch-size-word", ("--emergent-batch-size", "got 'lots'"), "--emergent-batch-size=lots"),
    option("alpha-above-one", ("--emergent-alpha (ini emergent_alpha) must be a level between 0 and 1, got '2'",),
           "--emergent-alpha=2"),
    option("alpha-a-word", ("--emergent-alpha", "got 'high'"), "--emergent-alpha=high"),
    option("correction-unknown", ("--emergent-correction", "invalid choice: 'bonferroni'"),
           "--emergent-correction=bonferroni"),
    option("baseline-unknown", ("--emergent-baseline:", "'nope' is not a run"), "--emergent-baseline=nope"),
    option("baseline-without-ledger", ("--emergent-baseline nope compares with a run of the ledger, and "
                                       "--emergent-no-ledger turns the ledger off",),
           "--emergent-baseline=nope", "--emergent-no-ledger"),
    option("model-unknown", ("unknown model 'ech' (did you mean 'echo'?)",), "--emergent-model=ech"),
    option("model-spec-empty", ("model spec 'hf:': expected 'hf:PATH'",), "--emergent-model=hf:"),
    option("model-spec-openai-no-model", ("model spec 'openai:http://x': expected 'openai:BASE_URL#MODEL'",),
           "--emergent-model=openai:http://x"),
    option("model-spec-unknown-kind", ("unknown kind 'hg'; expected hf, gguf, vllm, openai or replay",),
           "--emergent-model=hg:gpt2"),
    option("models-file-missing", ("models file", "missing.yaml does not exist"),
           "--emergent-models-file=missing.yaml"),
    option("json-is-a-folder", ("--emergent-json (ini emergent_json)", "cannot be written: it is a folder; name a file"),
           "--emergent-json=capability_specs"),
    option("record-is-a-folder", ("--emergent-record (ini emergent_record)", "it is a folder"),
           "--emergent-record=capability_specs"),
    option("html-under-a-file", ("--emergent-html", "test_valid.py is a file, so no folder can be made there"),
           "--emergent-html=test_valid.py/report.html"),
    option("ledger-is-a-file", ("--emergent-ledger (ini emergent_ledger)", "it is a file, not a folder"),
           "--emergent-ledger=test_valid.py"),
    option("path-option-without-equals", ("partly from the value of --emergent-ledger", "write --emergent-ledger="),
           "--emergent-ledger", "{outside}"),
    option("json-read-only", ("--emergent-json", "is not writable (read-only file system or permissions)"),
           "--emergent-json={ro}/run.json", needs="mount"),
    option("record-read-only", ("--emergent-record", "is not writable"), "--emergent-record={ro}/rec.jsonl",
           needs="mount"),
    option("md-read-only", ("--emergent-md", "is not writable"), "--emergent-md={ro}/run.md", needs="mount"),
    option("ledger-read-only", ("--emergent-ledger", "is not writable"), "--emergent-ledger={ro}/ledger",
           needs="mount"),
    option("default-ledger-read-only", ("ledger", ".emergent: cannot be written (Read-only file system); the run is "
                                        "not recorded, the other outputs are written",),
           "--emergent-md=out/run.md", then="unrecorded", needs="ro-ledger"),
    option("ledger-disk-full", ("ledger", "cannot be written (No space left on device); the run is not recorded",),
           "--emergent-ledger={full}/ledger", "--emergent-md=out/run.md", then="unrecorded", needs="full"),
    option("record-disk-full", ("recording", "rec.jsonl: cannot be written (No space left on device); it is "
                                "incomplete from here, the run goes on",),
           "--emergent-record={full}/rec.jsonl", then="runs", needs="full"),
    option("json-disk-full", ("JSON report", "run.json: cannot be written (No space left on device); the other "
                              "outputs are written",),
           "--emergent-json={full}/run.json", "--emergent-md=out/run.md", then="runs-no-json", needs="full"),
    # -- ini keys -------------------------------------------------------------------------------------
    ini("ini-tier-bad", ("emergent_tiers: tier 'big' params: cannot read '1.5X'",), "emergent_tiers = big = 1.5X"),
    ini("ini-batch-size-zero", ("ini emergent_batch_size", "got '0'"), "emergent_batch_size = 0"),
    ini("ini-alpha-bad", ("ini emergent_alpha", "got '1.5'"), "emergent_alpha = 1.5"),
    ini("ini-strict-maybe", ("ini emergent_strict: invalid truth value 'maybe'; write true or false",),
        "emergent_strict = maybe"),
    ini("ini-no-ledger-word", ("ini emergent_no_ledger: invalid truth value", "write true or false"),
        "emergent_no_ledger = never"),
    ini("ini-data-outside-word", ("ini emergent_specs_data_outside_rootdir", "write true or false"),
        "emergent_specs_data_outside_rootdir = sure"),
    ini("ini-model-unknown", ("unknown model 'ech' (did you mean 'echo'?)",), "emergent_models = ech"),
    ini("ini-json-a-folder", ("--emergent-json (ini emergent_json)", "it is a folder"), "emergent_json = capability_specs"),
    ini("ini-correction-unknown", ("--emergent-correction (ini emergent_correction) must be one of holm, bh, none",),
        "emergent_correction = bonferroni"),
    # -- environment variables ------------------------------------------------------------------------
    env("env-models-unknown", ("unknown model 'ech' (did you mean 'echo'?)",), {"EMERGENT_MODELS": "ech"}),
    env("env-cache-a-file", ("response cache", "test_valid.py"), {"EMERGENT_CACHE": "test_valid.py"}, then="runs"),
    env("env-cache-corrupt", ("response cache", "responses.sqlite"), {"EMERGENT_CACHE": "cache"}, then="runs",
        files={"cache/responses.sqlite": b"this is not a database" * 100}),
    env("env-cache-disk-full", ("response cache", "cannot be used (database or disk is full); running without a cache"), {"EMERGENT_CACHE": "{full}/cache"},
        then="runs", needs="full"),
    env("env-home-a-file", ("response cache", "test_valid.py/responses", "Not a directory"),
        {"EMERGENT_CACHE": "", "EMERGENT_HOME": "{root}/test_valid.py"}, then="runs"),
    env("env-api-key-unset", ("model 'bad': environment variable MATRIX_UNSET_KEY (api_key_env) is not set",),
        {}, then="errors",
        files={MODELS: ECHO_MODEL + "- name: bad\n  backend: openai\n  base_url: {server}/ok/v1\n  model: m\n"
                                    "  api_key_env: MATRIX_UNSET_KEY\n"}),
]
