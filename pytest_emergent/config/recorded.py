"""A replayed model is the model that was recorded: its name, family, traits and scale come from
the recording's header, so a replayed run gets the statuses and ledger rows of the real one."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

SCALE_FIELDS = ("params", "tokens", "compute", "step")


def recorded_headers(path: Path) -> dict[str, dict[str, Any]]:
    """{model name: header} of a recording; {} when it cannot be read (the backend says why)."""
    headers: dict[str, dict[str, Any]] = {}
    try:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if '"type": "model"' not in line:
                    continue
                try:
                    record = json.loads(line)
                except (ValueError, RecursionError):
                    continue
                if isinstance(record, dict) and record.get("type") == "model" and isinstance(record.get("model"), str):
                    headers[record["model"]] = record
    except (OSError, UnicodeDecodeError):
        return {}
    return headers


def with_recorded_identity(config: Any, given: set[str], rename: bool) -> Any:
    """`config` with what the recording knows of its model, except the fields in `given` (set in
    the models file). `rename`: take the recorded name too (a `replay:FILE` spec string)."""
    headers = recorded_headers(Path(config.path or ""))
    name = config.model or (next(iter(headers)) if len(headers) == 1 else config.name)
    header = headers.get(name)
    if header is None:
        return config
    scale = header.get("scale") or {}
    changes: dict[str, Any] = {"model": name}
    if rename:
        changes["name"] = name
    # A hand-edited header may hold anything: only values of the right type are taken.
    if "family" not in given and isinstance(header.get("family"), str) and header["family"]:
        changes["family"] = header["family"]
    traits = header.get("traits")
    if "traits" not in given and isinstance(traits, list) and traits and all(isinstance(t, str) for t in traits):
        changes["traits"] = tuple(traits)
    for key in SCALE_FIELDS:
        if key not in given and isinstance(scale, dict) and isinstance(scale.get(key), (int, float)) \
                and not isinstance(scale.get(key), bool):
            changes[key] = float(scale[key])
    return replace(config, **changes)
