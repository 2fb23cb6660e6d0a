"""From a spec entry's cases to what the model is asked, for one model and one framing.

The framing depends on the model (its chat template), so this runs when the model is loaded;
the model frames each case after its few-shot examples (`Model.frame`, the framing Python
tests use too).
"""

from __future__ import annotations

from dataclasses import dataclass

from ...backends.base import GenerateRequest, LoglikelihoodRequest
from ...checks.types import generates
from ...models.framing import Layout
from ...models.model import Model
from .entry import Spec


@dataclass(frozen=True)
class Query:
    """The requests one case makes: a generation and/or the continuations to score."""

    prompt: str  # the framed text, as sent (the case's evidence shows it)
    generate: GenerateRequest | None
    target: LoglikelihoodRequest | None
    choices: tuple[LoglikelihoodRequest, ...] = ()

    def requests(self) -> tuple[GenerateRequest | LoglikelihoodRequest, ...]:
        return tuple(r for r in (self.generate, self.target, *self.choices) if r is not None)


def _continuation(layout: Layout, context: str, answer: str) -> str:
    """The answer as scored after the context: with the separator a shot puts between them."""
    return layout.answer(context, answer)[len(context):]


def queries(model: Model, spec: Spec, format: str) -> list[Query]:
    """One query per case of (spec, format) for this model."""
    cases = spec.rendered[format]
    kind = spec.check.type
    out = []
    for index, case in enumerate(cases):
        framed = model.frame(case.prompt, format, shots=spec.shots_for(format, index), system=spec.system,
                             prefix=spec.prefix, layout=spec.layout)
        generate = None
        if generates(kind):
            stop = spec.stop.get(format)
            generate = GenerateRequest(framed.text, spec.max_new_tokens, framed.stop if stop is None else stop,
                                       framed.messages)
        target = None
        if case.expected and kind != "choice":
            target = LoglikelihoodRequest(framed.text, _continuation(spec.layout, framed.text, case.expected[0]))
        choices = tuple(LoglikelihoodRequest(framed.text, _continuation(spec.layout, framed.text, c))
                        for c in case.choices) if kind == "choice" else ()
        out.append(Query(framed.text, generate, target, choices))
    return out
