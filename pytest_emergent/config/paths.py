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



def hub_cache() -> Path:
    """The Hugging Face hub cache folder (`$HF_HUB_CACHE`, else `$HF_HOME/hub`, else ~/.cache/huggingface/hub)."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"])
    return Path(os.environ.get("HF_HOME") or Path.home() / ".cache" / "huggingface") / "hub"


def in_hub_cache(repo_id: str) -> bool:
    """Whether the hub cache holds a snapshot folder of `repo_id` (`org/name`)."""
    return (hub_cache() / f"models--{repo_id.replace('/', '--')}").is_dir()


def looks_like_hub_id(text: str) -> bool:
    """`name` or `org/name` as the hub spells them; anything else is a local path."""
    parts = text.split("/")
    return 1 <= len(parts) <= 2 and all(p and p not in (".", "..") and not p.startswith("~")
                                        and all(c.isalnum() or c in "-_." for c in p) for p in parts)
