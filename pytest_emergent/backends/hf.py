"""The `hf` backend: decoder-only transformers models, batched greedy generation and scoring.

Generation pads on the left and stops each row at its own stop strings or token budget;
log-likelihoods are batched too (left padding, logits kept only for the continuation), so
batched answers equal one-at-a-time answers.
"""

from __future__ import annotations

from typing import Any

import torch

from ..config import ModelSpec
from .base import Backend, GenerateRequest, Loglikelihood, LoglikelihoodRequest, ModelInfo
from .hf_load import load_model_and_tokenizer

DEFAULT_BATCH_SIZE = 8


def load(spec: ModelSpec) -> "HFBackend":
    model, tokenizer = load_model_and_tokenizer(spec)
    batch_size = spec.options.get("batch_size", DEFAULT_BATCH_SIZE)
    return HFBackend(model, tokenizer, batch_size=int(batch_size) if batch_size != "auto" else DEFAULT_BATCH_SIZE)


def _cut_at_stop(text: str, stop: tuple[str, ...]) -> tuple[str, bool]:
    cut = min((i for i in (text.find(s) for s in stop) if i >= 0), default=-1)
    return (text[:cut], True) if cut >= 0 else (text, False)


class _RowStops:
    """Per-row stopping: a row is done at its own token budget or when a stop string appears."""

    def __init__(self, tokenizer: Any, prompt_len: int, budgets: list[int], stops: list[tuple[str, ...]]):
        self.tokenizer, self.prompt_len, self.budgets, self.stops = tokenizer, prompt_len, budgets, stops

    def __call__(self, input_ids: torch.Tensor, scores: Any = None, **kwargs: Any) -> torch.Tensor:
        new = input_ids[:, self.prompt_len:]
        done = []
        for row, tokens in enumerate(new.tolist()):
            if len(tokens) >= self.budgets[row]:
                done.append(True)
            elif self.stops[row]:
                done.append(_cut_at_stop(self.tokenizer.decode(tokens, skip_special_tokens=True), self.stops[row])[1])
            else:
                done.append(False)
        return torch.tensor(done, dtype=torch.bool, device=input_ids.device)


class HFBackend(Backend):
    def __init__(self, model: Any, tokenizer: Any, *, batch_size: int = DEFAULT_BATCH_SIZE):
        self.model, self.tokenizer, self.batch_size = model, tokenizer, max(1, batch_size)
        self.device = next(model.parameters()).device
        self.pad_id = tokenizer.pad_token_id
        if self.pad_id is None:
            self.pad_id = tokenizer.eos_token_id if tokenizer.eos_token_id is not None else 0
        self._params = float(sum(p.numel() for p in model.parameters()))

    # -- helpers -----------------------------------------------------------------------------
    def _encode(self, text: str, special: bool = True) -> list[int]:
        return list(self.tokenizer(text, add_special_tokens=special)["input_ids"])

    def _left_pad(self, rows: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        width = max(len(r) for r in rows)
        ids = torch.full((len(rows), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for i, row in enumerate(rows):
            ids[i, width - len(row):] = torch.tensor(row, dtype=torch.long)
            mask[i, width - len(row):] = 1
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        return ids.to(self.device), mask.to(self.device), positions.to(self.device)

    def _batches(self, order: list[int]) -> list[list[int]]:
        return [order[i:i + self.batch_size] for i in range(0, len(order), self.batch_size)]

    # -- generation --------------------------------------------------------------------------
    @torch.inference_mode()
    def generate(self, requests: list[GenerateRequest]) -> list[str]:
        encoded = [self._encode(r.prompt, r.add_special_tokens) or [self.pad_id] for r in requests]
        order = sorted(range(len(requests)), key=lambda i: -len(encoded[i]))
        out: list[str] = [""] * len(requests)
        for batch in self._batches(order):
            ids, mask, _ = self._left_pad([encoded[i] for i in batch])
            budgets = [requests[i].max_new_tokens for i in batch]
            stops = [tuple(requests[i].stop) for i in batch]
            if max(budgets) <= 0:
                continue
            generated = self.model.generate(
                input_ids=ids,
                attention_mask=mask,
                max_new_tokens=max(budgets),
                do_sample=False,
                pad_token_id=self.pad_id,
                stopping_criteria=[_RowStops(self.tokenizer, ids.shape[1], budgets, stops)],
                num_beams=1,
                temperature=None,
                top_p=None,
                top_k=None,
            )
            for row, index in enumerate(batch):
                tokens = generated[row, ids.shape[1]:].tolist()[: budgets[row]]
                eos = self._eos_ids()
                tokens = tokens[: next((k for k, t in enumerate(tokens) if t in eos), len(tokens))]
                text = self.tokenizer.decode(tokens, skip_special_tokens=True)
                out[index] = _cut_at_stop(text, stops[row])[0]
        return out

    def _eos_ids(self) -> set[int]:
        eos = self.model.generation_config.eos_token_id
        ids = set(eos if isinstance(eos, list) else [eos] if eos is not None else [])
        if self.tokenizer.eos_token_id is not None:
            ids.add(self.tokenizer.eos_token_id)
        return ids

    # -- scoring -----------------------------------------------------------------------------
    def _split(self, request: LoglikelihoodRequest) -> tuple[list[int], list[int]]:
        """Token ids of (context, continuation); the continuation tokenised in context."""
        context = self._encode(request.context)
        whole = self._encode(request.context + request.continuation)
        if whole[: len(context)] == context and len(whole) > len(context):
            continuation = whole[len(context):]
        else:
            continuation = self._encode(request.continuation, special=False)
        if not context:
            bos = self.tokenizer.bos_token_id
            context = [bos if bos is not None else self.pad_id]
        return context, continuation

    @torch.inference_mode()
    def loglikelihood(self, requests: list[LoglikelihoodRequest]) -> list[Loglikelihood]:
        pairs = [self._split(r) for r in requests]
        order = sorted(range(len(pairs)), key=lambda i: -(len(pairs[i][0]) + len(pairs[i][1])))
        out: list[Loglikelihood | None] = [None] * len(pairs)
        for batch in self._batches(order):
            rows = [pairs[i][0] + pairs[i][1] for i in batch]
            ids, mask, positions = self._left_pad(rows)
            keep = max(len(pairs[i][1]) for i in batch) + 1
            logits = self._logits(ids, mask, positions, keep)
            width = logits.shape[1]
            for row, index in enumerate(batch):
                cont = pairs[index][1]
                if not cont:
                    out[index] = Loglikelihood(0.0, True, 0)
                    continue
                # logits at position p predict token p+1; the continuation fills the last len(cont) slots
                preds = logits[row, width - len(cont) - 1: width - 1].float().log_softmax(-1)
                target = torch.tensor(cont, device=preds.device)
                token_lp = preds.gather(-1, target[:, None]).squeeze(-1)
                greedy = bool((preds.argmax(-1) == target).all())
                out[index] = Loglikelihood(float(token_lp.sum()), greedy, len(cont))
        return [o for o in out if o is not None]

    def _logits(self, ids: torch.Tensor, mask: torch.Tensor, positions: torch.Tensor, keep: int) -> torch.Tensor:
        try:
            return self.model(input_ids=ids, attention_mask=mask, position_ids=positions, logits_to_keep=keep).logits
        except TypeError:  # older architectures without logits_to_keep
            return self.model(input_ids=ids, attention_mask=mask, position_ids=positions).logits[:, -keep:]

    # -- chat and info -----------------------------------------------------------------------
    def chat_prompt(self, messages: list[dict[str, str]]) -> str | None:
        if not getattr(self.tokenizer, "chat_template", None):
            return None
        return self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)

    def info(self) -> ModelInfo:
        config = self.model.config
        return ModelInfo(
            params=self._params,
            details={
                "architecture": (getattr(config, "architectures", None) or [type(self.model).__name__])[0],
                "dtype": str(next(self.model.parameters()).dtype).replace("torch.", ""),
                "device": str(self.device),
                "chat_template": bool(getattr(self.tokenizer, "chat_template", None)),
            },
        )

    def close(self) -> None:
        import gc

        self.model = None
        gc.collect()
