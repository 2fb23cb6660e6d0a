"""Grading functions for the `python` check of the shipped specs: f(output, case) -> bool or float."""

from __future__ import annotations

import json
import re
from typing import Any


def json_person(output: str, case: dict[str, Any]) -> bool:
    """The first JSON object in the output has the asked name and age."""
    match = re.search(r"\{.*?\}", output, re.DOTALL)
    if not match:
        return False
    try:
        data = json.loads(match.group(0))
    except json.JSONDecodeError:
        return False
    return isinstance(data, dict) and str(data.get("name")) == str(case["name"]) and str(data.get("age")) == str(case["age"])
