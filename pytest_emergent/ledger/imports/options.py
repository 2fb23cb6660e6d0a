"""The import command's own spellings, read into ImportOptions values: `--chance`, `--metric-range`,
`--average`, and which files a list of files, folders and a manifest stands for.

Each raises ValueError with a message that quotes the option as typed, for one line of error.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .manifest import Manifest


def parse_chances(values: Iterable[str]) -> tuple[tuple[str, float], ...]:
    """`--chance 0.25` (every task) or `--chance 'hendrycksTest-*=0.25'`."""
    out = []
    for value in values:
        pattern, _, level = value.rpartition("=")
        try:
            out.append((pattern or "*", float(level)))
        except ValueError:
            raise ValueError(f"--chance {value}: expected a level (0.25) or TASK_GLOB=LEVEL") from None
    return tuple(out)


def parse_metric_range(value: str | None) -> tuple[float, float] | None:
    """`--metric-range 0:100`."""
    if value is None:
        return None
    low, _, high = value.partition(":")
    try:
        return float(low), float(high)
    except ValueError:
        raise ValueError(f"--metric-range {value}: expected LOW:HIGH, e.g. 0:100") from None


def parse_averages(values: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """`--average mmlu='hendrycksTest-*'`."""
    out = []
    for value in values:
        name, sep, pattern = value.partition("=")
        if not sep or not name or not pattern:
            raise ValueError(f"--average {value}: expected NAME=TASK_GLOB, e.g. mmlu='hendrycksTest-*'")
        out.append((name, pattern))
    return tuple(out)


def expand_paths(given: Iterable[str], manifest: Manifest | None) -> list[Path]:
    """The files to import: those given (a folder: every .json under it), else the manifest's."""
    given = list(given)
    if not given:
        if manifest is None:
            raise ValueError("name the files (or folders) to import, or a --manifest that lists them")
        return manifest.files()
    paths: list[Path] = []
    for path in map(Path, given):
        if path.is_dir():
            found = sorted(path.rglob("*.json"))
            if not found:
                raise ValueError(f"{path}: a folder with no .json file under it")
            paths += found
        else:
            paths.append(path)
    return list(dict.fromkeys(paths))
