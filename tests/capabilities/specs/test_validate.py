"""Validation, called directly: a spec file becomes `Spec` records, or errors naming file, line, entry and field."""

from __future__ import annotations

import pytest

from pytest_emergent.capabilities.specs import SpecError, SpecFileError, load_specs


def load(tmp_path, text):
    path = tmp_path / "s.yaml"
    path.write_text(text)
    return load_specs(path, "s.yaml")


def problems(tmp_path, text) -> str:
    with pytest.raises((SpecError, SpecFileError)) as info:
        load(tmp_path, text)
    return str(info.value)


def test_an_entry_becomes_a_spec_with_every_case_rendered_per_framing(tmp_path):
    (spec,) = load(tmp_path, """
- id: add
  description: addition
  formats: [qa, t5]
  t5_prefix: sum
  prompt: "{{ a }} + {{ b }}"
  examples: [{a: 1, b: 2}, {a: 3, b: 4}]
  expected: "{{ a + b }}"
  check: number
  threshold: 0.5
""")
    assert spec.formats == ("qa", "t5") and spec.threshold == 0.5 and spec.check.type == "number"
    assert [c.prompt for c in spec.rendered["t5"]] == ["sum: 1 + 2", "sum: 3 + 4"]
    assert [c.expected for c in spec.rendered["qa"]] == [("3",), ("7",)]
    assert spec.capability("qa") == "add[qa]" and spec.line == 2


def test_the_definition_fingerprint_follows_what_is_measured_not_the_description(tmp_path):
    base = """
- id: x
  description: {description}
  prompt: "{{{{ a }}}}"
  examples: [{{a: 1, expected: "1"}}]
  threshold: {threshold}
"""
    one = load(tmp_path, base.format(description="first", threshold=0.5))[0].fingerprint("raw")
    assert one == load(tmp_path, base.format(description="reworded", threshold=0.5))[0].fingerprint("raw")
    assert one != load(tmp_path, base.format(description="first", threshold=0.8))[0].fingerprint("raw")


@pytest.mark.parametrize("entry, words", [
    ("{id: a b, description: d, prompt: p, examples: [{expected: x}]}", ["entry 'a b'", "field 'id'"]),
    ("{id: a, description: d, prompt: p, examples: [{expected: x}], check: exactly}",
     ["field 'check'", "unknown check 'exactly'", "did you mean 'exact'"]),
    ("{id: a, description: d, prompt: p, examples: [{expected: x}], threshold: 2}",
     ["field 'threshold'", "between 0 and 1"]),
    ("{id: a, description: d, prompt: '{{ b }}', examples: [{a: 1, expected: x}]}", ["field 'prompt'", "case 0"]),
    ("{id: a, description: d, prompt: p, examples: [{expected: x}], data: f.jsonl}",
     ["exactly one source of cases"]),
    ("{id: a, description: d, prompt: p, generate: {n: {integers: [5, 1]}}, expected: x}",
     ["field 'generate'", "min 5 is greater than max 1"]),
    ("{id: a, description: d, prompt: p, examples: [{expected: x}], formats: [qa, chat]}",
     ["field 'formats'", "unknown format 'chat'"]),
])
def test_each_mistake_names_the_file_the_entry_and_the_field(tmp_path, entry, words):
    message = problems(tmp_path, f"- {entry}\n")
    assert "s.yaml" in message
    for word in words:
        assert word in message


def test_a_file_that_is_not_a_list_of_entries_says_what_it_expected(tmp_path):
    assert "expected a list of capability entries" in problems(tmp_path, "id: a\n")
