"""Whether an output path can be written, asked before the run rather than found out after it.

A report path in a folder that cannot be written would otherwise fail only at the end of a long
run (or, for `--emergent-record`, as an internal error at its start); checked at configure time
it is one usage error naming the option and the path. A disk that fills up during the run is
still possible: each output at the end is then written on its own (`finish.py`).
"""

from __future__ import annotations

import os
from pathlib import Path


def _nearest_existing(path: Path) -> Path:
    for folder in (path, *path.parents):
        if os.path.lexists(folder):
            return folder
    return Path(path.anchor or ".")


def unwritable(path: Path, *, folder: bool = False) -> str | None:
    """Why `path` (a file, or a folder when `folder`) cannot be written or created, or None when it can."""
    if path.exists():
        if folder and not path.is_dir():
            return "it is a file, not a folder"
        if not folder and path.is_dir():
            return "it is a folder; name a file in it"
        if not os.access(path, os.W_OK | (os.X_OK if folder else 0)):
            return "it is not writable (read-only file system or permissions)"
        parent = path if folder else path.parent
    else:
        parent = _nearest_existing(path.parent)
        if not parent.is_dir():
            return f"{parent} is a file, so no folder can be made there"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"{parent} is not writable (read-only file system or permissions)"
    return None
