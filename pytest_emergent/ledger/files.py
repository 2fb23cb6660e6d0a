"""Ledger errors, warnings and the one way a ledger file is written: atomically.

A run killed halfway must never cost an earlier record, so every file goes to a temporary
name in the same folder, is flushed to disk, then renamed into place; readers ignore names
that start with a dot.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO


class LedgerError(Exception):
    """A ledger request that cannot be met; the message names the folder or the run."""


class LedgerWarning(UserWarning):
    """A ledger file (or part of one) that is not readable; it is skipped, never changed."""


def fsync_folder(folder: Path) -> None:
    """Make a rename itself durable (POSIX); harmless where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomically(final: Path, prefix: str, write: Callable[[IO[bytes]], None]) -> None:
    """Call `write` on a temporary file beside `final`, flush it to disk, rename it to `final`."""
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=final.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, final)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    fsync_folder(final.parent)
