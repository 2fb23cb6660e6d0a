"""The `model` object a test receives: generate, loglikelihood, choose, chat over a backend.

Every method takes one input or a list; a list becomes one batched backend call, with
identical requests computed once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence, TypeVar, overload

from .backends.base import Backend, GenerateRequest, LoglikelihoodRequest
from .scale import Scale

FORMATS = ("raw", "qa", "t5", "instruct")
T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Choice:
    """The most likely of several continuations, with every choice's log-likelihood."""

    index: int
    choices: tuple[str, ...]
    scores: tuple[float, ...]

    @property
    def text(self) -> str:
        return self.choices[self.index]

    @property
    def margin(self) -> float:
        """Log-likelihood of the best choice minus the runner-up (0 with one choice)."""
        ranked = sorted(self.scores, reverse=True)
        return ranked[0] - ranked[1] if len(ranked) > 1 else 0.0


def _unique_call(items: list[T], call: Any) -> list[Any]:
    """Call the backend once per distinct item and spread the answers back."""
    distinct = list(dict.fromkeys(items))
    answers = dict(zip(distinct, call(distinct)))
    return [answers[item] for item in items]


@dataclass
class Model:
    """A loaded model as tests see it."""

    name: str
    backend: Backend
    scale: Scale
    traits: tuple[str, ...] = ()
    family: str | None = None
    info: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"<Model {self.name} params={self.scale.params}>"

    # -- prompts -----------------------------------------------------------------------------
    def format_prompt(self, prompt: str, format: str | None) -> tuple[str, bool]:
        """(prompt text, whether the tokenizer adds special tokens) for a framing of DESIGN §5."""
        if format in (None, "raw", "t5"):
            return prompt, True
        if format == "qa":
            return f"Q: {prompt}\nA:", True
        if format == "instruct":
            templated = self.backend.chat_prompt([{"role": "user", "content": prompt}])
            return (templated, False) if templated is not None else (prompt, True)
        raise ValueError(f"unknown prompt format {format!r}; expected one of {', '.join(FORMATS)}")

    # -- generation --------------------------------------------------------------------------
    @overload
    def generate(self, prompts: str, *, max_new_tokens: int = ..., stop: Any = ..., format: str | None = ...) -> str: ...
    @overload
    def generate(self, prompts: Sequence[str], *, max_new_tokens: int = ..., stop: Any = ..., format: str | None = ...) -> list[str]: ...

    def generate(self, prompts, *, max_new_tokens=32, stop=None, format=None):
        """Greedy continuation(s); `stop` cuts at the first stop string; `qa` stops at a newline by default."""
        single = isinstance(prompts, str)
        items = [prompts] if single else list(prompts)
        if stop is None:
            stop = ("\n",) if format == "qa" else ()
        stops = (stop,) if isinstance(stop, str) else tuple(stop)
        requests = []
        for prompt in items:
            text, special = self.format_prompt(prompt, format)
            requests.append(GenerateRequest(text, max_new_tokens, stops, special))
        out = _unique_call(requests, self.backend.generate)
        return out[0] if single else out

    def chat(self, messages, *, max_new_tokens: int = 128, stop=None):
        """Reply to a conversation (list of {'role','content'}), or to each of a list of them."""
        single = bool(messages) and isinstance(messages[0], dict)
        conversations = [messages] if single else list(messages)
        stops = (stop,) if isinstance(stop, str) else tuple(stop or ())
        requests = []
        for conversation in conversations:
            templated = self.backend.chat_prompt(list(conversation))
            if templated is None:  # no template: a plain transcript that ends where the reply starts
                lines = [f"{m['role'].capitalize()}: {m['content']}" for m in conversation]
                templated, special = "\n".join(lines) + "\nAssistant:", True
                stops = stops or ("\nUser:",)
            else:
                special = False
            requests.append(GenerateRequest(templated, max_new_tokens, stops, special))
        out = [text.strip() for text in _unique_call(requests, self.backend.generate)]
        return out[0] if single else out

    # -- scoring -----------------------------------------------------------------------------
    def loglikelihood(self, context, continuation=None):
        """log P(continuation | context); or, given a list of (context, continuation) pairs, a list."""
        if continuation is not None:
            return self.backend.loglikelihood([LoglikelihoodRequest(context, continuation)])[0].logprob
        requests = [LoglikelihoodRequest(c, x) for c, x in context]
        return [r.logprob for r in _unique_call(requests, self.backend.loglikelihood)]

    def choose(self, context, choices, *, format=None):
        """The most likely continuation among `choices`; lists of contexts and choice lists give a list."""
        single = isinstance(context, str)
        contexts = [context] if single else list(context)
        contexts = [self.format_prompt(c, format)[0] for c in contexts]
        option_sets = [list(choices)] if single else [list(c) for c in choices]
        if len(contexts) != len(option_sets):
            raise ValueError("choose: give one list of choices per context")
        for options in option_sets:
            if not options:
                raise ValueError("choose: every context needs at least one choice")
        pairs = [(c, option) for c, options in zip(contexts, option_sets) for option in options]
        scores = iter(self.loglikelihood(pairs))
        out = []
        for options in option_sets:
            row = tuple(next(scores) for _ in options)
            best = max(range(len(row)), key=row.__getitem__)
            out.append(Choice(best, tuple(options), row))
        return out[0] if single else out
