"""Decoder-only models: generation pads on the left and drops each row from the batch when it
stops (its stop string, its token budget, or end of sequence); log-likelihoods compute each
distinct context once. Batched answers equal one-at-a-time answers (tests check both real
built-in models).

Work is shared wherever the tokens are the same: the prefix common to a batch's prompts (the
few-shot exemplars) runs once for all the backend's batches and calls (`PrefixMemo`), and a
continuation scored after a prompt that is also generated from (the expected answer of a
generated case) is scored in that generation's own pass over the prompt (`answer`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ...progress import advance
from ..base import GenerateRequest, Loglikelihood, LoglikelihoodRequest, RequestError
from ..tokens import split_pair
from .base import TransformersBackend
from .batch import token_batches
from .decode import PrefixMemo, greedy
from .score import Scored, group_batches, score_batch

# A scored answer rides in its generation's pass up to this many tokens: every prompt of the batch
# then keeps logits for as many positions. Longer ones are scored on their own.
MAX_RIDER = 16


class CausalBackend(TransformersBackend):
    def __init__(self, model: Any, tokenizer: Any, **kwargs: Any):
        super().__init__(model, tokenizer, **kwargs)
        self.memo = PrefixMemo()

    def generate(self, requests: list[GenerateRequest]) -> list[str]:
        return self._generate(requests, [self.prompt_ids(r) for r in requests], {}, [])[0]

    def _generate(self, requests: list[GenerateRequest], encoded: list[list[int]], rider_of: dict[int, int],
                  pairs: list[Any]) -> tuple[list[str], dict[int, Scored]]:
        """Answers to `requests`, and the scores of the pairs that ride along: `rider_of` maps a
        request's index to the index of a pair whose context is that request's prompt."""
        # Longest first; among equal lengths by their tokens, so a batch's prompts share what they can.
        order = sorted(range(len(requests)), key=lambda i: (-len(encoded[i]), encoded[i]))
        out = [""] * len(requests)
        scores: dict[int, Scored] = {}
        # A generating row keeps one logit: short prompts go more rows a batch (batch.token_batches).
        lengths = [len(encoded[i]) + requests[i].max_new_tokens for i in range(len(requests))]
        for batch in token_batches(order, lengths, self.batch_size):
            stops = [requests[i].stop for i in batch]
            riders = [pairs[rider_of[i]][1] if i in rider_of else () for i in batch]
            tokens, scored = greedy(self.model, [encoded[i] for i in batch], [requests[i].max_new_tokens for i in batch],
                                    lambda row, toks, stops=stops: self.stopped(toks, stops[row]), self.pad_id,
                                    self.memo, riders)
            for row, index in enumerate(batch):
                out[index] = self.finish(tokens[row], requests[index].max_new_tokens, stops[row])
                if index in rider_of:
                    scores[rider_of[index]] = scored[row]
            # a continuation scored in its prompt's pass is a request done too
            advance(len(batch) + sum(1 for rider in riders if rider))
        return out, scores

    def split(self, request: LoglikelihoodRequest) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Token ids of (context, continuation), the continuation tokenised in its context."""
        return split_pair(self.tokenizer, request.context, request.continuation, self.pad_id)

    def loglikelihood(self, requests: list[LoglikelihoodRequest]) -> list[Loglikelihood]:
        pairs = [self.split(r) for r in requests]
        return self._results(pairs, self._score(pairs, range(len(pairs))))

    def _score(self, pairs: list[Any], indices: Iterable[int]) -> dict[int, Scored]:
        results: dict[int, Scored] = {}
        wanted = list(indices)
        # Options are short: a batch of `batch_size` contexts carries about four continuations each.
        chosen = [pairs[i] for i in wanted]
        for batch in group_batches(chosen, self.batch_size * 4):
            found = score_batch(self.model, chosen, batch, self.pad_id, self.memo)
            results.update({wanted[k]: value for k, value in found.items()})
            advance(sum(len(members) for _, members in batch))
        return results

    @staticmethod
    def _results(pairs: list[Any], results: dict[int, Scored]) -> list[Loglikelihood]:
        return [Loglikelihood(results[i][0], results[i][1], len(pairs[i][1])) for i in range(len(pairs))]

    def answer(self, generate: list[GenerateRequest],
               score: list[LoglikelihoodRequest]) -> tuple[list[str | RequestError], list[Loglikelihood | RequestError]]:
        """Both lists at once: a continuation whose context is a generated prompt (token for token)
        is scored in that generation's pass over the prompt, so the prompt runs once, not twice
        (one such continuation per prompt, of at most MAX_RIDER tokens); the others are scored as
        `loglikelihood` scores them."""
        encoded = [self.prompt_ids(r) for r in generate]
        by_prompt: dict[tuple[int, ...], int] = {}
        for index, ids in enumerate(encoded):
            by_prompt.setdefault(tuple(ids), index)
        pairs = [self.split(r) for r in score]
        rider_of: dict[int, int] = {}
        for index, (context, continuation) in enumerate(pairs):
            owner = by_prompt.get(context)
            if owner is not None and owner not in rider_of and 0 < len(continuation) <= MAX_RIDER:
                rider_of[owner] = index
        answers, scores = self._generate(generate, encoded, rider_of, pairs)
        scores.update(self._score(pairs, [i for i in range(len(pairs)) if i not in scores]))
        return answers, self._results(pairs, scores)

    def close(self) -> None:
        self.memo.clear()
        super().close()
