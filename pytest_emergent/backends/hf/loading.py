"""Loading transformers models: local folders, GGUF files, hub ids from the local cache.

A GGUF file is dequantised by transformers at every load (20–60 s on a laptop CPU); the first
load saves the dequantised weights as safetensors under the cache folder, keyed by the file's
identity, so later sessions load in seconds.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from ...config import ModelConfig, locate
from ...config.paths import cache_root
from ...progress import quiet_library_bars
from ...progress import say as _say
from ..base import BackendError

_DTYPES = {"float32": "float32", "fp32": "float32", "bfloat16": "bfloat16", "bf16": "bfloat16",
           "float16": "float16", "fp16": "float16"}


def source_of(spec: ModelConfig) -> tuple[str, str | None]:
    """(folder or hub id, gguf file name or None) for a spec, built-ins located first."""
    if spec.builtin:
        file = locate(spec.builtin)
        return str(file.parent), file.name
    if not spec.path:
        raise BackendError(f"model {spec.name!r}: the hf backend needs 'path' (a folder, a hub id, or with gguf_file a folder)")
    if spec.gguf_file:
        file = Path(spec.path) / spec.gguf_file
        if not file.is_file():
            raise BackendError(f"model {spec.name!r}: GGUF file {file} does not exist")
        return spec.path, spec.gguf_file
    return spec.path, None


def dtype_of(spec: ModelConfig) -> Any:
    import torch

    name = str(spec.options.get("dtype", "float32"))
    if name not in _DTYPES:
        raise BackendError(f"model {spec.name!r}: dtype {name!r} unknown; use one of {', '.join(sorted(_DTYPES))}")
    return getattr(torch, _DTYPES[name])


def _dequant_dir(gguf_path: Path) -> Path:
    import transformers

    stat = gguf_path.stat()
    identity = f"{gguf_path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{transformers.__version__}"
    return cache_root() / "dequantised" / hashlib.sha256(identity.encode()).hexdigest()[:20]


def _save_dequantised(model: Any, tokenizer: Any, target: Path) -> None:
    """Save a GGUF-loaded model as safetensors; transformers refuses until the quantizer is cleared."""
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        model.hf_quantizer = None
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        try:
            os.rename(tmp, target)
        except OSError:  # another worker got there first
            pass
    except Exception as exc:  # a cache we cannot write only costs time
        _say(f"could not save a dequantised copy to {target}: {exc}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def load_model_and_tokenizer(spec: ModelConfig) -> tuple[Any, Any]:
    """Load (model, tokenizer) for a decoder-only spec, in eval mode, on the CPU or given device."""
    try:
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError as exc:
        raise BackendError(f"model {spec.name!r}: the hf backend needs torch and transformers ({exc}); "
                           "pip install 'pytest-emergent' installs them") from None
    location, gguf_file = source_of(spec)
    dtype = dtype_of(spec)
    trust = bool(spec.options.get("trust_remote_code", False))
    kwargs: dict[str, Any] = {"trust_remote_code": trust}
    if spec.revision:
        kwargs["revision"] = spec.revision
    started = time.perf_counter()
    cached = _dequant_dir(Path(location) / gguf_file) if gguf_file else None
    # transformers' progress bars (shards, GGUF dequantisation) would land in the captured output of
    # whichever test loads the model; the plugin says what it loads and how long it took instead.
    try:
        with quiet_library_bars():
            model, tokenizer = _load(spec, location, gguf_file, dtype, cached, kwargs)
    except (OSError, ValueError) as exc:
        raise BackendError(f"model {spec.name!r}: cannot load from {location}"
                           f"{' (' + gguf_file + ')' if gguf_file else ''}: {str(exc).splitlines()[0]}") from None
    model = model.to(device_of(spec)).eval()
    _say(f"loaded {spec.name} in {time.perf_counter() - started:.1f} s")
    return model, tokenizer


def _load(spec: ModelConfig, location: str, gguf_file: str | None, dtype: Any, cached: Path | None,
          kwargs: dict[str, Any]) -> tuple[Any, Any]:
    from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForSeq2SeqLM, AutoTokenizer

    if cached is not None and (cached / "config.json").is_file():
        return AutoModelForCausalLM.from_pretrained(cached, dtype=dtype), AutoTokenizer.from_pretrained(cached)
    if gguf_file:
        _say(f"loading {spec.name} from {gguf_file} (dequantising; the first load is slow, later ones use a cached copy)")
        tokenizer = AutoTokenizer.from_pretrained(location, gguf_file=gguf_file)
        model = AutoModelForCausalLM.from_pretrained(location, gguf_file=gguf_file, dtype=torch_float32())
        if cached is not None:
            _save_dequantised(model, tokenizer, cached)
        return model.to(dtype), tokenizer
    tokenizer = AutoTokenizer.from_pretrained(location, **kwargs)
    config = AutoConfig.from_pretrained(location, **kwargs)
    auto = AutoModelForSeq2SeqLM if getattr(config, "is_encoder_decoder", False) else AutoModelForCausalLM
    return auto.from_pretrained(location, dtype=dtype, **kwargs), tokenizer


def device_of(spec: ModelConfig) -> str:
    """`device` from the models file; `auto` (the default) is CUDA when present, else the CPU."""
    import torch

    device = str(spec.options.get("device", "auto"))
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise BackendError(f"model {spec.name!r}: device {device!r} asked for, but torch sees no CUDA device")
    return device


def torch_float32() -> Any:
    import torch

    return torch.float32


def loadable_folder(spec: ModelConfig) -> str:
    """A folder or hub id another engine (vLLM) can load: a GGUF model becomes its dequantised
    safetensors copy, made here by transformers on first use (vLLM's own GGUF support does not
    cover every quantisation, and the copy gives both backends the very same weights)."""
    location, gguf_file = source_of(spec)
    if not gguf_file:
        return location
    folder = _dequant_dir(Path(location) / gguf_file)
    if not (folder / "config.json").is_file():
        model, _ = load_model_and_tokenizer(replace(spec, options={"device": "cpu"}))
        del model
        if not (folder / "config.json").is_file():
            raise BackendError(f"model {spec.name!r}: could not write a safetensors copy of {gguf_file} to {folder}")
    return str(folder)
