"""What a model's name says: its size, its training step, and the family it belongs to.

Names carry more than the model: a precision (`-bf16`), a format (`-gguf`, `-hf`), a release
version (`-v1.1`, `-v0.1`) or a checkpoint (`-step143000`). Those are variants of one model, so
they are left out of the family: `pythia-v1.1-1b-bf16` is a `pythia`, like `pythia-1b`. Training
data and tuning are not variants: `pythia-160m-deduped` is a `pythia-deduped`, `-chat` stays.
"""

from __future__ import annotations

import re

# "560m", "1.3b", "7b1" (= 7.1B, BLOOM's spelling), "66b", "1t"
_SIZE = re.compile(r"^(\d+(?:\.\d+)?)([kmbt])(\d*)$", re.IGNORECASE)
_FACTOR = {"k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}
_STEP = re.compile(r"(?:^|[-_=/@])(?:step|global_step|iter)[-_]?(\d+)", re.IGNORECASE)
_VARIANT = re.compile(
    r"^(?:v\d+(?:\.\d+)*|bf16|fp16|fp32|fp8|float16|float32|bfloat16|int4|int8|[48]bit|gguf|ggml|gptq|awq|exl2|"
    r"hf|safetensors|onnx|mlx|q\d(?:_k)?(?:_[sml])?|q\d_\d)$", re.IGNORECASE)


def parts(name: str) -> list[str]:
    """The words of a model's short name (its last path part), split at - and _."""
    short = name.rstrip("/").rsplit("/", 1)[-1]
    # Quantisation labels keep their underscores (q4_k_m) so that they read as one variant word.
    short = re.sub(r"(?i)(?<=[-_.])(q\d(?:_k)?(?:_[sml])?)(?=$|[-.])", lambda m: m.group(1).replace("_", "~"), short)
    return [p.replace("~", "_") for p in re.split(r"[-_]", short) if p]


def is_variant(part: str) -> bool:
    return bool(_VARIANT.match(part))


def params_from_name(name: str) -> float | None:
    """The size a model name states: `opt-1.3b` → 1.3e9, `bloom-7b1` → 7.1e9, `pythia-160m-deduped` → 1.6e8."""
    for part in reversed(parts(name)):
        match = _SIZE.match(part)
        if match:
            whole, unit, fraction = match.groups()
            number = float(f"{whole}.{fraction}") if fraction and "." not in whole else float(whole)
            return number * _FACTOR[unit.lower()]
    return None


def size_part(name: str) -> str | None:
    """The word of the name that gives its size (`1.3b`, `7b1`), lower-cased."""
    return next((p.lower() for p in reversed(parts(name)) if _SIZE.match(p)), None)


def family_from_name(name: str) -> str:
    """The name without its size, step and variant parts: `opt-1.3b` → `opt`, `pythia-v1.1-1b-bf16` → `pythia`."""
    kept = [p for p in parts(name) if not _SIZE.match(p) and not _STEP.search(f"-{p}") and not is_variant(p)]
    return "-".join(kept) or name


def step_from_text(text: str) -> float | None:
    match = _STEP.search(text)
    return float(match.group(1)) if match else None
