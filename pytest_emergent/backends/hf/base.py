"""What every transformers backend shares: tokens, chat templates, stop strings, info, release.

The tokenising rules themselves (`backends/tokens.py`) are shared with the vllm backend, so both
turn the same request into the same token ids.

The decoder-only and the encoder-decoder backends differ only in how they run the model; the
tokenizer handling, the description of the model and the release of its memory live here once.
"""

from __future__ import annotations

import gc
from typing import Any

import torch

from ..base import Backend, GenerateRequest, ModelInfo
from ..tokens import cut_at_stop, encode, prompt_ids, render_chat

DEFAULT_BATCH_SIZE = 16


class TransformersBackend(Backend):
    """A loaded transformers model and its tokenizer; subclasses implement generate and loglikelihood."""

    def __init__(self, model: Any, tokenizer: Any, *, batch_size: int = DEFAULT_BATCH_SIZE):
        self.model, self.tokenizer, self.batch_size = model, tokenizer, max(1, batch_size)
        pad, eos = tokenizer.pad_token_id, tokenizer.eos_token_id
        self.pad_id = pad if pad is not None else eos if eos is not None else 0
        configured = getattr(model.generation_config, "eos_token_id", None)
        ids = set(configured if isinstance(configured, list) else [configured] if configured is not None else [])
        if eos is not None:
            ids.add(eos)
        self.eos_ids = ids
        self._params = float(sum(p.numel() for p in model.parameters()))

    # -- tokens ------------------------------------------------------------------------------
    def encode(self, text: str, special: bool = True) -> list[int]:
        return encode(self.tokenizer, text, special)

    def supports_chat(self) -> bool:
        return bool(getattr(self.tokenizer, "chat_template", None))

    def render_chat(self, messages: tuple[tuple[str, str], ...]) -> str | None:
        return render_chat(self.tokenizer, messages)

    def prompt_ids(self, request: GenerateRequest) -> list[int]:
        return prompt_ids(self.tokenizer, request, self.pad_id)

    def finish(self, tokens: list[int], budget: int, stop: tuple[str, ...]) -> str:
        """The answer text of generated tokens: within budget, before end of sequence and the first stop string."""
        tokens = tokens[:budget]
        tokens = tokens[: next((k for k, t in enumerate(tokens) if t in self.eos_ids), len(tokens))]
        return cut_at_stop(self.tokenizer.decode(tokens, skip_special_tokens=True), stop)[0]

    def stopped(self, tokens: list[int], stop: tuple[str, ...]) -> bool:
        if tokens[-1] in self.eos_ids:
            return True
        return bool(stop) and cut_at_stop(self.tokenizer.decode(tokens, skip_special_tokens=True), stop)[1]

    # -- the model -----------------------------------------------------------------------------
    def details(self) -> dict[str, Any]:
        """What `info()` says of the model; subclasses add their own facts."""
        first = next(self.model.parameters())
        return {
            "architecture": (getattr(self.model.config, "architectures", None) or [type(self.model).__name__])[0],
            "dtype": str(first.dtype).replace("torch.", ""),
            "device": str(first.device),
            "chat_template": self.supports_chat(),
        }

    def info(self) -> ModelInfo:
        return ModelInfo(params=self._params, details=self.details())

    def close(self) -> None:
        self.model = None
        gc.collect()  # the weights go now, before the next model loads
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
