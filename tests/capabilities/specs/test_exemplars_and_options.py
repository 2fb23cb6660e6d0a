"""Fixed few-shot exemplars (`shots_from`) are shown in order and never scored; a case's options can
come from the case itself, so an option the case does not have is never scored."""

from __future__ import annotations

import json

import pytest
from fakes import ScriptedBackend

from pytest_emergent.capabilities.specs import SpecError, SpecFileError, load_specs
from pytest_emergent.capabilities.specs.planner import plan_model
from pytest_emergent.capabilities.specs.queries import queries
from pytest_emergent.models.model import Model
from pytest_emergent.scale import Scale

MODEL = Model("m", ScriptedBackend(), Scale(params=1e6))


def load(tmp_path, text):
    path = tmp_path / "s.yaml"
    path.write_text(text)
    return load_specs(path, "s.yaml")


def problems(tmp_path, text) -> str:
    with pytest.raises((SpecError, SpecFileError)) as info:
        load(tmp_path, text)
    return str(info.value)


CAPITALS = """
- id: capitals
  description: d
  formats: [qa]
  prompt: "Capital of {{ country }}?"
  examples: [{country: France, capital: Paris}, {country: Peru, capital: Lima}]
  expected: "{{ capital }}"
"""


def test_inline_exemplars_are_shown_before_every_case_in_their_order(tmp_path):
    (spec,) = load(tmp_path, CAPITALS + "  shots_from: [{country: Italy, capital: Rome}, {country: Japan, capital: Tokyo}]\n")
    prompts = [q.prompt for q in queries(MODEL, spec, "qa")]
    head = "Q: Capital of Italy?\nA: Rome\n\nQ: Capital of Japan?\nA: Tokyo\n\n"
    assert prompts == [head + "Q: Capital of France?\nA:", head + "Q: Capital of Peru?\nA:"]


def test_exemplars_are_never_scored_and_shots_takes_the_first_of_them(tmp_path):
    (tmp_path / "shots.jsonl").write_text("\n".join(json.dumps({"country": c, "capital": k})
                                                    for c, k in (("Italy", "Rome"), ("Japan", "Tokyo"))))
    (spec,) = load(tmp_path, CAPITALS + "  shots_from: shots.jsonl\n  shots: 1\n")
    backend = ScriptedBackend()
    plan_model(Model("m", backend, Scale(params=1e6)), [("k", spec, "qa")])
    sent = [r.prompt for r in backend.generate_calls[0]]
    assert len(sent) == 2 and all(p.startswith("Q: Capital of Italy?\nA: Rome\n\nQ: ") for p in sent)
    assert not any("Japan" in p for p in sent)
    assert [c.variables["country"] for c in spec.rendered["qa"]] == ["France", "Peru"]


def test_a_big_bench_hard_prompt_file_gives_exemplars_final_answers_and_its_description_as_prefix(tmp_path):
    (tmp_path / "p.txt").write_text("canary line\n-----\nName capitals.\n\nQ: Capital of Italy?\nA: Let's think. "
                                    "It is Rome. So the answer is Rome.\n\nQ: Capital of Japan?\nA: Tokyo")
    entry = ("- {id: c, description: d, formats: [qa], prompt: '{{ input }}', shots_from: p.txt, "
             "examples: [{input: 'Capital of Peru?', target: Lima}]")
    (spec,) = load(tmp_path, entry + "}\n")
    assert [(c.variables["input"], c.target) for c in spec.exemplars["qa"]] == [("Capital of Italy?", "Rome"),
                                                                                ("Capital of Japan?", "Tokyo")]
    assert spec.exemplars["qa"][0].variables["reasoning"] == "Let's think. It is Rome. So the answer is Rome."
    assert spec.prefix == "Name capitals."
    assert queries(MODEL, spec, "qa")[0].prompt == ("Name capitals.\n\nQ: Capital of Italy?\nA: Rome\n\n"
                                                    "Q: Capital of Japan?\nA: Tokyo\n\nQ: Capital of Peru?\nA:")
    (silent,) = load(tmp_path, entry + ', prefix: ""}\n')
    assert queries(MODEL, silent, "qa")[0].prompt.startswith("Q: Capital of Italy?")


def test_the_exemplars_are_part_of_the_definition(tmp_path):
    one = load(tmp_path, CAPITALS + "  shots_from: [{country: Italy, capital: Rome}]\n")[0].fingerprint("qa")
    two = load(tmp_path, CAPITALS + "  shots_from: [{country: Spain, capital: Madrid}]\n")[0].fingerprint("qa")
    assert one != two != load(tmp_path, CAPITALS)[0].fingerprint("qa")


@pytest.mark.parametrize("field, words", [
    ("shots_from: nowhere.jsonl", ["field 'shots_from'", "file nowhere.jsonl not found"]),
    ("shots_from: [{country: Italy}]", ["field 'expected'", "shots_from exemplar 0", "'capital' is undefined"]),
    ("shots_from: [{country: Italy, capital: Rome}]\n  shots: 2", ["field 'shots'", "2 shots asked",
                                                                  "shots_from has 1 exemplars"]),
    ("shots_from: [{country: Peru, capital: Lima}]", ["field 'shots_from'", "exemplar 0 is also a case",
                                                      "its own answer"]),
    ("shots_from: [3]", ["field 'shots_from'", "item 0: expected a map of template variables"]),
])
def test_bad_exemplars_name_the_field_and_the_exemplar(tmp_path, field, words):
    message = problems(tmp_path, CAPITALS + f"  {field}\n")
    assert all(w in message for w in words), message


DATES = """
- id: dates
  description: BBH-style multiple choice with the options inside the input
  prompt: "{{ input }}"
  examples:
    - input: "Which date?\\nOptions:\\n(A) 01/01\\n(B) 02/01\\n(C) 03/01\\n(D) 04/01\\n(E) 05/01"
      target: "(B)"
    - input: "Which date?\\nOptions:\\n(A) 01/01\\n(B) 02/01\\n(C) 03/01\\n(D) 04/01\\n(E) 05/01\\n(F) 06/01"
      target: "(F)"
  check: choice
  threshold: {tau: 0.5}
"""


@pytest.mark.parametrize("choices", [
    """'{{ input | findall("^\\\\([A-Z]\\\\)") }}'""",
    """["(A)", "(B)", "(C)", "(D)", "(E)", "{{ '(F)' if '(F)' in input }}"]""",
    """"{% for line in input.splitlines() if line.startswith('(') %}{{ line[:3] }}\\n{% endfor %}\"""",
])
def test_a_case_with_five_options_never_scores_a_sixth(tmp_path, choices):
    (spec,) = load(tmp_path, DATES + f"  choices: {choices}\n")
    five, six = spec.rendered["raw"]
    assert five.choices == ("(A)", "(B)", "(C)", "(D)", "(E)") and five.correct == (1,)
    assert six.choices == (*five.choices, "(F)") and six.correct == (5,)
    backend = ScriptedBackend()
    plan_model(Model("m", backend, Scale(params=1e6)), [("k", spec, "raw")])
    scored = [(r.context, r.continuation) for r in backend.score_calls[0]]
    first = [cont for context, cont in scored if context.endswith("(E) 05/01")]
    assert sorted(first) == [" (A)", " (B)", " (C)", " (D)", " (E)"]  # never " (F)"
    assert len(scored) == 11
    assert spec.chance == pytest.approx((1 / 5 + 1 / 6) / 2)  # guessing among the options each case has


def test_options_from_a_list_field_of_the_case(tmp_path):
    (spec,) = load(tmp_path, """
- id: pick
  description: d
  prompt: "{{ q }}"
  examples: [{q: "Red or blue?", options: [red, blue], answer: blue}, {q: "One of three?", options: [a, b, c], answer: a}]
  choices: "{{ options }}"
  expected: "{{ answer }}"
  threshold: {tau: 0.5}
""")
    assert [c.choices for c in spec.rendered["raw"]] == [("red", "blue"), ("a", "b", "c")]
    assert spec.check.type == "choice" and spec.chance == pytest.approx((1 / 2 + 1 / 3) / 2)


def test_options_that_cannot_be_read_name_the_case(tmp_path):
    message = problems(tmp_path, DATES + """  choices: '{{ input | findall("^\\\\(Z\\\\)") }}'\n""")
    assert "field 'choices'" in message and "case 0" in message and "no choices" in message
    message = problems(tmp_path, DATES + "  choices: '{{ nothing }}'\n")
    assert "field 'choices'" in message and "'nothing' is undefined" in message
