"""Checks the exact sizes of public families (ledger/imports/known.py) against their architectures.

Each model is built from its published configuration on PyTorch's meta device (no weights, no
download) and counted with transformers' `num_parameters()`; a row that differs from the table
is printed and the script exits 1. Takes a few seconds; needs torch and transformers.

    .venv/bin/python bench/known_sizes.py
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pytest_emergent.ledger.imports.known import known_model  # noqa: E402


def configs() -> dict[str, object]:
    """Model name -> transformers config, from each family's published hyperparameters."""
    from transformers import (
        BloomConfig,
        GPT2Config,
        GPTJConfig,
        GPTNeoConfig,
        GPTNeoXConfig,
        LlamaConfig,
        MistralConfig,
        OPTConfig,
    )

    out: dict[str, object] = {}
    for size, hidden, layers, heads, vocab in [
            ("14m", 128, 6, 4, 50304), ("31m", 256, 6, 8, 50304), ("70m", 512, 6, 8, 50304),
            ("160m", 768, 12, 12, 50304), ("410m", 1024, 24, 16, 50304), ("1b", 2048, 16, 8, 50304),
            ("1.4b", 2048, 24, 16, 50304), ("2.8b", 2560, 32, 32, 50304), ("6.9b", 4096, 32, 32, 50432),
            ("12b", 5120, 36, 40, 50688)]:
        out[f"EleutherAI/pythia-{size}"] = GPTNeoXConfig(hidden_size=hidden, num_hidden_layers=layers,
                                                         num_attention_heads=heads, intermediate_size=4 * hidden,
                                                         vocab_size=vocab, tie_word_embeddings=False)
    for size, hidden, layers, ffn, heads in [
            ("125m", 768, 12, 3072, 12), ("1.3b", 2048, 24, 8192, 32), ("2.7b", 2560, 32, 10240, 32),
            ("6.7b", 4096, 32, 16384, 32), ("13b", 5120, 40, 20480, 40), ("30b", 7168, 48, 28672, 56),
            ("66b", 9216, 64, 36864, 72)]:
        out[f"facebook/opt-{size}"] = OPTConfig(hidden_size=hidden, num_hidden_layers=layers, ffn_dim=ffn,
                                                num_attention_heads=heads, word_embed_proj_dim=hidden)
    out["facebook/opt-350m"] = OPTConfig(hidden_size=1024, num_hidden_layers=24, ffn_dim=4096, num_attention_heads=16,
                                         word_embed_proj_dim=512, do_layer_norm_before=False)
    for name, hidden, layers, heads in [("bloom-560m", 1024, 24, 16), ("bloom-1b1", 1536, 24, 16),
                                        ("bloom-1b7", 2048, 24, 16), ("bloom-3b", 2560, 30, 32),
                                        ("bloom-7b1", 4096, 30, 32), ("bloom", 14336, 70, 112)]:
        out[f"bigscience/{name}"] = BloomConfig(hidden_size=hidden, n_layer=layers, n_head=heads, vocab_size=250880)
    for name, hidden, layers in [("gpt2", 768, 12), ("gpt2-medium", 1024, 24), ("gpt2-large", 1280, 36),
                                 ("gpt2-xl", 1600, 48)]:
        out[f"openai-community/{name}"] = GPT2Config(n_embd=hidden, n_layer=layers, n_head=hidden // 64)
    for size, hidden, layers, heads in [("125m", 768, 12, 12), ("1.3B", 2048, 24, 16), ("2.7B", 2560, 32, 20)]:
        out[f"EleutherAI/gpt-neo-{size}"] = GPTNeoConfig(hidden_size=hidden, num_layers=layers, num_heads=heads,
                                                         attention_types=[[["global", "local"], layers // 2]])
    out["EleutherAI/gpt-j-6b"] = GPTJConfig(n_embd=4096, n_layer=28, n_head=16, rotary_dim=64, vocab_size=50400)
    out["EleutherAI/gpt-neox-20b"] = GPTNeoXConfig(hidden_size=6144, num_hidden_layers=44, num_attention_heads=64,
                                                   intermediate_size=24576, vocab_size=50432, tie_word_embeddings=False)
    for name, hidden, layers, ffn, heads, kv, vocab in [
            ("huggyllama/llama-7b", 4096, 32, 11008, 32, 32, 32000),
            ("huggyllama/llama-13b", 5120, 40, 13824, 40, 40, 32000),
            ("huggyllama/llama-30b", 6656, 60, 17920, 52, 52, 32000),
            ("huggyllama/llama-65b", 8192, 80, 22016, 64, 64, 32000),
            ("meta-llama/Llama-2-7b-hf", 4096, 32, 11008, 32, 32, 32000),
            ("meta-llama/Llama-2-13b-hf", 5120, 40, 13824, 40, 40, 32000),
            ("meta-llama/Llama-2-70b-hf", 8192, 80, 28672, 64, 8, 32000),
            ("meta-llama/Meta-Llama-3-8B", 4096, 32, 14336, 32, 8, 128256),
            ("meta-llama/Meta-Llama-3-70B", 8192, 80, 28672, 64, 8, 128256)]:
        out[name] = LlamaConfig(hidden_size=hidden, num_hidden_layers=layers, intermediate_size=ffn,
                                num_attention_heads=heads, num_key_value_heads=kv, vocab_size=vocab)
    out["mistralai/Mistral-7B-v0.1"] = MistralConfig(hidden_size=4096, num_hidden_layers=32, intermediate_size=14336,
                                                     num_attention_heads=32, num_key_value_heads=8, vocab_size=32000)
    return out


def main() -> int:
    import torch
    from transformers import AutoModelForCausalLM

    wrong = 0
    for name, config in configs().items():
        with torch.device("meta"):
            counted = AutoModelForCausalLM.from_config(config).num_parameters()
        known = known_model(name)
        ok = known is not None and known[1] == counted
        wrong += not ok
        print(f"{'ok ' if ok else 'BAD'} {name:36} counted {counted:>15,}  table {known[1] if known else None}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
