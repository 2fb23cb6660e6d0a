"""GitHub Actions annotations and JUnit properties: the change where CI tools look for it.

Annotations are workflow commands printed to stdout (`::error title=…::message`); GitHub
shows them on the run page and, with `file=`, beside the test in the diff. Their values must
escape `%`, CR and LF, and property values also `:` and `,`, or the command is cut short.
"""

from __future__ import annotations

import os
from typing import Any

from . import words

_LEVEL = {"regressed": "error", "dropped": "warning", "lit-up": "notice"}
_VERB = {"regressed": "regressed", "dropped": "dropped (still passing)", "lit-up": "lit up"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _file_of(nodeid: str) -> str | None:
    """The test file of a pytest node id (`tests/test_x.py::test_y[m]` → `tests/test_x.py`)."""
    path = nodeid.split("::", 1)[0] if "::" in nodeid else ""
    return path if path.endswith((".py", ".yaml", ".yml")) else None


def annotation(result: dict[str, Any]) -> str | None:
    """The workflow command for one result: an error when it regressed, a warning when it dropped
    significantly but still passes, a notice when it lit up; the evidence is in the message."""
    change = result.get("change") or ""
    level = _LEVEL.get(change)
    if level is None:
        return None
    verb = _VERB[change]
    now = f"{result['status']} {words.score(result)}".rstrip()
    message = f"{result['capability']} {verb} on {result['model']}: now {now}, was {words.baseline(result) or 'nothing'}"
    if result.get("change_note"):
        message += f". {result['change_note']}"
    title = f"{verb}: {result['capability']}"
    props = [f"title={_property(title)}"]
    path = _file_of(str(result.get("nodeid") or ""))
    if path:
        props.insert(0, f"file={_property(path)}")
    return f"::{level} {','.join(props)}::{_data(message)}"


def annotations(document: dict[str, Any]) -> list[str]:
    """Regressions first, then significant drops, then what lit up; one workflow command each."""
    results = document.get("results", [])
    ordered = [r for change in _LEVEL for r in results if r.get("change") == change]
    return [line for line in map(annotation, ordered) if line]


def in_github_actions(environ: dict[str, str] | None = None) -> bool:
    return (environ if environ is not None else os.environ).get("GITHUB_ACTIONS") == "true"


def junit_properties(result: dict[str, Any]) -> list[tuple[str, str]]:
    """`emergent_*` properties for a test case in JUnit XML; only the fields the result has."""
    props = [("emergent_capability", result.get("capability")), ("emergent_model", result.get("model")),
             ("emergent_status", result.get("status")), ("emergent_change", result.get("change")),
             ("emergent_score", result.get("score")), ("emergent_threshold", result.get("threshold"))]
    declared = result.get("declared") or {}
    props += [(f"emergent_declared_{dim}", declared.get(dim)) for dim in ("params", "tokens", "compute", "step")]
    scale = (result.get("model_header") or {}).get("scale") or {}
    props += [(f"emergent_model_{dim}", scale.get(dim)) for dim in ("params", "step")]
    base = result.get("baseline") or {}
    props += [("emergent_baseline_run", base.get("run_id")), ("emergent_baseline_model", base.get("model")),
              ("emergent_baseline_status", base.get("status")), ("emergent_change_note", result.get("change_note")),
              ("emergent_n", result.get("n")), ("emergent_interval", words.error_bar(result) or None),
              ("emergent_nondeterministic", result.get("nondeterministic") or None),
              ("emergent_p_adjusted", (result.get("significance") or {}).get("p_adjusted"))]
    props += [(f"emergent_metric_{k}", v) for k, v in sorted((result.get("metrics") or {}).items())
              if isinstance(v, (int, float, str)) and not isinstance(v, bool)]
    return [(name, _text(value)) for name, value in props if value is not None and value != ""]


def _text(value: Any) -> str:
    """Whole floats without `.0` (scales like 1.3e9 read `1300000000`), others as Python prints them."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e18:
        return str(int(value))
    return str(value)
