"""The model object: list forms, deduplication, framings and choices, over a scripted backend."""

from __future__ import annotations

import pytest

from pytest_emergent import Choice, Layout, Model, Scale, Shot
from pytest_emergent.backends import Backend, GenerateRequest, Loglikelihood, LoglikelihoodRequest, ModelInfo


class Scripted(Backend):
    """Answers from a table; counts what it was asked."""

    def __init__(self, template: str | None = None):
        self.calls: list[list] = []
        self.template = template

    def generate(self, requests: list[GenerateRequest]) -> list[str]:
        self.calls.append(list(requests))
        return [f"<{self.render_chat(r.messages) if r.messages else r.prompt}>" for r in requests]

    def loglikelihood(self, requests: list[LoglikelihoodRequest]) -> list[Loglikelihood]:
        self.calls.append(list(requests))
        return [Loglikelihood(-float(len(r.continuation)), True, 1) for r in requests]

    def supports_chat(self) -> bool:
        return self.template is not None

    def render_chat(self, messages):
        return None if self.template is None else self.template.format(messages[-1][1])

    def info(self) -> ModelInfo:
        return ModelInfo(params=1e6)


def make(template: str | None = None) -> tuple[Model, Scripted]:
    backend = Scripted(template)
    return Model("scripted", backend, Scale(params=1e6)), backend


def test_a_list_of_prompts_is_one_backend_call_with_duplicates_asked_once():
    model, backend = make()
    assert model.generate(["a", "b", "a"]) == ["<a>", "<b>", "<a>"]
    assert len(backend.calls) == 1 and [r.prompt for r in backend.calls[0]] == ["a", "b"]


def test_qa_framing_wraps_the_prompt_and_stops_at_a_newline():
    model, backend = make()
    model.generate("What is 2 + 3?", format="qa")
    (request,) = backend.calls[0]
    assert request.prompt == "Q: What is 2 + 3?\nA:" and request.stop == ("\n",)


def test_few_shot_generation_sends_the_text_the_framing_produces_in_the_layout_asked():
    model, backend = make()
    shots = [("What is 1 + 1?", "2")]
    model.generate("What is 2 + 3?", format="qa", shots=shots)
    model.generate("What is 2 + 3?", format="qa", shots=shots, layout=Layout(shot_separator="\n"))
    sent = [calls[0].prompt for calls in backend.calls]
    assert sent == ["Q: What is 1 + 1?\nA: 2\n\nQ: What is 2 + 3?\nA:", "Q: What is 1 + 1?\nA: 2\nQ: What is 2 + 3?\nA:"]
    assert sent[0] == model.frame("What is 2 + 3?", "qa", shots=[Shot(*shots[0])]).text


def test_instruct_framing_is_a_chat_turn_when_the_model_has_a_template():
    model, backend = make(template="[INST]{}[/INST]")
    assert model.generate("Say hi", format="instruct") == "<[INST]Say hi[/INST]>"
    assert backend.calls[0][0].messages == (("user", "Say hi"),)
    assert model.format_prompt("Say hi", "instruct") == "[INST]Say hi[/INST]"


def test_instruct_framing_without_a_template_sends_the_plain_instruction():
    model, backend = make()
    assert model.generate("Say hi", format="instruct") == "<Say hi>"
    assert backend.calls[0][0].messages is None


def test_an_unknown_framing_is_refused():
    model, _ = make()
    with pytest.raises(ValueError, match="unknown prompt format 'poem'"):
        model.generate("x", format="poem")


def test_choose_picks_the_most_likely_option_and_reports_the_margin():
    model, backend = make()
    choice = model.choose("2 + 3 =", [" 55", " 5", " 555"])
    assert choice == Choice(1, (" 55", " 5", " 555"), (-3.0, -2.0, -4.0))
    assert choice.text == " 5" and choice.margin == 1.0
    assert len(backend.calls) == 1


def test_choose_over_many_contexts_is_one_batched_call():
    model, backend = make()
    picks = model.choose(["a", "b"], [[" x", " yy"], [" zzz", " w"]])
    assert [p.text for p in picks] == [" x", " w"]
    assert len(backend.calls) == 1 and len(backend.calls[0]) == 4


def test_chat_without_a_template_falls_back_to_a_plain_transcript():
    model, backend = make()
    model.chat([{"role": "user", "content": "hi"}])
    assert backend.calls[0][0].prompt == "User: hi\nAssistant:"


def test_loglikelihood_takes_one_pair_or_a_list():
    model, _ = make()
    assert model.loglikelihood("ctx", " abc") == -4.0
    assert model.loglikelihood([("ctx", " a"), ("ctx", " ab")]) == [-2.0, -3.0]
