"""Encoder-decoder models (T5, Flan-T5): the prompt goes to the encoder, the answer is decoded."""

from __future__ import annotations

from typing import Any

import torch

from ...progress import advance
from ..base import GenerateRequest, Loglikelihood, LoglikelihoodRequest
from .base import DEFAULT_BATCH_SIZE, TransformersBackend


def right_pad(rows: list[list[int]], pad_id: int, device: Any) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = torch.tensor(row, dtype=torch.long)
        mask[i, : len(row)] = 1
    return ids.to(device), mask.to(device)


class Seq2SeqBackend(TransformersBackend):
    def __init__(self, model: Any, tokenizer: Any, *, batch_size: int = DEFAULT_BATCH_SIZE):
        super().__init__(model, tokenizer, batch_size=batch_size)
        self.start_id = model.config.decoder_start_token_id
        if self.start_id is None:
            self.start_id = self.pad_id

    def _batches(self, order: list[int]) -> list[list[int]]:
        return [order[i:i + self.batch_size] for i in range(0, len(order), self.batch_size)]

    @torch.inference_mode()
    def generate(self, requests: list[GenerateRequest]) -> list[str]:
        encoded = [self.prompt_ids(r) for r in requests]
        order = sorted(range(len(requests)), key=lambda i: -len(encoded[i]))
        device = next(self.model.parameters()).device
        out = [""] * len(requests)
        for batch in self._batches(order):
            ids, mask = right_pad([encoded[i] for i in batch], self.pad_id, device)
            encoder = self.model.get_encoder()(input_ids=ids, attention_mask=mask)
            budgets = [requests[i].max_new_tokens for i in batch]
            decoded = torch.full((len(batch), 1), self.start_id, dtype=torch.long, device=device)
            tokens: list[list[int]] = [[] for _ in batch]
            alive = [r for r in range(len(batch)) if budgets[r] > 0]
            while alive:
                rows = torch.tensor(alive, device=device)
                step = self.model(encoder_outputs=(encoder.last_hidden_state[rows],), attention_mask=mask[rows],
                                  decoder_input_ids=decoded[rows], use_cache=False)
                nxt = step.logits[:, -1].argmax(-1).tolist()
                column = torch.full((len(batch), 1), self.pad_id, dtype=torch.long, device=device)
                still = []
                for k, r in enumerate(alive):
                    tokens[r].append(nxt[k])
                    column[r, 0] = nxt[k]
                    if len(tokens[r]) < budgets[r] and not self.stopped(tokens[r], requests[batch[r]].stop):
                        still.append(r)
                decoded = torch.cat([decoded, column], dim=1)
                alive = still
            for r, index in enumerate(batch):
                out[index] = self.finish(tokens[r], budgets[r], requests[index].stop)
            advance(len(batch))
        return out

    @torch.inference_mode()
    def loglikelihood(self, requests: list[LoglikelihoodRequest]) -> list[Loglikelihood]:
        contexts = [self.encode(r.context) or [self.pad_id] for r in requests]
        targets = [self.encode(r.continuation, special=False) for r in requests]
        order = sorted(range(len(requests)), key=lambda i: -len(contexts[i]))
        device = next(self.model.parameters()).device
        out: dict[int, Loglikelihood] = {}
        for batch in self._batches(order):
            ids, mask = right_pad([contexts[i] for i in batch], self.pad_id, device)
            width = max(1, max(len(targets[i]) for i in batch))
            dec = torch.full((len(batch), width), self.pad_id, dtype=torch.long)
            dec[:, 0] = self.start_id
            for r, i in enumerate(batch):
                t = targets[i][:-1]
                if t:
                    dec[r, 1: 1 + len(t)] = torch.tensor(t)
            logits = self.model(input_ids=ids, attention_mask=mask, decoder_input_ids=dec.to(device)).logits
            logprobs = logits.float().log_softmax(-1)
            for r, i in enumerate(batch):
                target = targets[i]
                if not target:
                    out[i] = Loglikelihood(0.0, True, 0)
                    continue
                rows = logprobs[r, : len(target)]
                t = torch.tensor(target, device=device)
                out[i] = Loglikelihood(float(rows.gather(-1, t[:, None]).sum()), bool((rows.argmax(-1) == t).all()),
                                       len(target))
            advance(len(batch))
        return [out[i] for i in range(len(requests))]

    def details(self) -> dict[str, Any]:
        return {**super().details(), "encoder_decoder": True}
