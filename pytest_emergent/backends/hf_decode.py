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
    ids, mask, positions = left_pad(rows, pad_id, device)
    out = model(input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=True, logits_to_keep=1)
    cache, kwarg = cache_of(out), cache_kwarg(model)
    alive = [i for i in range(len(rows)) if budgets[i] > 0]
    generated: list[list[int]] = [[] for _ in rows]
    next_pos = positions[:, -1] + 1
    next_tok = out.logits[:, -1].argmax(-1)
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
