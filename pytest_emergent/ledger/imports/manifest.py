"""A manifest: what results files do not say about their models, for a whole sweep at once.

Files of other harnesses often lack the exact size (a name says 160M of 162,322,944
parameters), the training step or the family. A manifest names, per file, its `model`,
`family`, `params`, `step` and `tokens`, so one `emergent import --manifest sizes.yaml`
imports a sweep with the right scale instead of one command per file:

```yaml
- file: opt/*.json            # relative to the manifest; a glob matches several files
  family: opt
- file: opt/opt-350m.json     # later entries override earlier ones, field by field
  params: 331196416
```

The same as CSV (`.csv`): a header row `file,model,family,params,step,tokens`, empty cells
meaning "not given". An entry that matches no file is an error naming it: nothing is dropped
without a word.
"""

from __future__ import annotations

import csv
import glob
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ...scale import ScaleError, parse_scale
from .common import ImportFormatError

FIELDS = ("file", "model", "family", "params", "step", "tokens")


@dataclass(frozen=True)
class Entry:
    pattern: str  # as written: a path or a glob, relative to the manifest
    where: str  # how an error names it: "entry 3 (file: opt/*.json)" or "line 4"
    values: dict[str, Any]  # model, family (str); params, step, tokens (float)
    files: tuple[Path, ...]  # the files it matches, resolved


@dataclass(frozen=True)
class Manifest:
    path: Path
    entries: tuple[Entry, ...]

    def files(self) -> list[Path]:
        """Every file some entry matches, in the order first matched."""
        return list(dict.fromkeys(f for e in self.entries for f in e.files))

    def values_for(self, file: Path) -> dict[str, Any]:
        """The fields the manifest gives `file`, later entries overriding earlier ones."""
        resolved, out = file.resolve(), {}
        for entry in self.entries:
            if resolved in entry.files:
                out.update(entry.values)
        return out


def _rows(path: Path) -> list[tuple[str, Any]]:
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(text.splitlines())
        unknown = [f for f in reader.fieldnames or [] if f not in FIELDS]
        if unknown or "file" not in (reader.fieldnames or []):
            raise ImportFormatError(f"manifest {path}: the header must name 'file' and any of {', '.join(FIELDS[1:])}; "
                                    f"got {', '.join(reader.fieldnames or [])}")
        return [(f"line {i}", {k: v for k, v in row.items() if v not in (None, "")})
                for i, row in enumerate(reader, start=2)]
    try:
        data = yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError) as exc:
        raise ImportFormatError(f"manifest {path}: not valid YAML ({exc or 'nested too deeply'})") from None
    if isinstance(data, dict) and set(data) == {"files"}:
        data = data["files"]
    if not isinstance(data, list):
        raise ImportFormatError(f"manifest {path}: expected a list of entries (file, model, family, params, step, "
                                "tokens)")
    return [(f"entry {i + 1}", row) for i, row in enumerate(data)]


def _value(field: str, raw: Any, where: str) -> Any:
    if field in ("model", "family"):
        if not isinstance(raw, str) or not raw.strip():
            raise ImportFormatError(f"{where}: {field}: expected a name, got {raw!r}")
        return raw.strip()
    try:
        return parse_scale(raw, what=field)
    except ScaleError as exc:
        raise ImportFormatError(f"{where}: {exc}") from None


def read_manifest(path: Path | str) -> Manifest:
    """Read and check a manifest; errors name the manifest, the entry and the field."""
    path = Path(path)
    try:
        rows = _rows(path)
    except OSError as exc:
        raise ImportFormatError(f"manifest {path}: cannot read it ({exc.strerror or exc})") from None
    entries = []
    for where, row in rows:
        if not isinstance(row, dict) or not isinstance(row.get("file"), str):
            raise ImportFormatError(f"manifest {path}, {where}: expected a map with a 'file' (a path or a glob)")
        where = f"manifest {path}, {where} (file: {row['file']})"
        unknown = sorted(str(k) for k in row if k not in FIELDS)
        if unknown:
            raise ImportFormatError(f"{where}: unknown field {', '.join(unknown)}; known: {', '.join(FIELDS)}")
        pattern = row["file"]
        matched = sorted(Path(p).resolve() for p in glob.glob(str(path.parent / pattern), recursive=True)
                         if Path(p).is_file())
        if not matched:
            raise ImportFormatError(f"{where}: no file matches it (paths are relative to the manifest)")
        values = {k: _value(k, v, where) for k, v in row.items() if k != "file"}
        entries.append(Entry(pattern, where, values, tuple(matched)))
    return Manifest(path, tuple(entries))
