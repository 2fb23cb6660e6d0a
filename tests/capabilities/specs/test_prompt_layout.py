"""What a spec says about the text around its prompts reaches the model exactly: the separators of a
few-shot prompt (`layout`), stop strings per format, and the answer cue of a BIG-bench task in `raw`."""

from __future__ import annotations

import json

import pytest
from fakes import ScriptedBackend

from pytest_emergent.capabilities.specs import SpecError, SpecFileError, load_specs
from pytest_emergent.capabilities.specs.queries import queries
from pytest_emergent.models.model import Model
from pytest_emergent.scale import Scale

MODEL = Model("m", ScriptedBackend(), Scale(params=1e6))


def load(tmp_path, text):
    path = tmp_path / "s.yaml"
    path.write_text(text)
    return load_specs(path, "s.yaml")


def sent(spec, format):
    return [q.generate for q in queries(MODEL, spec, format)]


ADD = """
- id: add
  description: addition
  formats: [qa, raw]
  prompt: "{{ a }} + {{ b }} ="
  examples: [{a: 1, b: 1}, {a: 2, b: 2}]
  expected: "{{ a + b }}"
  shots: 1
"""


def test_a_spec_layout_joins_shots_answers_and_prefix_as_written(tmp_path):
    (spec,) = load(tmp_path, ADD + '  prefix: Add.\n  layout: {shot_separator: "\\n---\\n", answer_separator: "\\t", '
                                   'prefix_separator: "\\n"}\n')
    assert sent(spec, "qa")[0].prompt == "Add.\nQ: 2 + 2 =\nA:\t4\n---\nQ: 1 + 1 =\nA:"
    assert sent(spec, "raw")[1].prompt == "Add.\n1 + 1 =\t2\n---\n2 + 2 ="
    assert queries(MODEL, spec, "raw")[0].target.continuation == "\t2"  # the answer is scored as a shot shows it


def test_the_default_layout_is_a_blank_line_between_examples_and_a_space_before_each_answer(tmp_path):
    (spec,) = load(tmp_path, ADD)
    assert sent(spec, "qa")[0].prompt == "Q: 2 + 2 =\nA: 4\n\nQ: 1 + 1 =\nA:"
    assert queries(MODEL, spec, "qa")[0].target.continuation == " 2"


def test_the_layout_is_part_of_the_definition_where_it_shapes_the_text(tmp_path):
    plain = load(tmp_path, ADD)[0].fingerprint("qa")
    assert plain != load(tmp_path, ADD + '  layout: {shot_separator: "\\n"}\n')[0].fingerprint("qa")
    assert plain == load(tmp_path, ADD + '  layout: {shot_separator: "\\n\\n"}\n')[0].fingerprint("qa")


def test_stop_strings_can_differ_per_format_and_a_format_without_one_keeps_its_framings(tmp_path):
    (spec,) = load(tmp_path, ADD.replace("formats: [qa, raw]", "formats: [qa, raw, t5]") +
                   '  t5_prefix: sum\n  stop: {raw: ["\\n\\n", "Q:"], instruct: "x"}\n')
    assert sent(spec, "raw")[0].stop == ("\n\n", "Q:")
    assert sent(spec, "qa")[0].stop == ("\n",) and sent(spec, "t5")[0].stop == ("\n",)
    (one,) = load(tmp_path, ADD + '  stop: "."\n')
    assert sent(one, "qa")[0].stop == sent(one, "raw")[0].stop == (".",)


@pytest.mark.parametrize("field, words", [
    ('layout: {shot_separater: "\\n"}', ["field 'layout'", "unknown separator 'shot_separater'",
                                         "did you mean 'shot_separator'"]),
    ("layout: {shot_separator: 2}", ["field 'layout'", "shot_separator: expected a string"]),
    ("layout: [a]", ["field 'layout'", "expected a map"]),
    ('stop: {qa: "\\n", row: "x"}', ["field 'stop'", "unknown format 'row'", "did you mean 'raw'"]),
    ('stop: {qa: ""}', ["field 'stop'", "qa: expected a non-empty string"]),
])
def test_a_bad_layout_or_stop_names_its_field(tmp_path, field, words):
    with pytest.raises((SpecError, SpecFileError)) as info:
        load(tmp_path, ADD + f"  {field}\n")
    assert all(w in str(info.value) for w in words), str(info.value)


def test_raw_with_a_big_bench_task_file_puts_each_answer_after_a_cue_not_after_the_last_option(tmp_path):
    examples = [{"input": f"Go {k} steps.\nOptions:\n- Yes\n- No", "target": t} for k, t in ((1, "No"), (2, "Yes"))]
    (tmp_path / "task.json").write_text(json.dumps({"examples": examples}))
    (spec,) = load(tmp_path, "- {id: nav, description: d, data: task.json, formats: [raw], shots: 1}\n")
    assert sent(spec, "raw")[0].prompt == "Q: Go 2 steps.\nOptions:\n- Yes\n- No\nA: Yes\n\nQ: Go 1 steps.\nOptions:\n- Yes\n- No\nA:"
    (qa,) = load(tmp_path, "- {id: nav, description: d, data: task.json, formats: [qa], shots: 1}\n")
    assert sent(qa, "qa")[0].prompt == sent(spec, "raw")[0].prompt  # BIG-bench's own Q:/A: either way


def test_raw_with_a_task_file_uses_the_files_own_example_prefixes(tmp_path):
    task = {"examples": [{"input": "2+2", "target": "4"}], "example_input_prefix": "\nQuestion: ",
            "example_output_prefix": "\nAnswer: "}
    (tmp_path / "task.json").write_text(json.dumps(task))
    (spec,) = load(tmp_path, "- {id: t, description: d, data: task.json}\n")
    assert spec.formats == ("raw",) and sent(spec, "raw")[0].prompt == "Question: 2+2\nAnswer:"
