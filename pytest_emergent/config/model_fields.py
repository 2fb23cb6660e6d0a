"""Type and range checks of a models-file entry's fields, before any backend sees them.

A `batch_size: 0`, a `timeout: -1` or a `trust_remote_code: "false"` (a string, so true in
Python) would otherwise be taken silently or fail deep inside a backend; each is one error
naming the file, the model and the field.
"""

from __future__ import annotations

import math
import re
from typing import Any

TEXT_FIELDS = ("backend", "path", "gguf_file", "revision", "base_url", "model", "family", "dtype", "device")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _shown(value: Any) -> str:
    kind = {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list",
            dict: "a mapping", type(None): "nothing"}.get(type(value), type(value).__name__)
    return kind if value is None else f"{kind} {value!r:.40}"


def _range(low: int, high: int | None, value: Any) -> bool:
    return _whole(value) and value >= low and (high is None or value <= high)


# Field → (accepted, what is expected).
_OPTIONS: dict[str, tuple[Any, str]] = {
    "batch_size": (lambda v: v == "auto" or _range(1, None, v), "a whole number ≥ 1, or auto"),
    "concurrency": (lambda v: _range(1, 1024, v), "a whole number from 1 to 1024 (requests in flight)"),
    "max_retries": (lambda v: _range(0, 100, v), "a whole number from 0 to 100"),
    "timeout": (lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v > 0,
                "a number of seconds > 0"),
    "trust_remote_code": (lambda v: isinstance(v, bool), "true or false (unquoted)"),
}


def field_problem(entry: dict[str, Any]) -> str | None:
    """`field 'timeout': expected …, got …` for the first field of the wrong type or out of range, else None."""
    for key in TEXT_FIELDS:
        value = entry.get(key)
        if value is not None and not isinstance(value, str):
            hint = f' (write it in quotes: "{value}")' if isinstance(value, (int, float)) else ""
            return f"field {key!r}: expected a string, got {_shown(value)}{hint}"
    for key, (accepted, expected) in _OPTIONS.items():
        if key in entry and not accepted(entry[key]):
            return f"field {key!r}: expected {expected}, got {_shown(entry[key])}"
    key_env = entry.get("api_key_env")
    if key_env is not None and not (isinstance(key_env, str) and _ENV_NAME.match(key_env)):
        # Never echo it: a key pasted here by mistake must not reach a log.
        return ("field 'api_key_env': expected the name of an environment variable that holds the key "
                "(like OPENAI_API_KEY), not the key itself")
    base_url = entry.get("base_url")
    if base_url is not None and not re.match(r"https?://", base_url):
        return f"field 'base_url': expected an http:// or https:// address, got {base_url!r:.60}"
    return None
