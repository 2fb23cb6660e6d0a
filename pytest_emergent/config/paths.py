"""Where pytest-emergent keeps files it derives (assembled GGUF files, dequantised copies)."""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    """`$EMERGENT_HOME`, else `$XDG_CACHE_HOME/pytest-emergent`, else `~/.cache/pytest-emergent`."""
    if os.environ.get("EMERGENT_HOME"):
        return Path(os.environ["EMERGENT_HOME"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pytest-emergent"


# The session's response cache folder (None: off), set by the plugin; graders that cache their
# own derived data (embeddings) keep it there too.
session_cache: dict[str, Path | None] = {}
