"""Tokenisation rules shared by the backends that hold a tokenizer (hf, vllm).

One place decides how a prompt, a chat turn and a (context, continuation) pair become token ids
and how generated text is cut at a stop string, so two backends on the same weights see the same
tokens and their answers can be compared. Imports no torch.
"""

from __future__ import annotations

from typing import Any

from .base import GenerateRequest


def cut_at_stop(text: str, stop: tuple[str, ...]) -> tuple[str, bool]:
    """Text before the earliest stop string, and whether one was found."""
    cut = min((i for i in (text.find(s) for s in stop if s) if i >= 0), default=-1)
    return (text[:cut], True) if cut >= 0 else (text, False)


def encode(tokenizer: Any, text: str, special: bool = True) -> list[int]:
    """Token ids of `text`; templated text that already starts with BOS gets no second one."""
    bos = tokenizer.bos_token
    if bos and text.startswith(bos):
        special = False
    return list(tokenizer(text, add_special_tokens=special)["input_ids"])


def render_chat(tokenizer: Any, messages: tuple[tuple[str, str], ...]) -> str | None:
    """The chat template applied to `messages` with the assistant's turn opened; None without a template."""
    if not getattr(tokenizer, "chat_template", None):
        return None
    turns = [{"role": role, "content": content} for role, content in messages]
    return tokenizer.apply_chat_template(turns, add_generation_prompt=True, tokenize=False)


def prompt_ids(tokenizer: Any, request: GenerateRequest, pad_id: int) -> list[int]:
    """Token ids of a generation request: a chat turn through the template, else the prompt."""
    if request.messages is not None:
        rendered = render_chat(tokenizer, request.messages)
        if rendered is None:
            raise ValueError("a chat request reached a model without a chat template")
        return encode(tokenizer, rendered, special=False)
    return encode(tokenizer, request.prompt) or [pad_id]


def split_pair(tokenizer: Any, context: str, continuation: str, pad_id: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Token ids of (context, continuation), the continuation tokenised in its context.

    Tokenising the joined text keeps merges across the boundary as the model saw them in
    training; when the joined tokens do not start with the context's, the continuation is
    tokenised alone. An empty context becomes BOS (or the pad token), so the first continuation
    token has something to be predicted from.
    """
    head = encode(tokenizer, context)
    whole = encode(tokenizer, context + continuation)
    if whole[: len(head)] == head and len(whole) > len(head):
        tail = whole[len(head):]
    else:
        tail = encode(tokenizer, continuation, special=False)
    if not head:
        bos = tokenizer.bos_token_id
        head = [bos if bos is not None else pad_id]
    return tuple(head), tuple(tail)
