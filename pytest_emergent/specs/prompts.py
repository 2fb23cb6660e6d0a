"""From a rendered case to what the backend is asked, for one model and one framing.

The framing depends on the model (its chat template), so this runs when the model is loaded;
few-shot examples come first, in the same framing as the case.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..backends.base import GenerateRequest, LoglikelihoodRequest
from ..model import Model
from .types import Rendered, Spec

_GENERATING = ("exact", "contains", "starts_with", "regex", "number", "python", "code", "similar", "judge")


@dataclass(frozen=True)
class Query:
    """The requests one case makes: a generation and/or the continuations to score."""

    generate: GenerateRequest | None
    target: LoglikelihoodRequest | None
    choices: tuple[LoglikelihoodRequest, ...] = ()


def _join(prompt: str, answer: str) -> str:
    """Prompt and answer with one space between, unless either side already has whitespace."""
    return f"{prompt}{'' if not answer or prompt[-1:].isspace() or answer[:1].isspace() else ' '}{answer}"


def _with_prefix(prefix: str | None, text: str) -> str:
    if not prefix:
        return text
    return f"{prefix}{'' if prefix[-1:].isspace() else chr(10)}{text}"


Messages = tuple[tuple[str, str], ...]


def context_of(model: Model, spec: Spec, format: str, index: int) -> tuple[str, Messages | None, tuple[str, ...]]:
    """(text the model continues, chat turns when the backend templates them, default stop strings)."""
    cases = spec.rendered[format]
    case = cases[index]
    shots = [cases[j] for j in spec.shot_indices[index]]
    if format == "instruct":
        return _instruct(model, spec, case, shots)
    if format == "qa":
        parts = [f"Q: {s.prompt}\nA: {s.target}" for s in shots] + [f"Q: {case.prompt}\nA:"]
        return _with_prefix(spec.prefix, "\n".join(parts)), None, ("\n",)
    parts = [_join(s.prompt, s.target) for s in shots] + [case.prompt]
    return _with_prefix(spec.prefix, "\n\n".join(parts)), None, ("\n",) if format == "t5" else ()


def _instruct(model: Model, spec: Spec, case: Rendered, shots: list[Rendered]) -> tuple[str, Messages | None, tuple[str, ...]]:
    messages: list[tuple[str, str]] = [("system", spec.system)] if spec.system else []
    turns = [*shots, case]
    for k, turn in enumerate(turns):
        messages.append(("user", _with_prefix(spec.prefix, turn.prompt) if k == 0 else turn.prompt))
        if turn is not case:
            messages.append(("assistant", turn.target))
    if model.backend.supports_chat():
        chat = tuple(messages)
        return model.backend.render_chat(chat) or case.prompt, chat, ()
    if len(messages) == 1:  # a plain instruction, as the model fixture sends it without a template
        return messages[0][1], None, ()
    lines = [f"{role.capitalize()}: {content}" for role, content in messages]
    return "\n".join(lines) + "\nAssistant:", None, ("\nUser:",)


def queries(model: Model, spec: Spec, format: str) -> list[Query]:
    """One query per case of (spec, format) for this model."""
    out = []
    check = spec.check.type
    for index, case in enumerate(spec.rendered[format]):
        text, messages, stops = context_of(model, spec, format, index)
        generate = None
        if check in _GENERATING:
            stop = spec.stop if spec.stop is not None else stops
            generate = GenerateRequest(text, spec.max_new_tokens, tuple(stop), messages)
        target = None
        if case.expected and check != "choice":
            target = LoglikelihoodRequest(text, _join(text, case.expected[0])[len(text):])
        choices = tuple(LoglikelihoodRequest(text, _join(text, c)[len(text):]) for c in case.choices) \
            if check == "choice" else ()
        out.append(Query(generate, target, choices))
    return out
