"""Log-likelihoods with each distinct context computed once.

Multiple-choice questions ask for several continuations of one context; lm-evaluation-harness
runs the whole context again for each. Here a batch of distinct contexts runs once (left padded),
with the tokens every option of a context begins with (" " before " 90", " 91"…), and only each
option's own tokens run again, on the context's key/value cache repeated for its options. A
context scored for one continuation runs it whole in that one pass.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from .decode import PrefixMemo, cache_kwarg, prefill, score_tokens, sharing_copy

Pair = tuple[tuple[int, ...], tuple[int, ...]]
Scored = tuple[float, bool]  # (sum of continuation log-probs, whether greedy decoding gives the continuation)


def group_batches(pairs: list[Pair], rows_per_batch: int) -> list[list[tuple[tuple[int, ...], list[int]]]]:
    """Batches of (context, indices of its pairs), longest contexts first (then by their tokens, so
    neighbours share what they can), at most ~rows_per_batch pairs each."""
    by_context: dict[tuple[int, ...], list[int]] = {}
    for index, (context, _) in enumerate(pairs):
        by_context.setdefault(context, []).append(index)
    ordered = sorted(by_context.items(), key=lambda kv: (-len(kv[0]), kv[0]))
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


MAX_LEAD = 4  # the batch's prefill keeps logits for this many more positions of every context


def shared_lead(continuations: list[tuple[int, ...]]) -> int:
    """How many leading tokens all the continuations share (at most MAX_LEAD), leaving each at
    least one of its own."""
    if not continuations or not all(continuations):
        return 0
    limit = min(min(len(c) for c in continuations) - 1, MAX_LEAD)
    length = 0
    while length < limit and all(c[length] == continuations[0][length] for c in continuations):
        length += 1
    return length


def by_width(rows: list[int], width: Callable[[int], int], slack: float = 1.25) -> list[list[int]]:
    """Rows in groups of similar width (the widest at most `slack` times the narrowest), so that a
    pass over a group runs little padding: one token fed beside two would waste a third."""
    groups: list[list[int]] = []
    narrowest = 0
    for row in sorted(rows, key=width):
        if not groups or width(row) > narrowest * slack:
            groups.append([])
            narrowest = width(row)
        groups[-1].append(row)
    return groups


@torch.inference_mode()
def finish_scores(model: Any, cache: Any, mask: torch.Tensor, next_pos: torch.Tensor,
                  rows: list[tuple[int, tuple[int, ...], torch.Tensor]], pad_id: int) -> list[Scored]:
    """Scores of continuations of the rows of a computed batch.

    Each of `rows` is (owner: its row in `cache`, continuation, log-probs [n, vocabulary] that
    predict its first n tokens, already computed); the tokens after those run on the owner's
    cache, one pass for each group of rows that feed about as many tokens."""
    device = mask.device
    results: list[Scored | None] = [(0.0, True) if not cont else None for _, cont, _ in rows]
    todo = [r for r, (_, cont, known) in enumerate(rows) if cont and len(cont) > len(known)]
    rest: dict[int, torch.Tensor] = {}
    groups = by_width(todo, lambda r: len(rows[r][1]) - len(rows[r][2]))
    for n, group in enumerate(groups):
        work = cache if n == len(groups) - 1 else sharing_copy(cache)  # the last group may use it up
        owner_index = torch.tensor([rows[r][0] for r in group], device=device)
        work.batch_select_indices(owner_index)
        fed = [rows[r][1][len(rows[r][2]) - 1: -1] for r in group]  # the last known token, then each next one
        width = max(len(f) for f in fed)
        tail = torch.full((len(group), width), pad_id, dtype=torch.long)
        tail_mask = torch.zeros((len(group), width), dtype=torch.long)
        for k, tokens in enumerate(fed):
            tail[k, : len(tokens)] = torch.tensor(tokens)
            tail_mask[k, : len(tokens)] = 1
        full_mask = torch.cat([mask[owner_index], tail_mask.to(device)], dim=1)
        tail_pos = next_pos[owner_index, None] + torch.arange(width, device=device)[None, :]
        out = model(input_ids=tail.to(device), attention_mask=full_mask, position_ids=tail_pos, use_cache=True,
                    **{cache_kwarg(model): work})
        rest.update({r: out.logits[k, : len(fed[k])].float().log_softmax(-1) for k, r in enumerate(group)})
    for r, (_, cont, known) in enumerate(rows):
        if results[r] is not None:
            continue
        dists = known[: len(cont)]
        if r in rest:
            dists = torch.cat([dists, rest[r]])
        results[r] = score_tokens(dists, cont)
    return [r for r in results if r is not None]


@torch.inference_mode()
def score_batch(model: Any, pairs: list[Pair], batch: list[tuple[tuple[int, ...], list[int]]],
                pad_id: int, memo: PrefixMemo | None = None) -> dict[int, Scored]:
    """{pair index: (sum of continuation log-probs, whether greedy decoding gives the continuation)}."""
    leads = [shared_lead([pairs[i][1] for i in members]) for _, members in batch]
    keep = max(leads) + 1
    contexts = [list(context) + list(pairs[members[0]][1][:lead]) for (context, members), lead in zip(batch, leads)]
    cache, mask, logits, next_pos = prefill(model, contexts, pad_id, memo, keep=keep)
    # Per context, the positions that predict its lead and then each option's own first token.
    known = [logits[g, keep - 1 - lead:].float().log_softmax(-1) for g, lead in enumerate(leads)]
    rows = [(g, pairs[i][1], known[g]) for g, (_, members) in enumerate(batch) for i in members]
    indices = [i for _, members in batch for i in members]
    return dict(zip(indices, finish_scores(model, cache, mask, next_pos, rows, pad_id)))
