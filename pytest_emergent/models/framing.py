"""Prompt framings: the one place that turns a prompt (and its few-shot examples) into model input.

The framings are those of the seed essay: `qa` ("Q: …\\nA:" completion), `t5` (a task-prefixed
input, the prefix written into the prompt), `instruct` (a plain instruction, sent through the
chat template when the model has one) and `raw` (the text as written). Python tests
(`model.generate(..., format=...)`) and YAML spec items both frame their prompts here, so a
capability asked either way reaches the model as the same text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

FORMATS = ("qa", "t5", "instruct", "raw")
Messages = tuple[tuple[str, str], ...]
RenderChat = Callable[[Messages], "str | None"]

# A model without a chat template gets a plain transcript that ends where the reply starts,
# and stops where it would start writing the user's next turn.
TRANSCRIPT_STOP = ("\nUser:",)


@dataclass(frozen=True)
class Shot:
    """One few-shot example: a prompt and the answer shown after it."""

    prompt: str
    answer: str


@dataclass(frozen=True)
class Framed:
    """A prompt in a framing: the text a completion model continues (also the context answers
    are scored against), the chat turns when the model's template renders them, and the
    framing's default stop strings."""

    text: str
    messages: Messages | None = None
    stop: tuple[str, ...] = ()


def join_answer(prompt: str, answer: str) -> str:
    """Prompt and answer with one space between, unless either side already has whitespace."""
    space = "" if not answer or prompt[-1:].isspace() or answer[:1].isspace() else " "
    return f"{prompt}{space}{answer}"


def with_prefix(prefix: str | None, text: str) -> str:
    """A task prefix (BIG-bench's `task_prefix`) put once before everything, on its own line."""
    if not prefix:
        return text
    return f"{prefix}{'' if prefix[-1:].isspace() else chr(10)}{text}"


def transcript(messages: Messages) -> str:
    """A conversation as plain text for a model without a chat template."""
    return "\n".join(f"{role.capitalize()}: {content}" for role, content in messages) + "\nAssistant:"


def check_format(format: str | None) -> str:
    """The framing's name (None means raw); an unknown one is an error that lists the known ones."""
    if format is None:
        return "raw"
    if format not in FORMATS:
        raise ValueError(f"unknown prompt format {format!r}; expected one of {', '.join(FORMATS)}")
    return format


def frame(prompt: str, format: str | None = None, *, shots: Sequence[Shot] = (), system: str | None = None,
          prefix: str | None = None, render_chat: RenderChat | None = None) -> Framed:
    """`prompt` in `format`, after its few-shot examples (same framing), with an optional task prefix
    and system message. `render_chat` is the model's chat template (None: the model has none)."""
    format = check_format(format)
    if format == "instruct":
        return _instruct(prompt, shots, system, prefix, render_chat)
    if format == "qa":
        parts = [f"Q: {s.prompt}\nA: {s.answer}" for s in shots] + [f"Q: {prompt}\nA:"]
        return Framed(with_prefix(prefix, "\n".join(parts)), None, ("\n",))
    parts = [join_answer(s.prompt, s.answer) for s in shots] + [prompt]
    return Framed(with_prefix(prefix, "\n\n".join(parts)), None, ("\n",) if format == "t5" else ())


def _instruct(prompt: str, shots: Sequence[Shot], system: str | None, prefix: str | None,
              render_chat: RenderChat | None) -> Framed:
    messages: list[tuple[str, str]] = [("system", system)] if system else []
    for k, shot in enumerate(shots):
        messages += [("user", with_prefix(prefix, shot.prompt) if k == 0 else shot.prompt), ("assistant", shot.answer)]
    messages.append(("user", with_prefix(prefix, prompt) if not shots else prompt))
    if render_chat is None and len(messages) == 1:
        return Framed(messages[0][1])  # a plain instruction, as written, for a model without a template
    return frame_messages(tuple(messages), render_chat)


def frame_messages(messages: Messages, render_chat: RenderChat | None) -> Framed:
    """A conversation through the model's chat template, or as a transcript when it has none."""
    if render_chat is not None:
        rendered = render_chat(messages)
        if rendered is not None:
            return Framed(rendered, messages, ())
    return Framed(transcript(messages), None, TRANSCRIPT_STOP)
