"""Model configurations: spec strings, the models file, and the merged selection."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from ..hints import did_you_mean
from ..scale import ScaleError, parse_scale
from .builtin import builtin_models
from .model_fields import field_problem
from .recorded import with_recorded_identity
from .types import ModelConfig, ModelConfigError

# vllm engine fields, and those of an openai model whose vLLM server pytest-emergent starts and stops.
_VLLM_FIELDS = {"tensor_parallel_size", "max_model_len", "gpu_memory_utilization", "enforce_eager", "engine_args",
                "serve", "serve_python", "port", "startup_timeout"}
KNOWN_FIELDS = {
    "name", "backend", "path", "gguf_file", "revision", "base_url", "model", "family", "traits",
    "params", "tokens", "compute", "step", "dtype", "device", "batch_size", "trust_remote_code",
    "api_key_env", "concurrency", "timeout", "max_retries",
} | _VLLM_FIELDS
_OPTION_FIELDS = {"dtype", "device", "batch_size", "trust_remote_code", "api_key_env", "concurrency", "timeout",
                  "max_retries"} | _VLLM_FIELDS
_SCALE_FIELDS = ("params", "tokens", "compute", "step")


def parse_spec_string(text: str, builtins: dict[str, ModelConfig] | None = None) -> ModelConfig:
    """`hf:PATH[@REV]`, `gguf:FILE.gguf`, `vllm:PATH[@REV]`, `openai:BASE_URL#MODEL`, `replay:FILE` into a ModelConfig."""
    kind, sep, rest = text.partition(":")
    if not sep or not rest:
        raise ModelConfigError(f"model spec {text!r}: expected 'hf:PATH', 'gguf:FILE.gguf', 'vllm:PATH', "
                               "'openai:URL#MODEL' or 'replay:FILE'")
    if kind == "vllm":
        return _vllm_spec(rest, builtins if builtins is not None else builtin_models())
    if kind == "hf":
        location, _, revision = rest.partition("@")
        base = Path(location.rstrip("/")).name
        name = base + (f"@{revision}" if revision else "")
        # Revisions of one path are checkpoints of one family: the ledger compares them.
        return ModelConfig(name=name, backend="hf", path=location, revision=revision or None, family=base)
    if kind == "gguf":
        if not rest.endswith(".gguf"):
            raise ModelConfigError(f"model spec {text!r}: a gguf spec names a .gguf file")
        file = Path(rest)
        return ModelConfig(name=file.stem, backend="hf", path=str(file.parent), gguf_file=file.name)
    if kind == "openai":
        url, _, model = rest.partition("#")
        if not model:
            raise ModelConfigError(f"model spec {text!r}: expected 'openai:BASE_URL#MODEL' (the served model name after '#')")
        return ModelConfig(name=model, backend="openai", base_url=url, model=model)
    if kind == "replay":
        file, _, model = rest.partition("#")
        config = ModelConfig(name=model or Path(file).stem, backend="replay", path=file, model=model or None)
        return with_recorded_identity(config, set(), rename=True)
    raise ModelConfigError(f"model spec {text!r}: unknown kind {kind!r}; expected hf, gguf, vllm, openai or replay")


def _vllm_spec(rest: str, builtins: dict[str, ModelConfig]) -> ModelConfig:
    """`vllm:` + a built-in name (of `builtins`), a .gguf file, or what `hf:` takes (folder or hub
    id, `@REVISION`)."""
    if rest in builtins:
        return replace(builtins[rest], backend="vllm")
    if rest.endswith(".gguf"):
        return replace(parse_spec_string(f"gguf:{rest}"), backend="vllm")
    return replace(parse_spec_string(f"hf:{rest}"), backend="vllm")


def _scale_field(entry: dict, key: str, where: str) -> float | None:
    value = entry.get(key)
    if value is None or (key == "params" and value == "auto"):
        return None
    try:
        return parse_scale(value, what=f"{where}: field {key!r}")
    except ScaleError as exc:
        raise ModelConfigError(str(exc)) from None


def config_from_entry(entry: Any, where: str, base_dir: Path) -> ModelConfig:
    """One models-file entry into a config; `where` names the file and entry in errors."""
    if not isinstance(entry, dict):
        raise ModelConfigError(f"{where}: expected a mapping with at least 'name', got {type(entry).__name__}")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ModelConfigError(f"{where}: field 'name' is required (a string)")
    where = f"{where} ({name})"
    unknown = sorted(set(entry) - KNOWN_FIELDS)
    if unknown:
        raise ModelConfigError(f"{where}: unknown field {unknown[0]!r}{did_you_mean(str(unknown[0]), KNOWN_FIELDS)}; "
                               f"known fields: {', '.join(sorted(KNOWN_FIELDS))}")
    problem = field_problem(entry)
    if problem:
        raise ModelConfigError(f"{where}: {problem}")
    traits = entry.get("traits") or []
    if isinstance(traits, str):
        traits = [traits]
    if not isinstance(traits, list) or not all(isinstance(t, str) for t in traits):
        raise ModelConfigError(f"{where}: field 'traits' must be a list of words")
    path = entry.get("path")
    if path is not None and (entry.get("backend", "hf") in ("hf", "replay", "vllm") or entry.get("serve")):
        candidate = base_dir / str(path)
        path = str(candidate) if candidate.exists() else str(path)
    gguf_file = entry.get("gguf_file")
    if path is not None and gguf_file is None and str(path).endswith(".gguf"):
        path, gguf_file = str(Path(path).parent), Path(path).name  # a GGUF file named directly
    scales = {k: _scale_field(entry, k, where) for k in _SCALE_FIELDS}
    config = ModelConfig(
        name=name.strip(),
        backend=str(entry.get("backend", "hf")),
        path=path,
        gguf_file=gguf_file,
        revision=entry.get("revision"),
        base_url=entry.get("base_url"),
        model=entry.get("model"),
        family=entry.get("family"),
        traits=tuple(traits),
        options={k: entry[k] for k in _OPTION_FIELDS if k in entry},
        **scales,
    )
    if config.backend == "replay":
        given = {k for k in entry if entry[k] is not None and not (k == "params" and entry[k] == "auto")}
        config = with_recorded_identity(config, given, rename=False)
    return config


def load_models_file(path: Path) -> list[ModelConfig]:
    """Read a models file: a YAML list of models, or a mapping with a `models` list."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ModelConfigError(f"models file {path}: cannot read it ({exc.strerror})") from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise ModelConfigError(f"models file {path}: not valid YAML: {exc or 'nested too deeply'}") from None
    if isinstance(data, dict):
        data = data.get("models")
    if not isinstance(data, list):
        raise ModelConfigError(f"models file {path}: expected a list of models (or a 'models:' list)")
    configs = [config_from_entry(entry, f"models file {path}, entry {i + 1}", path.parent) for i, entry in enumerate(data)]
    seen: set[str] = set()
    for config in configs:
        if config.name in seen:
            raise ModelConfigError(f"models file {path}: model name {config.name!r} appears twice")
        seen.add(config.name)
    return configs


def split_selection(values: Iterable[str]) -> list[str]:
    """Flatten repeated / comma-separated selections, keeping order and dropping repeats."""
    out: list[str] = []
    for value in values:
        for part in str(value).replace("\n", ",").split(","):
            part = part.strip()
            if part and part not in out:
                out.append(part)
    return out


def select_models(
    selection: list[str],
    file_configs: list[ModelConfig],
    builtins: dict[str, ModelConfig],
    default: str,
) -> list[ModelConfig]:
    """Resolve selected names or spec strings; nothing selected means the models file, else `default`."""
    by_name = {**builtins, **{s.name: s for s in file_configs}}
    if not selection:
        return list(file_configs) if file_configs else [by_name[default]]
    configs: list[ModelConfig] = []
    for item in selection:
        if item in by_name:
            config = by_name[item]
        elif ":" in item:
            config = parse_spec_string(item, builtins)
        else:
            known = ", ".join(sorted(by_name))
            raise ModelConfigError(
                f"unknown model {item!r}{did_you_mean(item, by_name)}. Known names: {known}. "
                "Or give a spec string: hf:PATH_OR_HUB_ID[@REVISION], gguf:FILE.gguf, vllm:PATH_OR_HUB_ID, openai:BASE_URL#MODEL, "
                "replay:FILE"
            )
        if any(s.name == config.name for s in configs):
            config = replace(config, name=f"{config.name}-{len(configs)}")
        configs.append(config)
    return configs


def with_batch_size(configs: list[ModelConfig], batch_size: str | None) -> list[ModelConfig]:
    """Apply a session-wide batch size to the models that do not set their own."""
    if not batch_size:
        return configs
    value: int | str = batch_size if batch_size == "auto" else int(batch_size)
    return [c if "batch_size" in c.options else replace(c, options={**c.options, "batch_size": value}) for c in configs]
