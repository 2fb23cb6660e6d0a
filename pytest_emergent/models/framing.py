"""Prompt framings: the one place that turns a prompt (and its few-shot examples) into model input.

The framings are those of the seed essay: `qa` ("Q: …\\nA:" completion), `t5` (a task-prefixed
input, the prefix written into the prompt), `instruct` (a plain instruction, sent through the
chat template when the model has one) and `raw` (the text as written). Python tests
(`model.generate(..., format=...)`) and YAML spec items both frame their prompts here, so a
capability asked either way reaches the model as the same text. A `Layout` says how examples,
answers and a task prefix are joined (docs/specs.md, "Framings", lists the exact strings).
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


@dataclass(frozen=True)
class Layout:
    """The strings that join the parts of a few-shot prompt, as lm-evaluation-harness and the
    BIG-Bench Hard authors join them by default: a blank line between examples (and after a task
    prefix), one space between a prompt and its answer.

    `None` means the default, left out where the text already has whitespace at that place (a
    prompt that ends with a newline, an answer that starts with a space); a string that is set
    is used as written."""

    shot_separator: str = "\n\n"  # between one example and the next, and before the case
    answer_separator: str | None = None  # between a prompt (its answer cue) and the answer: " "
    prefix_separator: str | None = None  # after the task prefix: the shot separator

    def answer(self, prompt: str, answer: str) -> str:
        """A prompt followed by its answer (a shot, or the continuation a check scores)."""
        if self.answer_separator is not None:
            return f"{prompt}{self.answer_separator}{answer}"
        return join_answer(prompt, answer)

    def prefixed(self, prefix: str | None, text: str) -> str:
        """A task prefix (BIG-bench's `task_prefix`, a benchmark's description) once before `text`."""
        if not prefix:
            return text
        if self.prefix_separator is not None:
            return f"{prefix}{self.prefix_separator}{text}"
        return f"{prefix}{'' if prefix[-1:].isspace() else self.shot_separator}{text}"


DEFAULT_LAYOUT = Layout()


def join_answer(prompt: str, answer: str) -> str:
    """Prompt and answer with one space between, unless either side already has whitespace."""
    space = "" if not answer or prompt[-1:].isspace() or answer[:1].isspace() else " "
    return f"{prompt}{space}{answer}"


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
          prefix: str | None = None, render_chat: RenderChat | None = None, layout: Layout | None = None) -> Framed:
    """`prompt` in `format`, after its few-shot examples (same framing), with an optional task prefix
    and system message, joined as `layout` says. `render_chat` is the model's chat template (None:
    the model has none)."""
    format = check_format(format)
    layout = layout or DEFAULT_LAYOUT
    if format == "instruct":
        return _instruct(prompt, shots, system, prefix, render_chat, layout)
    if format == "qa":
        blocks = [layout.answer(qa_prompt(s.prompt), s.answer) for s in shots] + [qa_prompt(prompt)]
    else:
        blocks = [layout.answer(s.prompt, s.answer) for s in shots] + [prompt]
    text = layout.prefixed(prefix, layout.shot_separator.join(blocks))
    return Framed(text, None, () if format == "raw" else ("\n",))


def qa_prompt(prompt: str) -> str:
    """A question in the `qa` framing, up to its answer cue."""
    return f"Q: {prompt}\nA:"


def _instruct(prompt: str, shots: Sequence[Shot], system: str | None, prefix: str | None,
              render_chat: RenderChat | None, layout: Layout) -> Framed:
    messages: list[tuple[str, str]] = [("system", system)] if system else []
    for k, shot in enumerate(shots):
        messages += [("user", layout.prefixed(prefix, shot.prompt) if k == 0 else shot.prompt), ("assistant", shot.answer)]
    messages.append(("user", layout.prefixed(prefix, prompt) if not shots else prompt))
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
