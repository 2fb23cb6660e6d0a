"""Batched greedy decoding with a key/value cache; rows that have stopped leave the batch.

A batch stepped by `model.generate` keeps computing every row until the last one stops; here a
finished row is dropped from the cache at once, so short answers cost only their own tokens.
"""

from __future__ import annotations

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


def prefill(model: Any, rows: list[list[int]], pad_id: int) -> tuple[Any, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Run the prompts; returns (cache, attention mask, last logits, next position per row).

    Few-shot prompts share most of their tokens: a prefix common to every row runs once and its
    key/value cache is repeated for the batch, so only each row's own suffix is computed.
    """
    device = next(model.parameters()).device
    shared = common_prefix(rows) if len(rows) > 1 else 0
    if shared < MIN_SHARED_PREFIX:
        ids, mask, positions = left_pad(rows, pad_id, device)
        out = model(input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=True, logits_to_keep=1)
        return cache_of(out), mask, out.logits[:, -1], positions[:, -1] + 1
    prefix = torch.tensor([rows[0][:shared]], dtype=torch.long, device=device)
    head = model(input_ids=prefix, position_ids=torch.arange(shared, device=device)[None], use_cache=True,
                 logits_to_keep=1)
    cache = cache_of(head)
    cache.batch_repeat_interleave(len(rows))
    ids, tail_mask, tail_positions = left_pad([r[shared:] for r in rows], pad_id, device)
    mask = torch.cat([tail_mask.new_ones((len(rows), shared)), tail_mask], dim=1)
    positions = tail_positions + shared
    out = model(input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=True, logits_to_keep=1,
                **{cache_kwarg(model): cache})
    return cache_of(out), mask, out.logits[:, -1], positions[:, -1] + 1


@torch.inference_mode()
def greedy(
    model: Any,
    rows: list[list[int]],
    budgets: list[int],
    finished: Callable[[int, list[int]], bool],
    pad_id: int,
) -> list[list[int]]:
    """Greedy continuations of `rows`; row i stops at budgets[i] tokens or when finished(i, tokens)."""
    device = next(model.parameters()).device
    cache, mask, last_logits, next_pos = prefill(model, rows, pad_id)
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
    return generated
