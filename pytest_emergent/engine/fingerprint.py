"""Model fingerprints: what identifies a model's answers (weights, backend, dtype).

Weight files are hashed once and the hash remembered by (path, size, mtime) in the cache, so
later sessions fingerprint a model without reading its weights again.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..config import ModelConfig, locate
from .cache import ResponseCache

WEIGHT_SUFFIXES = (".safetensors", ".bin", ".gguf", ".pt", ".pth", ".json", ".model", ".txt", ".jinja")
CACHE_VERSION = 1  # bump when a backend's answers change for the same weights


def file_sha256(path: Path, cache: ResponseCache | None) -> str:
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if cache is not None and (known := cache.file_hash(*key)):
        return known
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    value = digest.hexdigest()
    if cache is not None:
        cache.put_file_hash(*key, value)
    return value


def weights_identity(spec: ModelConfig, cache: ResponseCache | None) -> str:
    if spec.backend == "openai" and not spec.options.get("serve"):  # a server it starts is known by its weights
        return f"openai:{spec.base_url}#{spec.model}"
    if spec.builtin:
        return "sha256:" + file_sha256(locate(spec.builtin), cache)
    location = Path(spec.path or "")
    if spec.gguf_file:
        return "sha256:" + file_sha256(location / spec.gguf_file, cache)
    if location.is_file():
        return "sha256:" + file_sha256(location, cache)
    if location.is_dir():
        files = sorted(p for p in location.rglob("*") if p.is_file() and p.suffix in WEIGHT_SUFFIXES)
        return "files:" + hashlib.sha256(
            json.dumps([[str(p.relative_to(location)), file_sha256(p, cache)] for p in files]).encode()).hexdigest()
    return f"hub:{spec.path}@{spec.revision or 'main'}"


def fingerprint(spec: ModelConfig, cache: ResponseCache | None) -> str:
    """A hash of everything that changes this model's answers."""
    parts = {
        "version": CACHE_VERSION,
        "backend": spec.backend,
        "weights": weights_identity(spec, cache),
        "dtype": str(spec.options.get("dtype", "float32")),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:32]
