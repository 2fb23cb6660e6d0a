"""Decoder-only models: generation pads on the left and drops each row from the batch when it
stops (its stop string, its token budget, or end of sequence); log-likelihoods compute each
distinct context once. Batched answers equal one-at-a-time answers (tests check both real
built-in models).
"""

from __future__ import annotations

from ...progress import advance
from ..base import GenerateRequest, Loglikelihood, LoglikelihoodRequest
from ..tokens import split_pair
from .base import TransformersBackend
from .decode import greedy
from .score import group_batches, score_batch


class CausalBackend(TransformersBackend):
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
            advance(len(batch))
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
            advance(sum(len(members) for _, members in batch))
        return [Loglikelihood(results[i][0], results[i][1], len(pairs[i][1])) for i in range(len(pairs))]
