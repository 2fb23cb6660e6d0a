"""Field-by-field checks of a BIG-bench `task.json` before its examples become cases.

Task files are written by hand and by other tools; a wrongly typed value (a number as `target`,
a word among `target_scores`) must be that spec file's error, naming the task file, the example
and the field, not a `TypeError` that stops the whole session.
"""

from __future__ import annotations

import math
from typing import Any

# Top-level fields read as text.
_STRING_FIELDS = ("task_prefix", "example_input_prefix", "example_output_prefix", "choice_prefix",
                  "preferred_score", "name", "description")


def _shown(value: Any) -> str:
    kind = {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list",
            dict: "an object", type(None): "null"}.get(type(value), type(value).__name__)
    text = repr(value)
    return kind if value is None else f"{kind} {text if len(text) <= 40 else text[:37] + '...'}"


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _example_problem(example: Any) -> str | None:
    """What is wrong with one example (`.field: why` or ` why`), or None."""
    if not isinstance(example, dict):
        return f": expected an object with 'input' and 'target' or 'target_scores', got {_shown(example)}"
    if not isinstance(example.get("input"), str):
        return f".input: expected a string, got {_shown(example.get('input'))}"
    if "target" not in example and "target_scores" not in example:
        return ": has neither 'target' nor 'target_scores'"
    if "target" in example:
        target = example["target"]
        if isinstance(target, list):
            if not target or not all(isinstance(t, str) for t in target):
                return f".target: expected a non-empty list of strings, got {_shown(target)}"
        elif not isinstance(target, str):
            hint = f' (write it as a string: "{target}")' if _number(target) else ""
            return f".target: expected a string or a list of strings, got {_shown(target)}{hint}"
    if "target_scores" in example:
        scores = example["target_scores"]
        if not isinstance(scores, dict) or not scores:
            return f".target_scores: expected an object of choice → score, got {_shown(scores)}"
        for choice, score in scores.items():
            if not _number(score):
                return f".target_scores[{choice!r}]: expected a number (1 for a right choice, 0 otherwise), " \
                       f"got {_shown(score)}"
    return None


def task_problem(task: dict[str, Any], name: str) -> str | None:
    """The first wrongly typed value, naming the file `name`, the example and the field; None when all read."""
    for key in _STRING_FIELDS:
        if key in task and task[key] is not None and not isinstance(task[key], str):
            return f"{name}: {key}: expected a string, got {_shown(task[key])}"
    metrics = task.get("metrics", [])
    if not isinstance(metrics, list) or not all(isinstance(m, str) for m in metrics):
        return f"{name}: metrics: expected a list of metric names, got {_shown(metrics)}"
    if "append_choices_to_input" in task and not isinstance(task["append_choices_to_input"], bool):
        return (f"{name}: append_choices_to_input: expected true or false, "
                f"got {_shown(task['append_choices_to_input'])}")
    examples = task.get("examples")
    if not isinstance(examples, list) or not examples:
        return f"{name}: a BIG-bench task needs a non-empty 'examples' list"
    for i, example in enumerate(examples):
        problem = _example_problem(example)
        if problem:
            return f"{name}: examples[{i}]{problem}"
    return None
