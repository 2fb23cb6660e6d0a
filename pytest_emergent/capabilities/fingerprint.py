"""Fingerprints of capability definitions: what a capability measures, as a short hash.

A result carries the fingerprint of the definition it was measured with, so the ledger never
reads a changed definition (a raised threshold, other cases, an edited test) as a changed model.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from collections.abc import Iterable
from typing import Any


def digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def source_fingerprint(function: Any) -> str | None:
    """A Python capability's definition: its test function's source (None when it has none)."""
    try:
        return digest(inspect.getsource(function))
    except (OSError, TypeError):
        return None


def result_fingerprint(definition: str | None, case_ids: Iterable[str], threshold: float | None) -> str | None:
    """What one result measured: the definition, the cases it ran, and the threshold it passed at."""
    if definition is None:
        return None
    return digest([definition, sorted(case_ids), threshold])
