"""Batched greedy decoding with a key/value cache; rows that have stopped leave the batch.

A batch stepped by `model.generate` keeps computing every row until the last one stops; here a
finished row is dropped from the cache at once, so short answers cost only their own tokens.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable
from typing import Any

import torch


def cache_of(output: Any) -> Any:
    """The key/value cache of a forward pass (`cache` in transformers ≥ 5.2x, `past_key_values` before)."""
    return output["cache"] if "cache" in output else output["past_key_values"]


def cache_kwarg(model: Any) -> str:
    """The forward argument that takes a cache, by this transformers version's name."""
    return "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"


def sharing_copy(cache: Any) -> Any:
    """A copy of a key/value cache that shares its tensors. Selecting rows of the copy or running
    on it makes new tensors, so the original stays whole without its contents being copied."""
    memo: dict[int, Any] = {}
    seen: set[int] = set()

    def walk(value: Any, depth: int) -> None:
        if isinstance(value, torch.Tensor):
            memo[id(value)] = value
            return
        if depth > 6 or id(value) in seen:
            return
        seen.add(id(value))
        if isinstance(value, dict):
            children = list(value.values())
        elif isinstance(value, (list, tuple)):
            children = list(value)
        elif hasattr(value, "__dict__"):
            children = list(vars(value).values())
        else:
            return
        for child in children:
            walk(child, depth + 1)

    walk(cache, 0)
    return copy.deepcopy(cache, memo)


def score_tokens(dists: torch.Tensor, tokens: Any) -> tuple[float, bool]:
    """(sum of the log-probs `dists` [n, vocabulary] give `tokens`, whether each is the argmax)."""
    target = torch.tensor(tokens, device=dists.device)
    return float(dists.gather(-1, target[:, None]).sum()), bool((dists.argmax(-1) == target).all())


def left_pad(rows: list[list[int]], pad_id: int, device: Any) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(ids, attention mask, position ids) for rows padded on the left."""
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, row in enumerate(rows):
        if row:
            ids[i, width - len(row):] = torch.tensor(row, dtype=torch.long)
            mask[i, width - len(row):] = 1
    positions = (mask.cumsum(-1) - 1).clamp(min=0)
    return ids.to(device), mask.to(device), positions.to(device)


MIN_SHARED_PREFIX = 8


def common_prefix(rows: list[list[int]]) -> int:
    """Length of the token prefix all rows share, leaving each row at least one token of its own."""
    shortest = min(len(r) for r in rows)
    length = 0
    while length < shortest - 1 and all(r[length] == rows[0][length] for r in rows):
        length += 1
    return length


class PrefixMemo:
    """The key/value cache of a shared prefix the backend ran, kept between its batches and calls.

    A few-shot task sends every case after the same exemplars: the generations, then the scorings,
    batch after batch. Their shared prefix runs once: a batch starts from a copy of the kept cache,
    cut back to the tokens it shares with it, and runs only the rest of its own shared prefix (the
    kept cache itself never changes). A batch that shares too little with it is kept instead."""

    def __init__(self) -> None:
        self.tokens: tuple[int, ...] = ()
        self.cache: Any = None

    def clear(self) -> None:
        self.tokens, self.cache = (), None

    def shares(self, tokens: list[int]) -> int:
        """How many leading tokens the kept prefix has in common with `tokens`."""
        same, limit = 0, min(len(self.tokens), len(tokens))
        while same < limit and self.tokens[same] == tokens[same]:
            same += 1
        return same

    def start(self, model: Any, shared: list[int]) -> Any:
        """A cache (one row) holding the tokens `shared`."""
        device = next(model.parameters()).device
        same = self.shares(shared)
        reuse = same >= MIN_SHARED_PREFIX
        cache = None
        if reuse:
            cache = copy.deepcopy(self.cache)
            if same < len(self.tokens):
                cache.crop(same - len(self.tokens))  # negative: drop that many tokens at the end
        done = same if reuse else 0
        if done < len(shared):
            ids = torch.tensor([shared[done:]], dtype=torch.long, device=device)
            out = model(input_ids=ids, position_ids=torch.arange(done, len(shared), device=device)[None],
                        use_cache=True, logits_to_keep=1,
                        **({cache_kwarg(model): cache} if cache is not None else {}))
            cache = cache_of(out)
        if not reuse:
            self.tokens, self.cache = tuple(shared), copy.deepcopy(cache)
        return cache


def prefill(model: Any, rows: list[list[int]], pad_id: int, memo: PrefixMemo | None = None,
            keep: int = 1, most_shared: int | None = None) -> tuple[Any, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Run the prompts; returns (cache, attention mask, logits of the last `keep` positions
    [rows, keep, vocabulary], next position per row).

    Few-shot prompts share most of their tokens: a prefix common to every row runs once (once per
    backend with a `memo`; a single prompt uses the memo's prefix when it starts with it) and its
    key/value cache is repeated for the batch, so only each row's own suffix is computed. Each row
    keeps at least `keep` tokens of its own, and the shared prefix is at most `most_shared` tokens.
    """
    device = next(model.parameters()).device
    if len(rows) > 1:
        shared = common_prefix(rows)
    else:  # one prompt shares only what the kept prefix holds: it is not kept itself
        shared = len(rows[0]) - 1 if memo is not None and memo.shares(rows[0]) >= MIN_SHARED_PREFIX else 0
    shared = max(0, min(shared, min(len(r) for r in rows) - keep, len(rows[0]) if most_shared is None else most_shared))
    if shared < MIN_SHARED_PREFIX:
        ids, mask, positions = left_pad(rows, pad_id, device)
        out = model(input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=True, logits_to_keep=keep)
        return cache_of(out), mask, out.logits[:, -keep:], positions[:, -1] + 1
    cache = (memo or PrefixMemo()).start(model, rows[0][:shared])
    cache.batch_repeat_interleave(len(rows))
    ids, tail_mask, tail_positions = left_pad([r[shared:] for r in rows], pad_id, device)
    mask = torch.cat([tail_mask.new_ones((len(rows), shared)), tail_mask], dim=1)
    positions = tail_positions + shared
    out = model(input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=True, logits_to_keep=keep,
                **{cache_kwarg(model): cache})
    return cache_of(out), mask, out.logits[:, -keep:], positions[:, -1] + 1


@torch.inference_mode()
def greedy(
    model: Any,
    rows: list[list[int]],
    budgets: list[int],
    finished: Callable[[int, list[int]], bool],
    pad_id: int,
    memo: PrefixMemo | None = None,
    riders: list[tuple[int, ...]] | None = None,
) -> tuple[list[list[int]], list[tuple[float, bool] | None]]:
    """Greedy continuations of `rows`; row i stops at budgets[i] tokens or when finished(i, tokens).

    `riders[i]`, when not empty, is a continuation to score after row i's prompt: its tokens run
    in the same pass as the prompt and are then masked out of the cache, so the prompt does not run
    a second time for it. Returns the generated tokens, and per row (sum of the rider's token
    log-probs, whether greedy decoding gives it), or None."""
    device = next(model.parameters()).device
    riders = riders or [()] * len(rows)
    extra = [max(len(r) - 1, 0) for r in riders]  # rider tokens fed after the prompt: all but the last
    keep = 1 + max(extra)
    fed = [list(row) + list(rider[:-1]) for row, rider in zip(rows, riders)]
    cache, mask, logits, next_pos = prefill(model, fed, pad_id, memo, keep=keep,
                                            most_shared=min(len(r) for r in rows) - 1)
    scores: list[tuple[float, bool] | None] = [None] * len(rows)
    if any(riders):
        for i, rider in enumerate(riders):
            if rider:  # the prompt's last position, then each fed rider token, predict the rider's tokens
                scores[i] = score_tokens(logits[i, keep - 1 - extra[i]:].float().log_softmax(-1), rider)
    last_logits = logits[torch.arange(len(rows), device=device), torch.tensor([keep - 1 - e for e in extra], device=device)]
    if any(extra):  # the rider tokens leave the context: masked, and the next position follows the prompt
        width = mask.shape[1]
        for i, e in enumerate(extra):
            if e:
                mask[i, width - e:] = 0
        next_pos = next_pos - torch.tensor(extra, device=device)
    kwarg = cache_kwarg(model)
    alive = [i for i in range(len(rows)) if budgets[i] > 0]
    generated: list[list[int]] = [[] for _ in rows]
    next_tok = last_logits.argmax(-1)
    if len(alive) < len(rows):
        keep = torch.tensor(alive, device=device)
        cache.batch_select_indices(keep)
        mask, next_pos, next_tok = mask[keep], next_pos[keep], next_tok[keep]
    while alive:
        tokens = next_tok.tolist()
        still = []
        for k, row in enumerate(alive):
            generated[row].append(tokens[k])
            if len(generated[row]) < budgets[row] and not finished(row, generated[row]):
                still.append(k)
        if not still:
            break
        if len(still) < len(alive):
            keep = torch.tensor(still, device=device)
            cache.batch_select_indices(keep)
            mask, next_pos, next_tok = mask[keep], next_pos[keep], next_tok[keep]
            alive = [alive[k] for k in still]
        mask = torch.cat([mask, mask.new_ones((len(alive), 1))], dim=1)
        out = model(input_ids=next_tok[:, None], attention_mask=mask, position_ids=next_pos[:, None],
                    use_cache=True, **{kwarg: cache})
        cache = cache_of(out)
        next_tok = out.logits[:, -1].argmax(-1)
        next_pos = next_pos + 1
    return generated, scores
