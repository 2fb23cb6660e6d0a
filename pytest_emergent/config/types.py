"""A configured model (`ModelConfig`) and the error a model that cannot be configured raises."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any


class ModelConfigError(Exception):
    """A model that cannot be configured or found; the message says how to fix it."""


@dataclass(frozen=True)
class ModelConfig:
    """One configured model, before it is loaded. `params=None` means: count from the weights."""

    name: str
    backend: str = "hf"
    path: str | None = None
    gguf_file: str | None = None
    revision: str | None = None
    base_url: str | None = None
    model: str | None = None
    family: str | None = None
    traits: tuple[str, ...] = ()
    params: float | None = None
    tokens: float | None = None
    compute: float | None = None
    step: float | None = None
    builtin: str | None = None
    options: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def header(self) -> dict[str, Any]:
        """The description of this model that goes into reports before it is loaded."""
        return {
            "name": self.name,
            "backend": self.backend,
            "family": self.family,
            "traits": list(self.traits),
            "location": self.gguf_file and os.path.join(self.path or "", self.gguf_file) or self.path or self.base_url,
        }
