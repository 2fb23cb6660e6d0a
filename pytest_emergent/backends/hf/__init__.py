"""The `hf` backend: transformers models, decoder-only (`causal`) and encoder-decoder (`seq2seq`).

Loading (`loading`), batched greedy decoding (`decode`), shared-context scoring (`score`) and the
automatic batch size (`batch`) are separate modules; `base` holds what both model kinds share.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import DEFAULT_BATCH_SIZE, TransformersBackend, cut_at_stop

if TYPE_CHECKING:
    from ...config import ModelConfig


def load(config: ModelConfig) -> TransformersBackend:
    """The factory registered as `hf`: load the weights, size the batches, pick the model kind."""
    from .batch import auto_batch_size
    from .loading import load_model_and_tokenizer

    model, tokenizer = load_model_and_tokenizer(config)
    batch_size = config.options.get("batch_size", "auto")
    if batch_size in (None, "auto"):
        size = auto_batch_size(model, str(next(model.parameters()).device))
    else:
        size = int(batch_size)
    if getattr(model.config, "is_encoder_decoder", False):
        from .seq2seq import Seq2SeqBackend

        return Seq2SeqBackend(model, tokenizer, batch_size=size)
    from .causal import CausalBackend

    return CausalBackend(model, tokenizer, batch_size=size)


__all__ = ["DEFAULT_BATCH_SIZE", "TransformersBackend", "cut_at_stop", "load"]
