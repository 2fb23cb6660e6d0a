"""A broken spec file is one collection error naming file, entry, field and what was expected;
the valid files beside it still run."""

from __future__ import annotations

import pytest

VALID = """
- id: valid/echo
  description: a spec that is fine
  prompt: "Say {{ word }}"
  examples: [{word: a}, {word: b}]
  expected: "{{ word }}"
  check: contains
  threshold: 0
"""

BROKEN = {
    "bad_yaml": ("- id: x\n  description: [unclosed\n", ["*bad_yaml.yaml:*invalid YAML*"]),
    "unknown_check": ("- id: x\n  description: d\n  prompt: p\n  examples: [{}]\n  check: exakt\n",
                      ["*unknown_check.yaml:5: entry 'x': field 'check': unknown check 'exakt'*did you mean 'exact'*"]),
    "missing_field": ("- id: x\n  prompt: p\n  examples: [{}]\n",
                      ["*missing_field.yaml*entry 'x': field 'description': missing; it is required*"]),
    "wrong_type": ("- id: x\n  description: d\n  prompt: p\n  examples: [{}]\n  expected: a\n  threshold: high\n",
                   ["*wrong_type.yaml:6: entry 'x': field 'threshold': expected a pass rate like 0.8, or {tau: 0.25} "
                    "relative to chance; got a string 'high'*"]),
    "bad_strategy": ("- id: x\n  description: d\n  prompt: '{{ a }}'\n  generate:\n    a: {integer: [1, 2]}\n  expected: '{{ a }}'\n",
                     ["*bad_strategy.yaml:5: entry 'x': field 'generate': a: unknown strategy 'integer'*integers*"]),
    "bad_scale": ("- id: x\n  description: d\n  requires_scale: 1.5X\n  prompt: p\n  examples: [{}]\n  expected: a\n",
                  ["*bad_scale.yaml:3: entry 'x': field 'requires_scale':*1.5X*"]),
    "template_error": ("- id: x\n  description: d\n  prompt: 'What is {{ a + }}?'\n  examples: [{a: 1}]\n  expected: a\n",
                       ["*template_error.yaml:3: entry 'x': field 'prompt': template error*"]),
    "undefined_variable": ("- id: x\n  description: d\n  prompt: '{{ b }}'\n  examples:\n    - {a: 1}\n  expected: a\n",
                           ["*undefined_variable.yaml:5: entry 'x': field 'prompt': case 0: template error: 'b' is undefined*"]),
    "missing_data": ("- id: x\n  description: d\n  prompt: p\n  data: data/nowhere.jsonl\n  expected: a\n",
                     ["*missing_data.yaml:4: entry 'x': field 'data': data file data/nowhere.jsonl not found*"]),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_spec_is_one_clear_collection_error_and_the_valid_file_still_runs(pytester, models_file, spec_file, name):
    models_file(("tiny", "135M", []))
    spec_file("valid", VALID)
    text, lines = BROKEN[name]
    spec_file(name, text)
    result = pytester.runpytest("-q")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(lines)
    for noise in ("*Traceback*", "*_pytest*", "*pluggy*", "*raise *"):
        result.stdout.no_fnmatch_line(noise)  # the message alone, no frames of pytest's machinery


def test_every_broken_file_of_a_folder_is_reported_and_the_valid_one_runs(pytester, models_file, spec_file):
    models_file(("tiny", "135M", []))
    spec_file("valid", VALID)
    for name, (text, _lines) in BROKEN.items():
        spec_file(name, text)
    result = pytester.runpytest("-q")
    result.assert_outcomes(passed=1, errors=len(BROKEN))


def test_all_broken_entries_of_one_file_are_listed_in_its_error(pytester, models_file, spec_file):
    models_file(("tiny", "135M", []))
    spec_file("two", "- id: a\n  description: d\n  prompt: p\n  examples: [{}]\n  check: nope\n"
                     "- id: b\n  description: d\n  prompt: p\n  examples: [{}]\n  formats: [chat]\n")
    result = pytester.runpytest("-q")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*two.yaml:5: entry 'a': field 'check': unknown check 'nope'*",
                                 "*two.yaml:10: entry 'b': field 'formats': unknown format 'chat'*"])


def test_unknown_fields_duplicate_ids_and_duplicate_keys_are_errors(pytester, models_file, spec_file):
    models_file(("tiny", "135M", []))
    spec_file("dup", "- id: a\n  description: d\n  promt: p\n  examples: [{}]\n")
    spec_file("dupkey", "- id: a\n  id: b\n  description: d\n")
    result = pytester.runpytest("-q")
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(["*dup.yaml:3: entry 'a': field 'promt': unknown field (did you mean 'prompt'?)*"])
    result.stdout.fnmatch_lines(["*dupkey.yaml:2:*duplicate key 'id'*"])


def test_an_id_defined_in_two_files_is_an_error_naming_both(pytester, models_file, spec_file):
    models_file(("tiny", "135M", []))
    spec_file("first", VALID)
    spec_file("second", VALID.replace("a spec that is fine", "the same id again"))
    result = pytester.runpytest("-q")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*second.yaml:2: entry 'valid/echo': field 'id': duplicate id; first used in *first.yaml*"])


def test_every_independent_mistake_of_one_entry_is_reported_in_one_run(pytester, models_file, spec_file):
    models_file(("tiny", "135M", []))
    spec_file("many", "- id: m\n  description: d\n  requires_scale: 1.5X\n  treshold: 0.5\n  prompt: '{{ a }}'\n"
                      "  generate:\n    a: {integer: [1, 2]}\n  expected: '{{ a }}'\n  check: numbr\n  shots: -1\n")
    result = pytester.runpytest("-q")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([
        "*many.yaml:3: entry 'm': field 'requires_scale':*1.5X*",
        "*many.yaml:4: entry 'm': field 'treshold': unknown field (did you mean 'threshold'?)*",
        "*many.yaml:7: entry 'm': field 'generate': a: unknown strategy 'integer' (did you mean 'integers'?)*",
        "*many.yaml:9: entry 'm': field 'check': unknown check 'numbr'*",
        "*many.yaml:10: entry 'm': field 'shots': expected a whole number ≥ 0, got -1*",
    ])
