"""A spec's threshold relative to chance: `threshold: {tau: T}` or `{tau: T, chance: C}`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_emergent.capabilities.specs import json_schema, load_specs
from pytest_emergent.capabilities.specs.validate import SpecFileError
from pytest_emergent.capabilities.specs.yamlio import SpecError


def load(tmp_path: Path, text: str):
    path = tmp_path / "specs.yaml"
    path.write_text(text)
    return load_specs(path, path.name)


def choice_spec(tmp_path: Path, threshold: str):
    text = f"""
- id: mc/q
  description: four-way colour questions (2024)
  examples:
    - {{q: "Sky?", a: blue, b: green}}
    - {{q: "Grass?", a: green, b: blue}}
  prompt: "{{{{ q }}}}"
  choices: ["{{{{ a }}}}", "{{{{ b }}}}", "red", "black"]
  expected: "{{{{ a }}}}"
  threshold: {threshold}
"""
    return load(tmp_path, text)[0]


def test_tau_with_a_choice_check_is_relative_to_one_over_the_number_of_choices(tmp_path: Path):
    spec = choice_spec(tmp_path, "{tau: 0.5}")
    assert spec.check.type == "choice" and (spec.chance, spec.tau) == (0.25, 0.5)
    assert spec.threshold == pytest.approx(0.625)


def test_a_given_chance_level_wins(tmp_path: Path):
    spec = choice_spec(tmp_path, "{tau: 0.5, chance: 0.5}")
    assert (spec.chance, spec.threshold) == (0.5, 0.75)


def test_a_plain_threshold_stays_absolute(tmp_path: Path):
    spec = choice_spec(tmp_path, "0.8")
    assert (spec.threshold, spec.chance, spec.tau) == (0.8, None, None)


def test_a_generation_check_has_chance_zero(tmp_path: Path):
    (spec,) = load(tmp_path, """
- id: gen/echo
  description: repeat a word (2024)
  examples: [{w: cat}, {w: dog}]
  prompt: "Say {{ w }}"
  expected: "{{ w }}"
  threshold: {tau: 0.3}
""")
    assert (spec.chance, spec.threshold) == (0.0, 0.3)


@pytest.mark.parametrize(("threshold", "message"), [
    ("{tau: 0}", "expected {tau: T} or {tau: T, chance: C}"),
    ("{tau: 0.5, chanse: 0.2}", "unknown 'chanse'"),
    ("{tau: 0.5, chance: 1}", "chance: expected the pass rate of guessing, in [0, 1)"),
    ("high", "expected a pass rate like 0.8, or {tau: 0.25} relative to chance; got a string 'high'"),
])
def test_a_bad_relative_threshold_is_an_error_naming_the_field(tmp_path: Path, threshold: str, message: str):
    with pytest.raises((SpecError, SpecFileError)) as info:
        choice_spec(tmp_path, threshold)
    assert "threshold" in str(info.value) and message in str(info.value)


def test_the_json_schema_accepts_the_relative_form_and_rejects_a_stray_key():
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(json_schema())
    entry = {"id": "x", "description": "d", "examples": [{}]}
    assert validator.is_valid([{**entry, "threshold": {"tau": 0.25}}])
    assert validator.is_valid([{**entry, "threshold": {"tau": 0.25, "chance": 0.5}}])
    assert not validator.is_valid([{**entry, "threshold": {"tau": 0.25, "floor": 0.5}}])


def test_a_spec_run_records_the_effective_threshold_with_its_chance_and_tau(pytester, models_file, spec_file):
    models_file(("tiny", "135M", ["base"]))
    spec_file("relative", """
- id: rel/pick
  description: a four-way pick, a quarter of the way above chance (2024)
  prompt: "Pick {{ w }}:"
  examples: [{w: a}, {w: b}]
  choices: [" a", " b", " c", " d"]
  expected: " {{ w }}"
  threshold: {tau: 0.25}
""")
    pytester.runpytest("--emergent-json", "out.json")
    (entry,) = json.loads((pytester.path / "out.json").read_text())["results"]
    assert (entry["chance"], entry["tau"], entry["threshold"]) == (0.25, 0.25, 0.4375)
