"""Where cases come from: inline `examples`, `data` files (JSONL, CSV, BIG-bench task.json,
BIG-Bench Hard prompt files) and `generate` (Hypothesis strategies); the fixed few-shot exemplars
of `shots_from`; and which other cases each one is shown as few-shot examples otherwise.

Every source gives plain dicts of template variables, in a fixed order, so the same cases reach
every model on every run.
"""

from __future__ import annotations

import csv
import json
import random
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...checks.types import Check
from .bigbench_check import task_problem
from .strategies import build_generator

BIGBENCH_CHECKS = {"multiple_choice_grade": "choice", "exact_str_match": "exact"}


def computes(metric: str | None, check: Check) -> bool:
    """Whether `check` computes the task file's `metric` itself: exact_str_match is a case-sensitive
    exact match, multiple_choice_grade the option of highest (not per-token) log-likelihood."""
    if metric == "exact_str_match":
        return check.type == "exact" and not check.normalize.ignore_case
    if metric == "multiple_choice_grade":
        return check.type == "choice" and not check.options.get("length_normalize", False)
    return False


class CaseProblem(ValueError):
    """Cases that cannot be read; `field` is the spec field at fault."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class CaseSource:
    """The cases of an entry and what a BIG-bench task file says about itself."""

    cases: tuple[dict[str, Any], ...]
    bigbench: bool = False
    metric: str | None = None  # the task's own metric, when it names one we can grade
    prefix: str | None = None  # BIG-bench task_prefix
    input_prefix: str | None = None
    output_prefix: str | None = None
    lines: tuple[int | None, ...] = field(default=())  # the YAML line of each inline example


def _plain(value: Any) -> Any:
    """Marked YAML containers back to plain dicts and lists (templates see ordinary values)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def from_examples(examples: Any, field: str = "examples") -> CaseSource:
    if not isinstance(examples, list) or not examples:
        raise CaseProblem(field, "expected a non-empty list of maps of template variables")
    for i, example in enumerate(examples):
        if not isinstance(example, dict):
            raise CaseProblem(field, f"item {i}: expected a map of template variables, got {example!r}")
    lines = tuple(getattr(examples, "lines", [None] * len(examples)))
    return CaseSource(tuple(_plain(e) for e in examples), lines=lines)


def from_generate(generate: Any, count: int, seed: int) -> CaseSource:
    from ..draw import draw

    strategy = build_generator(generate)
    with warnings.catch_warnings():  # fewer distinct cases than asked is fine: a small space
        warnings.simplefilter("ignore")
        return CaseSource(tuple(draw(strategy, count, seed=seed)))


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise CaseProblem("data", f"{path.name} line {number}: not JSON: {getattr(exc, 'msg', 'nested too deeply')}") from None
        if not isinstance(row, dict):
            raise CaseProblem("data", f"{path.name} line {number}: expected a JSON object per line")
        rows.append(row)
    return rows


def _read_csv(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [dict(row) for row in csv.DictReader(handle)]


def _bigbench_example(example: Any, i: int, append_choices: bool) -> dict[str, Any]:
    if not isinstance(example, dict) or not isinstance(example.get("input"), str):
        raise CaseProblem("data", f"BIG-bench example {i}: expected an object with a string 'input'")
    case: dict[str, Any] = {"input": example["input"]}
    scores = example.get("target_scores")
    target = example.get("target")
    if isinstance(scores, dict) and scores:
        choices = list(scores)
        best = max(scores.values())
        case["choices"] = choices
        case["correct"] = [k for k, c in enumerate(choices) if scores[c] == best]
        case["target_scores"] = dict(scores)
        if append_choices:
            case["input"] += "".join(f"\n  choice: {c}" for c in choices)
    if target is not None:
        targets = [target] if isinstance(target, str) else [str(t) for t in target]
        case["targets"], case["target"] = targets, targets[0] if targets else ""
    elif "choices" in case:
        case["target"] = case["choices"][case["correct"][0]]
        case["targets"] = [case["target"]]
    else:
        raise CaseProblem("data", f"BIG-bench example {i}: has neither 'target' nor 'target_scores'")
    return case


def from_bigbench(task: dict[str, Any], path: Path) -> CaseSource:
    """A BIG-bench task.json: `examples` with `target` or `target_scores`, and its metric and prefixes."""
    problem = task_problem(task, path.name)
    if problem:
        raise CaseProblem("data", problem)
    examples = task["examples"]
    append = bool(task.get("append_choices_to_input", True))
    cases = tuple(_bigbench_example(e, i, append) for i, e in enumerate(examples))
    metrics = [m for m in task.get("metrics", []) if m in BIGBENCH_CHECKS]
    preferred = task.get("preferred_score")
    metric = preferred if preferred in BIGBENCH_CHECKS else (metrics[0] if metrics else None)
    if metric is None:  # BIG-Bench Hard files name no metric; their paper grades by exact match
        metric = "exact_str_match" if any("target" in e for e in examples) else "multiple_choice_grade"
    return CaseSource(cases, bigbench=True, metric=metric, prefix=task.get("task_prefix") or None,
                      input_prefix=task.get("example_input_prefix"), output_prefix=task.get("example_output_prefix"))


_CANARY_RULE = "\n-----\n"  # BIG-Bench Hard prompt files open with a canary line and this rule
_FINAL_ANSWER = re.compile(r"So the answer is (.+?)\.?\s*\Z", re.S)


def from_prompt_file(text: str, name: str, field: str = "data") -> CaseSource:
    """A BIG-Bench Hard prompt file (cot-prompts/<task>.txt): the task's description, then its
    exemplars as `Q: …\nA: …` blocks a blank line apart. Each exemplar gives `input`, `target`
    (the final answer: what follows "So the answer is", else the whole answer) and `reasoning`
    (the whole answer, its chain of thought); the description becomes the default `prefix`."""
    head, rule, rest = text.partition(_CANARY_RULE)
    body = (rest if rule and "\n" not in head.strip() else text).strip("\n")
    blocks = re.split(r"\n\n(?=Q: )", body)
    description = None if blocks[0].startswith("Q: ") else blocks.pop(0).strip()
    cases = []
    for k, block in enumerate(blocks):
        question, cue, answer = block.removeprefix("Q: ").partition("\nA: ")
        if not block.startswith("Q: ") or not cue:
            raise CaseProblem(field, f"{name}: exemplar {k}: expected 'Q: question' then a line 'A: answer'")
        final = _FINAL_ANSWER.search(answer)
        cases.append({"input": question, "target": (final.group(1) if final else answer).strip(), "reasoning": answer})
    if not cases:
        raise CaseProblem(field, f"{name}: no 'Q: …' / 'A: …' exemplar found")
    return CaseSource(tuple(cases), prefix=description or None)


def from_data(data: Any, base: Path, field: str = "data", root: Path | None = None) -> CaseSource:
    """Cases from a file named relative to `base`; `field` is the spec field that names it (data,
    or shots_from); the file must lie inside `root` unless that is None."""
    if not isinstance(data, str) or not data:
        raise CaseProblem(field, "expected a path (relative to the spec file) of a .jsonl, .csv, task .json "
                                 "or BIG-Bench Hard prompt .txt file")
    path = (base / data).resolve()
    if root is not None and not path.is_relative_to(root.resolve()):
        raise CaseProblem(field, f"{'data file' if field == 'data' else 'file'} {data} is outside the rootdir {root} (it resolves to {path}); move it "
                                  "inside, or set the ini key emergent_specs_data_outside_rootdir = true")
    if not path.is_file():
        raise CaseProblem(field, f"{'data file' if field == 'data' else 'file'} {data} not found (looked at {path})")
    suffix = path.suffix.lower()
    try:
        if suffix == ".txt":
            return from_prompt_file(path.read_text(encoding="utf-8"), data, field)
        if suffix == ".jsonl":
            rows = _read_jsonl(path)
        elif suffix == ".csv":
            rows = _read_csv(path)
        elif suffix == ".json":
            task = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(task, dict) and "examples" in task:
                return from_bigbench(task, path)
            if not isinstance(task, list):
                raise CaseProblem(field, f"{data}: expected a BIG-bench task (an object with 'examples') or a list")
            rows = task
        else:
            raise CaseProblem(field, f"{data}: unknown kind of file; expected .jsonl, .csv, .json or .txt")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError, csv.Error) as exc:
        raise CaseProblem(field, f"{data}: cannot read: {exc or 'nested too deeply'}") from None
    except CaseProblem as exc:  # a reader's problem, at the field that named the file
        raise CaseProblem(field, str(exc)) from None
    if not rows or not all(isinstance(r, dict) for r in rows):
        raise CaseProblem(field, f"{data}: expected at least one row, each a map of template variables")
    return CaseSource(tuple(rows))


def read_exemplars(value: Any, base: Path, root: Path | None = None) -> CaseSource:
    """`shots_from`: fixed few-shot exemplars, inline (a list of maps of template variables) or
    from a file (any `data` kind), shown in their order and never scored."""
    if isinstance(value, list):
        return from_examples(value, "shots_from")
    return from_data(value, base, "shots_from", root)


def choose_shots(prompts: list[str], shots: int, seed: int, key: str) -> tuple[tuple[int, ...], ...]:
    """For each case, `shots` other cases (never itself, nor one with the same prompt), fixed by seed and id."""
    if shots <= 0:
        return tuple(() for _ in prompts)
    out = []
    for i, prompt in enumerate(prompts):
        others = [j for j, p in enumerate(prompts) if j != i and p != prompt]
        rng = random.Random(f"{key}:{seed}:{i}")
        out.append(tuple(rng.sample(others, min(shots, len(others)))))
    return tuple(out)
