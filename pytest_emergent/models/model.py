"""The `model` object a test receives: generate, loglikelihood, choose, chat over a backend.

Every method takes one input or a list; a list becomes one backend call, with identical
requests computed once. All of them reach the backend through `complete` and `score`, and the
YAML spec items' planner through `ask`, both at once: the one place where requests are
deduplicated, failures are told apart from answers, and every exchange is shown to the
observer (the plugin keeps them as the test's evidence).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, TypeVar, overload

from ..backends.base import Backend, BackendError, GenerateRequest, LoglikelihoodRequest, RequestError
from ..progress import Display, Task, track
from ..scale import Scale
from .framing import FORMATS, Framed, Layout, Shot, check_format, frame, frame_messages

T = TypeVar("T")
R = TypeVar("R")
Observer = Callable[[str, Sequence[Any], Sequence[Any]], None]  # (kind, requests, answers)
LONG_LIST = 32  # a call with this many distinct requests shows its progress (when it lasts)

__all__ = ["FORMATS", "Choice", "Layout", "Model", "Shot"]


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


def _raise_failures(answers: list[Any]) -> list[Any]:
    __tracebackhide__ = True  # a failed request shows in the test's frame, not ours
    failed = next((a for a in answers if isinstance(a, RequestError)), None)
    if failed is not None:
        raise BackendError(failed.message)
    return answers


@dataclass
class Model:
    """A loaded model as tests see it."""

    name: str
    backend: Backend
    scale: Scale
    traits: tuple[str, ...] = ()
    family: str | None = None
    info: dict[str, Any] = field(default_factory=dict)
    observer: Observer | None = field(default=None, repr=False, compare=False)
    progress: Display | None = field(default=None, repr=False, compare=False)

    def __repr__(self) -> str:
        return f"<Model {self.name} params={self.scale.params}>"

    # -- the two ways to the backend ---------------------------------------------------------
    def working(self, total: int, *, least: int = 1) -> AbstractContextManager[Task | None]:
        """`total` requests to this model as one task, its progress on the terminal while it lasts;
        calls made inside it count into it. Fewer than `least` requests: no task."""
        return track(self.name, total, self.progress, least=least)

    def _counted(self, total: int, call: Callable[[], R]) -> R:
        """`call()` as a progress task of `total` requests (a long list only), reaching its total
        at the end for what the backend did not count itself."""
        with self.working(total, least=LONG_LIST) as task:
            before = task.done if task is not None else 0
            result = call()
            if task is not None:
                task.reach(before + total)
        return result

    def _ask(self, kind: str, requests: Sequence[T], call: Callable[[list[T]], list[Any]]) -> list[Any]:
        distinct = list(dict.fromkeys(requests))
        answers = dict(zip(distinct, self._counted(len(distinct), lambda: call(distinct) if distinct else [])))
        out = [answers[r] for r in requests]
        if self.observer is not None:
            self.observer(kind, requests, out)
        return out

    def complete(self, requests: Sequence[GenerateRequest], *, keep_errors: bool = False) -> list[Any]:
        """Greedy continuations of framed requests, each distinct request asked once.

        A request the backend could not answer raises BackendError, or with `keep_errors`
        comes back as a RequestError in its place (the YAML planner errors only its items)."""
        __tracebackhide__ = True
        out = self._ask("generate", requests, self.backend.generate)
        return out if keep_errors else _raise_failures(out)

    def score(self, requests: Sequence[LoglikelihoodRequest], *, keep_errors: bool = False) -> list[Any]:
        """Log-likelihoods of continuations, each distinct request asked once (see `complete`)."""
        __tracebackhide__ = True
        out = self._ask("loglikelihood", requests, self.backend.loglikelihood)
        return out if keep_errors else _raise_failures(out)

    def ask(self, generate: Sequence[GenerateRequest], score: Sequence[LoglikelihoodRequest], *,
            keep_errors: bool = False) -> tuple[list[Any], list[Any]]:
        """`complete(generate)` and `score(score)` in one backend call (`Backend.answer`), so a backend
        can share work between them: the hf backend scores an expected answer from the pass that
        generates from the same prompt. The observer sees the generations, then the scorings."""
        __tracebackhide__ = True
        distinct = list(dict.fromkeys(generate)), list(dict.fromkeys(score))
        total = len(distinct[0]) + len(distinct[1])
        answered = self._counted(total, lambda: self.backend.answer(*distinct) if total else ([], []))
        out = []
        for kind, requests, asked, answers in zip(("generate", "loglikelihood"), (generate, score), distinct, answered):
            by_request = dict(zip(asked, answers))
            out.append([by_request[r] for r in requests])
            if self.observer is not None and requests:
                self.observer(kind, requests, out[-1])
        return (out[0], out[1]) if keep_errors else (_raise_failures(out[0]), _raise_failures(out[1]))

    # -- prompts -----------------------------------------------------------------------------
    def frame(self, prompt: str, format: str | None = None, *, shots: Sequence[Shot] = (),
              system: str | None = None, prefix: str | None = None, layout: Layout | None = None) -> Framed:
        """`prompt` in a framing (`raw`, `qa`, `t5`, `instruct`), after its few-shot examples,
        joined as `layout` says (default: a blank line between examples, a space before an answer)."""
        render = self.backend.render_chat if self.backend.supports_chat() else None
        return frame(prompt, format, shots=shots, system=system, prefix=prefix, render_chat=render, layout=layout)

    def format_prompt(self, prompt: str, format: str | None) -> str:
        """The text a framing sends (for scoring); `instruct` is templated when the model has a template."""
        return self.frame(prompt, format).text

    # -- generation --------------------------------------------------------------------------
    @overload
    def generate(self, prompts: str, *, max_new_tokens: int = ..., stop: Any = ..., format: str | None = ...,
                 shots: Sequence[Shot | tuple[str, str]] = ..., layout: Layout | None = ...) -> str: ...
    @overload
    def generate(self, prompts: Sequence[str], *, max_new_tokens: int = ..., stop: Any = ..., format: str | None = ...,
                 shots: Sequence[Shot | tuple[str, str]] = ..., layout: Layout | None = ...) -> list[str]: ...

    def generate(self, prompts, *, max_new_tokens=32, stop=None, format=None, shots=(), layout=None):
        """Greedy continuation(s). `stop` cuts at the first stop string; by default the framing's
        own stops apply (`qa` and `t5` stop at a newline). `shots`: (prompt, answer) examples shown
        first, in the same framing, joined as `layout` says (`Layout`: separators)."""
        __tracebackhide__ = True
        check_format(format)
        single = isinstance(prompts, str)
        examples = tuple(s if isinstance(s, Shot) else Shot(*s) for s in shots)
        requests = []
        for prompt in [prompts] if single else list(prompts):
            framed = self.frame(prompt, format, shots=examples, layout=layout)
            stops = framed.stop if stop is None else (stop,) if isinstance(stop, str) else tuple(stop)
            requests.append(GenerateRequest(framed.text, max_new_tokens, stops, framed.messages))
        out = self.complete(requests)
        return out[0] if single else out

    def chat(self, messages, *, max_new_tokens: int = 128, stop=None):
        """Reply to a conversation (list of {'role','content'}), or to each of a list of them."""
        __tracebackhide__ = True
        single = bool(messages) and isinstance(messages[0], dict)
        requests = []
        render = self.backend.render_chat if self.backend.supports_chat() else None
        for conversation in [messages] if single else list(messages):
            framed = frame_messages(tuple((m["role"], m["content"]) for m in conversation), render)
            stops = (stop,) if isinstance(stop, str) else tuple(stop or ()) or framed.stop
            requests.append(GenerateRequest(framed.text, max_new_tokens, stops, framed.messages))
        out = [text.strip() for text in self.complete(requests)]
        return out[0] if single else out

    # -- scoring -----------------------------------------------------------------------------
    def loglikelihood(self, context, continuation=None):
        """log P(continuation | context); or, given a list of (context, continuation) pairs, a list."""
        __tracebackhide__ = True
        if continuation is not None:
            return self.score([LoglikelihoodRequest(context, continuation)])[0].logprob
        return [r.logprob for r in self.score([LoglikelihoodRequest(c, x) for c, x in context])]

    def choose(self, context, choices, *, format=None):
        """The most likely continuation among `choices`; lists of contexts and choice lists give a list."""
        __tracebackhide__ = True
        single = isinstance(context, str)
        contexts = [self.format_prompt(c, format) for c in ([context] if single else list(context))]
        option_sets = [list(choices)] if single else [list(c) for c in choices]
        if len(contexts) != len(option_sets):
            raise ValueError("choose: give one list of choices per context")
        if any(not options for options in option_sets):
            raise ValueError("choose: every context needs at least one choice")
        scores = iter(self.score([LoglikelihoodRequest(c, o) for c, options in zip(contexts, option_sets)
                                  for o in options]))
        out = []
        for options in option_sets:
            row = tuple(next(scores).logprob for _ in options)
            best = max(range(len(row)), key=row.__getitem__)
            out.append(Choice(best, tuple(options), row))
        return out[0] if single else out

