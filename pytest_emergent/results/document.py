"""The run document: the run header and one entry per (capability, model), as the JSON report and
the ledger keep it. Schema: docs/json-report.md."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from .records import SCHEMA_VERSION, ModelHeader, Result
from .summary import count_statuses, natural_key, ordered_models


def build_document(header: dict[str, Any], models: dict[str, ModelHeader], results: list[Result]) -> dict[str, Any]:
    order = {name: i for i, name in enumerate(ordered_models(models, results))}
    entries = sorted(results, key=lambda r: (natural_key(r.capability), order.get(r.model, 0), r.nodeid))
    return {
        "schema_version": SCHEMA_VERSION,
        **header,
        "models": [models[name].to_dict() for name in order if name in models],
        "summary": {status.value: n for status, n in count_statuses(results).items()},
        "results": [r.to_dict() for r in entries],
    }


def write_json(path: Path, document: dict[str, Any]) -> None:
    """Write atomically: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=2, sort_keys=False)
            handle.write("\n")
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
