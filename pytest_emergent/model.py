"""The `model` object a test receives: generate, loglikelihood, choose, chat over a backend.

Every method takes one input or a list; a list becomes one batched backend call, with
identical requests computed once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, overload

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
    def _request(self, prompt: str, format: str | None, max_new_tokens: int, stop: tuple[str, ...]) -> GenerateRequest:
        """A request in one of the framings of DESIGN §5."""
        if format in (None, "raw", "t5"):
            return GenerateRequest(prompt, max_new_tokens, stop)
        if format == "qa":
            return GenerateRequest(f"Q: {prompt}\nA:", max_new_tokens, stop)
        if format == "instruct":
            if self.backend.supports_chat():
                return GenerateRequest(prompt, max_new_tokens, stop, (("user", prompt),))
            return GenerateRequest(prompt, max_new_tokens, stop)
        raise ValueError(f"unknown prompt format {format!r}; expected one of {', '.join(FORMATS)}")

    def format_prompt(self, prompt: str, format: str | None) -> str:
        """The text a framing sends (for scoring); `instruct` is templated when the model has a template."""
        request = self._request(prompt, format, 0, ())
        if request.messages is not None:
            templated = self.backend.render_chat(request.messages)
            if templated is not None:
                return templated
        return request.prompt

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
        requests = [self._request(prompt, format, max_new_tokens, stops) for prompt in items]
        out = _unique_call(requests, self.backend.generate)
        return out[0] if single else out

    def chat(self, messages, *, max_new_tokens: int = 128, stop=None):
        """Reply to a conversation (list of {'role','content'}), or to each of a list of them."""
        single = bool(messages) and isinstance(messages[0], dict)
        conversations = [messages] if single else list(messages)
        stops = (stop,) if isinstance(stop, str) else tuple(stop or ())
        requests = []
        for conversation in conversations:
            turns = tuple((m["role"], m["content"]) for m in conversation)
            if self.backend.supports_chat():
                requests.append(GenerateRequest("", max_new_tokens, stops, turns))
            else:  # no template: a plain transcript that ends where the reply starts
                transcript = "\n".join(f"{role.capitalize()}: {content}" for role, content in turns) + "\nAssistant:"
                requests.append(GenerateRequest(transcript, max_new_tokens, stops or ("\nUser:",)))
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
        contexts = [self.format_prompt(c, format) for c in contexts]
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
