"""Log-likelihoods with each distinct context computed once.

Multiple-choice questions ask for several continuations of one context; lm-evaluation-harness
runs the whole context again for each. Here a batch of distinct contexts runs once (left padded),
its key/value cache is repeated for each continuation, and only the continuation tokens run again.
"""

from __future__ import annotations

from typing import Any

import torch

from .decode import cache_kwarg, prefill

Pair = tuple[tuple[int, ...], tuple[int, ...]]


def group_batches(pairs: list[Pair], rows_per_batch: int) -> list[list[tuple[tuple[int, ...], list[int]]]]:
    """Batches of (context, indices of its pairs), longest contexts first, at most ~rows_per_batch pairs each."""
    by_context: dict[tuple[int, ...], list[int]] = {}
    for index, (context, _) in enumerate(pairs):
        by_context.setdefault(context, []).append(index)
    ordered = sorted(by_context.items(), key=lambda kv: -len(kv[0]))
    batches: list[list[tuple[tuple[int, ...], list[int]]]] = []
    current: list[tuple[tuple[int, ...], list[int]]] = []
    size = 0
    for context, members in ordered:
        if current and size + len(members) > rows_per_batch:
            batches.append(current)
            current, size = [], 0
        current.append((context, members))
        size += len(members)
    if current:
        batches.append(current)
    return batches


@torch.inference_mode()
def score_batch(model: Any, pairs: list[Pair], batch: list[tuple[tuple[int, ...], list[int]]],
                pad_id: int) -> dict[int, tuple[float, bool]]:
    """{pair index: (sum of continuation log-probs, whether greedy decoding gives the continuation)}."""
    device = next(model.parameters()).device
    contexts = [list(c) for c, _ in batch]
    cache, mask, last_logits, next_pos = prefill(model, contexts, pad_id)
    first = last_logits.float().log_softmax(-1)  # predicts each continuation's first token
    owners = [g for g, (_, members) in enumerate(batch) for _ in members]
    indices = [i for _, members in batch for i in members]
    continuations = [list(pairs[i][1]) for i in indices]
    results: dict[int, tuple[float, bool]] = {}
    rest_width = max(len(c) for c in continuations) - 1
    rest = None
    if rest_width > 0:
        owner_index = torch.tensor(owners, device=device)
        cache.batch_select_indices(owner_index)
        tail = torch.full((len(indices), rest_width), pad_id, dtype=torch.long)
        tail_mask = torch.zeros((len(indices), rest_width), dtype=torch.long)
        for r, cont in enumerate(continuations):
            if len(cont) > 1:
                tail[r, : len(cont) - 1] = torch.tensor(cont[:-1])
                tail_mask[r, : len(cont) - 1] = 1
        full_mask = torch.cat([mask[owner_index], tail_mask.to(device)], dim=1)
        tail_pos = next_pos[owner_index, None] + torch.arange(rest_width, device=device)[None, :]
        rest = model(input_ids=tail.to(device), attention_mask=full_mask, position_ids=tail_pos,
                     use_cache=True, **{cache_kwarg(model): cache}).logits.float().log_softmax(-1)
    for r, (index, cont) in enumerate(zip(indices, continuations)):
        if not cont:
            results[index] = (0.0, True)
            continue
        dists = [first[owners[r]]] + ([rest[r, j] for j in range(len(cont) - 1)] if rest is not None else [])
        target = torch.tensor(cont, device=device)
        stacked = torch.stack(dists[: len(cont)])
        logprob = float(stacked.gather(-1, target[:, None]).sum())
        greedy = bool((stacked.argmax(-1) == target).all())
        results[index] = (logprob, greedy)
    return results
