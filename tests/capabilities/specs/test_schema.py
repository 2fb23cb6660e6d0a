"""The JSON Schema for editors accepts the shipped library and rejects what the loader rejects."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pytest_emergent.capabilities.specs import json_schema, load_specs
from pytest_emergent.capabilities.specs.cases import choose_shots

LIBRARY = Path(__file__).resolve().parents[3] / "capability_specs"


def test_the_shipped_library_loads_and_has_at_least_15_capabilities_with_sources():
    specs = [s for f in sorted(LIBRARY.glob("**/*.yaml")) for s in load_specs(f, f.name)]
    assert len(specs) >= 15
    assert all(not s.scale.is_empty() and "20" in s.description for s in specs)  # a scale and a dated source


def test_the_shipped_library_validates_against_the_json_schema():
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(json_schema())
    for path in LIBRARY.glob("**/*.yaml"):
        validator.validate(yaml.safe_load(path.read_text()))


def test_the_json_schema_rejects_an_unknown_check_and_field():
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(json_schema())
    assert not validator.is_valid([{"id": "x", "description": "d", "examples": [{}], "check": "exakt"}])
    assert not validator.is_valid([{"id": "x", "description": "d", "examples": [{}], "promt": "p"}])


def test_few_shot_examples_are_fixed_and_never_the_case_itself():
    prompts = [f"q{i}" for i in range(10)] + ["q0"]
    shots = choose_shots(prompts, 3, seed=1, key="id")
    assert shots == choose_shots(prompts, 3, seed=1, key="id")
    for i, picked in enumerate(shots):
        assert len(picked) == 3 and i not in picked and all(prompts[j] != prompts[i] for j in picked)


def test_the_json_schema_knows_the_fields_that_reproduce_a_benchmarks_prompt():
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(json_schema())
    entry = {"id": "x", "description": "d", "data": "t.json", "shots_from": "p.txt",
             "layout": {"shot_separator": "\n\n", "answer_separator": " "}, "stop": {"qa": "\n", "raw": ["Q:"]},
             "choices": '{{ input | findall("^\\([A-Z]\\)") }}'}
    assert validator.is_valid([entry])
    assert validator.is_valid([{**entry, "shots_from": [{"input": "a", "target": "b"}]}])
    assert not validator.is_valid([{**entry, "layout": {"shot_separater": "\n"}}])
    assert not validator.is_valid([{**entry, "stop": {"row": "\n"}}])
