"""Rows of the bad-input matrix: YAML spec files, their data files (JSONL, CSV, BIG-bench task.json),
templates and graders. Each broken file is that file's one error; the valid spec and test still run."""

from __future__ import annotations

import json

from badinput.harness import Row

BAD = "capability_specs/bad.yaml"
GRADERS = "capability_specs/graders.py"
GOOD_EXAMPLE = {"input": "1 + 1 =", "target": "2"}
FIELDS = {"id": "x", "description": "d", "prompt": '"{{ w }}"', "examples": "[{w: a}]", "expected": "a"}


def entry(**changes: str | None) -> str:
    """One spec entry: id (line 1), description, prompt, examples, expected (line 5), then the rest in
    the order given; a field set to None is left out."""
    fields = {**FIELDS, **changes}
    return "- " + "\n  ".join(f"{k}: {v}" for k, v in fields.items() if v is not None) + "\n"


def spec(id: str, says: tuple[str, ...], text: str, grader: str | None = None) -> Row:
    """The bad spec file, and the `graders.py` beside it when given."""
    return Row(id, "spec", says, files={BAD: text, **({GRADERS: grader} if grader is not None else {})})


def data(id: str, says: tuple[str, ...], name: str, content: str | bytes, **changes: str | None) -> Row:
    return Row(id, "data", says, files={BAD: entry(examples=None, data=f"data/{name}", **changes),
                                         f"capability_specs/data/{name}": content})


def task(id: str, says: tuple[str, ...], value: dict) -> Row:
    return Row(id, "bigbench", says, files={BAD: entry(examples=None, expected=None, prompt=None, data="task.json"),
                                             "capability_specs/task.json": json.dumps(value)})


def _alias_bomb() -> str:
    lines = entry(examples=None) + "  examples:\n  - w: a\n    l0: &a0 [x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 9):
        lines += f"    l{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n"
    return lines



ROWS = [
    # -- the file itself ----------------------------------------------------------------------------
    spec("yaml-syntax", ("bad.yaml:3: invalid YAML: while parsing a flow sequence",), "- id: x\n  description: [unclosed\n"),
    spec("yaml-tab-indent", ("bad.yaml:2", "invalid YAML"), "- id: x\n\tdescription: d\n"),
    spec("empty-file", ("bad.yaml", "expected a list of capability entries"), ""),
    spec("a-map-not-a-list", ("bad.yaml", "expected a list of capability entries (or {capabilities: [...]})"),
         "id: x\ndescription: d\n"),
    spec("entry-not-a-map", ("bad.yaml:1", "entry 0: expected a map with id, description"), "- just words\n"),
    spec("not-utf8", ("bad.yaml", "cannot read the file"), b"- id: x\n  description: \xff\xfe\n"),
    spec("alias-bomb", ("bad.yaml", "aliases expand to", "more than 1,000,000"), _alias_bomb()),
    spec("nested-too-deeply", ("bad.yaml", "nested too deeply"),
         entry(examples="[" * 3000 + "]" * 3000)),
    spec("duplicate-key", ("bad.yaml:2", "duplicate key 'id'"), "- id: x\n  id: y\n  description: d\n"),
    # -- fields ---------------------------------------------------------------------------------------
    spec("unknown-field", ("bad.yaml:6: entry 'x': field 'promt': unknown field (did you mean 'prompt'?)",),
         entry(promt="p")),
    spec("missing-description", ("entry 'x': field 'description': missing; it is required",),
         entry(description=None)),
    spec("blank-description", ("field 'description': expected a description that says what is tested",),
         entry(description='" "')),
    spec("id-with-space", ("field 'id': expected letters, digits", "got 'a b'"), entry(id='"a b"')),
    spec("duplicate-id-in-file", ("entry 'x': field 'id': duplicate id; first used by entry 0",),
         entry() + entry()),
    Row("duplicate-id-across-files", "spec", ("zz.yaml:1: entry 'valid/echo': field 'id': duplicate id; first used in "
                                              "capability_specs/valid.yaml",),
        files={"capability_specs/zz.yaml": entry(id="valid/echo")}),
    spec("threshold-above-one", ("field 'threshold': expected a pass rate between 0 and 1, got 1.5",),
         entry(threshold="1.5")),
    spec("threshold-a-word", ("field 'threshold': expected a pass rate like 0.8, or {tau: 0.25}", "'high'"),
         entry(threshold="high")),
    spec("threshold-tau-zero", ("field 'threshold': expected {tau: T} or {tau: T, chance: C}: T in (0, 1]",),
         entry(threshold="{tau: 0}")),
    spec("shots-negative", ("field 'shots': expected a whole number ≥ 0, got -1",), entry(shots="-1")),
    spec("max-new-tokens-zero", ("field 'max_new_tokens': expected a whole number ≥ 1, got 0",),
         entry(max_new_tokens="0")),
    spec("unknown-format", ("field 'formats': unknown format 'chat'; expected qa, t5, instruct, raw",),
         entry(formats="[chat]")),
    spec("format-twice", ("field 'formats': a format is listed twice",), entry(formats="[qa, qa]")),
    spec("stop-empty-string", ("field 'stop': expected a non-empty string or a list of them",), entry(stop='[""]')),
    spec("scale-bad-suffix", ("field 'requires_scale':", "1.5X", "'135M', '1.5B'"), entry(requires_scale="1.5X")),
    spec("scale-unknown-dimension", ("field 'requires_scale': unknown dimension 'param'; expected params",),
         entry(requires_scale="{param: 1B}")),
    spec("traits-a-word", ("field 'requires_traits': expected a list, got a string 'instruct'",),
         entry(requires_traits="instruct")),
    spec("t5-without-prefix", ("field 't5_prefix': the t5 format needs a task prefix",), entry(formats="[t5]")),
    spec("normalize-unknown", ("field 'normalize': unknown option 'lowercase'", "ignore_case"),
         entry(normalize="{lowercase: true}")),
    # -- cases ----------------------------------------------------------------------------------------
    spec("two-sources", ("give exactly one source of cases: examples, data or generate (found examples, data)",),
         entry(data="x.jsonl")),
    spec("no-source", ("give exactly one source of cases",), entry(examples=None)),
    spec("examples-empty", ("field 'examples': expected a non-empty list of maps",), entry(examples="[]")),
    spec("example-not-a-map", ("field 'examples': item 0: expected a map of template variables",),
         entry(examples="[a]")),
    spec("count-zero", ("field 'count': expected a whole number ≥ 1, got 0",), entry(count="0")),
    spec("count-a-word", ("field 'count': expected a whole number, got a string 'many'",), entry(count="many")),
    spec("generate-unknown-strategy", ("field 'generate': a: unknown strategy 'integer'", "integers"),
         entry(examples=None, prompt='"{{ a }}"', expected='"{{ a }}"', generate="{a: {integer: [1, 9]}}")),
    spec("generate-min-above-max", ("field 'generate': a.integers: min 9 is greater than max 1",),
         entry(examples=None, prompt='"{{ a }}"', expected='"{{ a }}"', generate="{a: {integers: [9, 1]}}")),
    spec("generate-huge-count", ("field 'count': 100000000 cases: at most 1000 can be drawn for one entry",
                                 "keep more cases in a data: file"),
         entry(examples=None, prompt='"{{ a }}"', expected='"{{ a }}"', generate="{a: {integers: [0, 1000000000]}}",
               count="100000000")),
    # -- templates ------------------------------------------------------------------------------------
    spec("template-undefined", ("bad.yaml:4: entry 'x': field 'prompt': case 0: template error: 'b' is undefined",),
         entry(prompt='"{{ b }}"')),
    spec("template-syntax", ("field 'prompt': template error",), entry(prompt='"{{ w + }}"')),
    spec("template-sandbox-escape", ("field 'prompt': case 0: template error", "unsafe"),
         entry(prompt="\"{{ w.__class__.__mro__ }}\"")),
    spec("template-huge-repeat", ("field 'prompt': case 0: template error: repeating 1 items 1000000000 times",),
         entry(prompt="\"{{ w * 1000000000 }}\"")),
    spec("template-huge-power", ("field 'prompt': case 0: template error: 2 ** 100000000: an exponent above",),
         entry(prompt='"{{ 2 ** 100000000 }}"')),
    # -- checks ---------------------------------------------------------------------------------------
    spec("unknown-check", ("field 'check': unknown check 'exakt'", "did you mean 'exact'"), entry(check="exakt")),
    spec("unknown-check-option", ("unknown option 'tol' of check 'number'", "tolerance"),
         entry(check="{type: number, tol: 1}")),
    spec("check-option-type", ("field 'check': number.tolerance: expected a number, got a string 'big'",),
         entry(check="{type: number, tolerance: big}")),
    spec("regex-without-pattern", ("field 'check': check 'regex' needs option 'pattern'",), entry(check="regex")),
    spec("regex-does-not-compile", ("field 'check': regex.pattern '(a' is not a regular expression: missing ) at "
                                    "position 2",),
         entry(check="{type: regex, pattern: '(a'}")),
    spec("regex-bad-for-one-case", ("bad.yaml", "field 'check': case 1: regex.pattern '[' is not a regular expression"),
         entry(examples="[{w: a}, {w: '['}]", check="{type: regex, pattern: '{{ w }}'}")),
    Row("regex-catastrophic-backtracking", "spec", ("/(a|aa)+$/ took more than 1 s on", "simplify the pattern"),
        files={BAD: entry(examples="[{w: " + "a" * 40 + "!}]", check="{type: regex, pattern: '(a|aa)+$'}",
                          expected=None, prompt='"{{ w }}"')}, expect={"x@echo": "fail"}),
    spec("choice-without-choices", ("field 'choices': the choice check needs choices",), entry(check="choice")),
    spec("expected-not-a-choice", ("field 'expected': case 0: the expected answer 'c' is not one of the choices",),
         entry(expected="c", choices="[a, b]")),
    spec("python-not-module-function", ("field 'check': python.function: expected 'module:function', got 'graders'",),
         entry(check="{type: python, function: graders}")),
    spec("python-module-missing", ("field 'check': python.function: module 'nograders' not found: no nograders.py "
                                   "beside the spec file",),
         entry(check="{type: python, function: 'nograders:grade'}")),
    spec("python-syntax-error", ("field 'check': python.function: importing", "graders.py failed: SyntaxError"),
         entry(check="{type: python, function: 'graders:grade'}"), grader="def grade(:\n"),
    spec("python-import-raises", ("python.function: importing", "failed: RuntimeError: no GPU here"),
         entry(check="{type: python, function: 'graders:grade'}"),
         grader="raise RuntimeError('no GPU here')\n"),
    spec("python-import-exits", ("python.function: importing", "failed: SystemExit"),
         entry(check="{type: python, function: 'graders:grade'}"),
         grader="import sys\nsys.exit(3)\n"),
    spec("python-function-missing", ("python.function: graders has no function 'grade'; its functions: judge",),
         entry(check="{type: python, function: 'graders:grade'}"),
         grader="def judge(output, case):\n    return True\n"),
    spec("python-wrong-signature", ("python.function: graders:grade must accept two arguments (output, case)",),
         entry(check="{type: python, function: 'graders:grade'}"),
         grader="def grade(output):\n    return True\n"),
    # -- data files -----------------------------------------------------------------------------------
    spec("data-missing", ("field 'data': data file data/cases.jsonl not found",),
         entry(examples=None, data="data/cases.jsonl")),
    data("data-unknown-kind", ("field 'data': data/cases.tsv: unknown kind of file; expected .jsonl, .csv, .json or .txt",),
         "cases.tsv", "w\ta\n"),
    data("data-prompt-file-without-exemplars", ("field 'data': data/cases.txt: no 'Q: …' / 'A: …' exemplar found",),
         "cases.txt", "w\na\n"),
    spec("data-not-a-string", ("field 'data': expected a path (relative to the spec file)",),
         entry(examples=None, data="3")),
    data("jsonl-bad-line", ("field 'data': cases.jsonl line 2: not JSON",), "cases.jsonl", '{"w": "a"}\n{"w": \n'),
    data("jsonl-not-an-object", ("field 'data': cases.jsonl line 1: expected a JSON object per line",),
         "cases.jsonl", '["a"]\n'),
    data("jsonl-empty", ("field 'data': data/cases.jsonl: expected at least one row",), "cases.jsonl", "\n"),
    data("jsonl-deep", ("field 'data': cases.jsonl line 1: not JSON",), "cases.jsonl", "[" * 100000 + "]" * 100000),
    data("csv-header-only", ("field 'data': data/cases.csv: expected at least one row",), "cases.csv", "w\n"),
    data("csv-not-utf8", ("field 'data': data/cases.csv: cannot read",), "cases.csv", b"w\n\xff\xfe\n"),
    data("json-list-of-numbers", ("field 'data': data/cases.json: expected at least one row, each a map",),
         "cases.json", "[1, 2]"),
    data("json-a-number", ("field 'data': data/cases.json: expected a BIG-bench task (an object with 'examples') "
                           "or a list",), "cases.json", "3"),
    data("json-deep", ("field 'data': data/cases.json: cannot read",), "cases.json", "[" * 100000 + "]" * 100000),
    data("data-column-missing", ("field 'prompt': case 0: template error: 'w' is undefined",), "cases.jsonl",
         '{"word": "a"}\n'),
    Row("data-outside-rootdir", "data", ("field 'data': data file", "is outside the rootdir",
                                         "set the ini key emergent_specs_data_outside_rootdir = true"),
        files={BAD: entry(examples=None, data="{outside}/cases.jsonl")}),
    Row("data-symlink-out-of-rootdir", "data", ("field 'data': data file data/link.jsonl is outside the rootdir",),
        files={BAD: entry(examples=None, data="data/link.jsonl")}, needs="symlink"),
    # -- BIG-bench task files -------------------------------------------------------------------------
    task("bigbench-score-a-word", ("field 'data': task.json: examples[0].target_scores['yes']: expected a number",
                                   "got a string 'one'"),
         {"examples": [{"input": "q", "target_scores": {"yes": "one", "no": 0}}]}),
    task("bigbench-target-a-number", ("task.json: examples[1].target: expected a string or a list of strings, got a "
                                      'number 3 (write it as a string: "3")',),
         {"examples": [GOOD_EXAMPLE, {"input": "1 + 2 =", "target": 3}]}),
    task("bigbench-target-list-with-number", ("task.json: examples[0].target: expected a non-empty list of strings",),
         {"examples": [{"input": "q", "target": ["3", 3]}]}),
    task("bigbench-scores-a-list", ("task.json: examples[0].target_scores: expected an object of choice → score",),
         {"examples": [{"input": "q", "target_scores": [1, 0]}]}),
    task("bigbench-score-nan", ("task.json: examples[0].target_scores['yes']: expected a number", "nan"),
         {"examples": [{"input": "q", "target_scores": {"yes": float("nan"), "no": 0}}]}),
    task("bigbench-input-a-number", ("task.json: examples[0].input: expected a string, got a number 7",),
         {"examples": [{"input": 7, "target": "7"}]}),
    task("bigbench-no-target", ("task.json: examples[0]: has neither 'target' nor 'target_scores'",),
         {"examples": [{"input": "q"}]}),
    task("bigbench-no-examples", ("task.json: a BIG-bench task needs a non-empty 'examples' list",),
         {"name": "t", "examples": []}),
    task("bigbench-metrics-a-string", ("task.json: metrics: expected a list of metric names, got a string",),
         {"metrics": "exact_str_match", "examples": [GOOD_EXAMPLE]}),
    task("bigbench-prefix-a-number", ("task.json: task_prefix: expected a string, got a number 3",),
         {"task_prefix": 3, "examples": [GOOD_EXAMPLE]}),
    task("bigbench-preferred-score-a-list", ("task.json: preferred_score: expected a string, got a list",),
         {"preferred_score": [], "examples": [GOOD_EXAMPLE]}),
    task("bigbench-append-choices-a-word", ("task.json: append_choices_to_input: expected true or false",),
         {"append_choices_to_input": "no", "examples": [GOOD_EXAMPLE]}),
]
