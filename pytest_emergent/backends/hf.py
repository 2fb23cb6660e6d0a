"""The `hf` backend: transformers models (decoder-only, and encoder-decoder such as T5).

Generation pads on the left and drops each row from the batch when it stops (its stop string,
its token budget, or end of sequence); log-likelihoods compute each distinct context once.
Batched answers equal one-at-a-time answers (tests check both real built-in models).
"""

from __future__ import annotations

import gc
from typing import Any

import torch

from ..config import ModelSpec
from .base import Backend, GenerateRequest, Loglikelihood, LoglikelihoodRequest, ModelInfo
from .hf_batch import auto_batch_size
from .hf_decode import greedy
from .hf_load import load_model_and_tokenizer
from .hf_score import group_batches, score_batch
from .tokens import cut_at_stop, encode, prompt_ids, render_chat, split_pair

DEFAULT_BATCH_SIZE = 16


def load(spec: ModelSpec) -> Backend:
    model, tokenizer = load_model_and_tokenizer(spec)
    batch_size = spec.options.get("batch_size", "auto")
    if batch_size in (None, "auto"):
        size = auto_batch_size(model, str(next(model.parameters()).device))
    else:
        size = int(batch_size)
    if getattr(model.config, "is_encoder_decoder", False):
        from .hf_seq2seq import Seq2SeqBackend

        return Seq2SeqBackend(model, tokenizer, batch_size=size)
    return HFBackend(model, tokenizer, batch_size=size)


class TokenizerMixin:
    """Shared tokenizer handling: special tokens, chat templates, stop checks."""

    tokenizer: Any
    model: Any

    def _setup_tokens(self) -> None:
        pad = self.tokenizer.pad_token_id
        eos = self.tokenizer.eos_token_id
        self.pad_id = pad if pad is not None else eos if eos is not None else 0
        configured = getattr(self.model.generation_config, "eos_token_id", None)
        ids = set(configured if isinstance(configured, list) else [configured] if configured is not None else [])
        if eos is not None:
            ids.add(eos)
        self.eos_ids = ids

    def encode(self, text: str, special: bool = True) -> list[int]:
        return encode(self.tokenizer, text, special)

    def supports_chat(self) -> bool:
        return bool(getattr(self.tokenizer, "chat_template", None))

    def render_chat(self, messages: tuple[tuple[str, str], ...]) -> str | None:
        return render_chat(self.tokenizer, messages)

    def prompt_ids(self, request: GenerateRequest) -> list[int]:
        return prompt_ids(self.tokenizer, request, self.pad_id)

    def finish(self, tokens: list[int], budget: int, stop: tuple[str, ...]) -> str:
        tokens = tokens[:budget]
        tokens = tokens[: next((k for k, t in enumerate(tokens) if t in self.eos_ids), len(tokens))]
        return cut_at_stop(self.tokenizer.decode(tokens, skip_special_tokens=True), stop)[0]

    def stopped(self, tokens: list[int], stop: tuple[str, ...]) -> bool:
        if tokens[-1] in self.eos_ids:
            return True
        return bool(stop) and cut_at_stop(self.tokenizer.decode(tokens, skip_special_tokens=True), stop)[1]


class HFBackend(TokenizerMixin, Backend):
    def __init__(self, model: Any, tokenizer: Any, *, batch_size: int = DEFAULT_BATCH_SIZE):
        self.model, self.tokenizer, self.batch_size = model, tokenizer, max(1, batch_size)
        self._setup_tokens()
        self._params = float(sum(p.numel() for p in model.parameters()))

    def generate(self, requests: list[GenerateRequest]) -> list[str]:
        encoded = [self.prompt_ids(r) for r in requests]
        order = sorted(range(len(requests)), key=lambda i: -len(encoded[i]))
        out = [""] * len(requests)
        for start in range(0, len(order), self.batch_size):
            batch = order[start:start + self.batch_size]
            stops = [requests[i].stop for i in batch]
            tokens = greedy(self.model, [encoded[i] for i in batch], [requests[i].max_new_tokens for i in batch],
                            lambda row, toks, stops=stops: self.stopped(toks, stops[row]), self.pad_id)
            for row, index in enumerate(batch):
                out[index] = self.finish(tokens[row], requests[index].max_new_tokens, stops[row])
        return out

    def split(self, request: LoglikelihoodRequest) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Token ids of (context, continuation), the continuation tokenised in its context."""
        return split_pair(self.tokenizer, request.context, request.continuation, self.pad_id)

    def loglikelihood(self, requests: list[LoglikelihoodRequest]) -> list[Loglikelihood]:
        pairs = [self.split(r) for r in requests]
        results: dict[int, tuple[float, bool]] = {}
        # Options are short: a batch of `batch_size` contexts carries about four continuations each.
        for batch in group_batches(pairs, self.batch_size * 4):
            results.update(score_batch(self.model, pairs, batch, self.pad_id))
        return [Loglikelihood(results[i][0], results[i][1], len(pairs[i][1])) for i in range(len(pairs))]

    def info(self) -> ModelInfo:
        config = self.model.config
        first = next(self.model.parameters())
        return ModelInfo(
            params=self._params,
            details={
                "architecture": (getattr(config, "architectures", None) or [type(self.model).__name__])[0],
                "dtype": str(first.dtype).replace("torch.", ""),
                "device": str(first.device),
                "chat_template": self.supports_chat(),
            },
        )

    def close(self) -> None:
        self.model = None
        gc.collect()  # the weights go now, before the next model loads
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
