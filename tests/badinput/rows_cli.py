"""Rows of the bad-input matrix for the `emergent` command: arguments of every subcommand, files to
import, and ledgers holding bad records. A failure is one line `emergent CMD: error: ...` (exit 2);
a record that cannot be read is one warning and the command goes on (exit 0)."""

from __future__ import annotations

import json

from badinput.harness import Row
from badinput.rows_runtime import LEDGER, _record

LMEVAL = {"results": {"arc_easy": {"acc": 0.5, "acc_stderr": 0.01}}, "versions": {"arc_easy": 0},
          "config": {"model": "hf", "model_args": "pretrained=EleutherAI/pythia-160m"}}
BIGBENCH = {"model": {"model_family": "BIG-G", "model_name": "2b", "total_params": 2e9},
            "scores": [{"subtask_description": "x", "number_of_shots": 1, "preferred_score": "multiple_choice_grade",
                        "score_dict": {"multiple_choice_grade": 0.5}, "low_score": 0.25, "high_score": 1.0}]}


def cli(id: str, says: tuple[str, ...], *args: str, code: int = 2, files: dict | None = None) -> Row:
    """`emergent ARGS --ledger {ledger}` (the ledger holds one earlier record) in the row's folder."""
    return Row(id, "cli", says, then="cli", args=args, code=code, files=files or {})


def imported(id: str, says: tuple[str, ...], value, *args: str, code: int = 2) -> Row:
    text = value if isinstance(value, (str, bytes)) else json.dumps(value)
    return Row(id, "import", says, then="cli", args=("import", "results.json", *args), code=code,
               files={"results.json": text})


ROWS = [
    # -- arguments ------------------------------------------------------------------------------------
    cli("cli-no-command", ("the following arguments are required: command",)),
    cli("cli-unknown-command", ("invalid choice: 'hist'",), "hist"),
    cli("history-ledger-a-file", ("emergent history: error: ledger", "is a file, not a folder of run records",),
        "history", "--ledger", "afile", files={"afile": "x"}),
    cli("history-empty-ledger", ("emergent history: error: ledger", "no runs recorded (run pytest with "
                                 "--emergent-ledger, or emergent import)"), "history", "--ledger", "nothing"),
    cli("history-no-match", ("no results in the ledger match",), "history", "nothing/*", code=0),
    cli("runs-ledger-a-file", ("emergent runs: error: ledger", "is a file"), "runs", "--ledger", "afile",
        files={"afile": "x"}),
    cli("diff-unknown-run", ("emergent diff: error: ledger", "'nope' is not a run; known runs:"), "diff", "nope",
        "latest"),
    cli("diff-too-far-back", ("'latest~5' does not name a run (1 runs recorded)",), "diff", "latest~5", "latest"),
    cli("diff-report-not-json", ("emergent diff: error: a.json: cannot read it as JSON",), "diff", "a.json", "latest",
        files={"a.json": "{oops"}),
    cli("diff-report-not-a-run", ("emergent diff: error: a.json: not a run record: no integer 'schema_version'",),
        "diff", "a.json", "latest", files={"a.json": "{}"}),
    cli("diff-alpha-above-one", ("argument --alpha: expected a significance level between 0 and 1, got '2'",),
        "diff", "latest", "latest", "--alpha", "2"),
    cli("diff-correction-unknown", ("argument --correction: invalid choice: 'sidak'",), "diff", "latest", "latest",
        "--correction", "sidak"),
    cli("show-unknown-capability", ("emergent show: error: ledger", "no result of capability 'nothing'"),
        "show", "nothing"),
    cli("show-unknown-model", ("no result of capability 'fmt/json' on model 'nobody'",), "show", "fmt/json",
        "--model", "nobody"),
    cli("report-unknown-run", ("emergent report: error: ledger", "'nope' is not a run"), "report", "--run", "nope"),
    cli("report-md-a-folder", ("emergent report: error:", "Is a directory"), "report", "--md", "afolder",
        files={"afolder/x": "x"}),
    cli("report-empty-ledger", ("emergent report: error: ledger", "no runs recorded, nothing to report"),
        "report", "--ledger", "nothing"),
    cli("forecast-empty-ledger", ("no runs recorded, nothing to forecast",), "forecast", "--ledger", "nothing"),
    cli("forecast-scale-unknown", ("argument --scale: invalid choice: 'tokens'",), "forecast", "--scale", "tokens"),
    cli("forecast-method-unknown", ("argument --method: invalid choice: 'magic'",), "forecast", "--method", "magic"),
    cli("schema-unknown-argument", ("unrecognized arguments: --yaml",), "schema", "--yaml"),
    cli("cache-action-unknown", ("argument action: invalid choice: 'purge'",), "cache", "purge"),
    cli("cache-corrupt", ("emergent cache: error: response cache", "cannot be read", "`emergent cache clear` removes it"),
        "cache", "info", "--dir", "cache", files={"cache/responses.sqlite": b"not a database" * 100}),
    cli("models-file-bad-field", ("emergent models: error: models file", "entry 1 (m): field 'batch_size': expected "
                                  "a whole number ≥ 1"),
        "models", "--models-file", "m.yaml", files={"m.yaml": "- name: m\n  batch_size: 0\n"}),
    cli("models-command-file-missing", ("emergent models: error: models file", "missing.yaml: cannot read it"),
        "models", "--models-file", "missing.yaml"),
    # -- ledgers holding bad records: warned about, the command goes on -------------------------------
    cli("runs-bad-record", ("emergent runs: warning: ledger record", "skipped: cannot be read as JSON"), "runs",
        code=0, files={LEDGER: "{oops"}),
    cli("history-status-a-list", ("emergent history: warning: ledger record", "results[0] has unknown status []"),
        "history", code=0, files={LEDGER: _record(results__0__status=[])}),
    cli("report-scale-a-word", ("emergent report: warning:", "models[0].scale is 'big', not an object"), "report",
        code=0, files={LEDGER: _record(models__0__scale="big")}),
    cli("forecast-bad-record", ("emergent forecast: warning:", "results[0].change is [], not one of"), "forecast",
        code=0, files={LEDGER: _record(results__0__change=[])}),
    cli("show-cases-file-corrupt", ("emergent show: warning: ledger cases file", "skipped: cannot be read"),
        "show", "valid/echo", code=0,
        files={LEDGER: _record(), ".emergent/20250101T000000.000Z-bad000.cases.json.gz": b"not gzip"}),
    cli("show-run-id-escapes-the-ledger", ("emergent show: warning:", "run_id '../../outside' cannot name a file"),
        "show", "valid/echo", code=0, files={LEDGER: _record(run_id="../../outside")}),
    # -- files to import ------------------------------------------------------------------------------
    Row("import-missing-file", "import", ("emergent import: error:", "missing.json"), then="cli",
        args=("import", "missing.json")),
    imported("import-not-json", ("emergent import: error: results.json: not valid JSON",), "{oops"),
    imported("import-deep-json", ("emergent import: error: results.json: not valid JSON",), "[" * 100000 + "]" * 100000),
    imported("import-unknown-shape", ("results.json: neither an lm-evaluation-harness results file", "nor a BIG-bench "
                                      "scores file"), {"a": 1}),
    imported("import-no-tasks", ("results.json: 'results' holds no tasks",), {**LMEVAL, "results": {}}),
    imported("import-bigbench-no-score-dict", ("results.json: scores[0] has no 'score_dict' object",),
             {**BIGBENCH, "scores": [{"subtask_description": "x"}]}),
    imported("import-bigbench-preferred-score-a-list", ("results.json: BIG-G/2b", "→ run"),
             {**BIGBENCH, "scores": [{**BIGBENCH["scores"][0], "preferred_score": []}]}, code=0),
    imported("import-lmeval-huge-stderr", ("results.json: pythia-160m", "→ run"),
             {**LMEVAL, "results": {"arc_easy": {"acc": 0.5, "acc_stderr": 1e308}}}, "--average", "arc=arc_*", code=0),
    imported("import-params-bad", ("--params", "1.5X"), LMEVAL, "--params", "1.5X"),
    imported("import-chance-bad", ("--chance bad: expected a level (0.25) or TASK_GLOB=LEVEL",), LMEVAL,
             "--chance", "bad"),
    imported("import-metric-range-bad", ("--metric-range 5: expected LOW:HIGH, e.g. 0:100",), LMEVAL,
             "--metric-range", "5"),
    imported("import-threshold-a-word", ("argument --threshold: invalid float value: 'high'",), LMEVAL,
             "--threshold", "high"),
    imported("import-params-for-two-files", ("--params, --model and --step describe one file",), LMEVAL,
             "results.json", "--params", "1B"),
    Row("import-manifest-not-yaml", "import", ("emergent import: error: manifest", "m.yaml: not valid YAML"),
        then="cli", args=("import", "--manifest", "m.yaml"), files={"m.yaml": "- file: [x\n"}),
    Row("import-empty-folder", "import", ("emergent import: error:", "a folder with no .json file under it"),
        then="cli", args=("import", "empty"), files={"empty/readme.txt": "x"}),
    Row("import-nothing-named", "import", ("name the files (or folders) to import, or a --manifest",),
        then="cli", args=("import",)),
]
