from pathlib import Path

import pytest

from pytest_emergent.config import (
    ModelConfigError,
    builtin_models,
    load_models_file,
    parse_spec_string,
    select_models,
    split_selection,
)


def test_spec_strings_become_model_specs():
    assert parse_spec_string("hf:/ckpt/step-1000@abc").revision == "abc"
    assert parse_spec_string("hf:/ckpt/step-1000@abc").name == "step-1000@abc"
    gguf = parse_spec_string("gguf:/models/x.Q4.gguf")
    assert (gguf.backend, gguf.path, gguf.gguf_file, gguf.name) == ("hf", "/models", "x.Q4.gguf", "x.Q4")
    served = parse_spec_string("openai:http://127.0.0.1:8000/v1#smollm2")
    assert (served.backend, served.base_url, served.model) == ("openai", "http://127.0.0.1:8000/v1", "smollm2")


@pytest.mark.parametrize("text", ["hf:", "gguf:model.bin", "openai:http://x", "s3:bucket"])
def test_malformed_spec_strings_are_refused(text):
    with pytest.raises(ModelConfigError, match="model spec"):
        parse_spec_string(text)


def test_nothing_selected_means_the_default_builtin():
    assert [s.name for s in select_models([], [], builtin_models(), "smollm2-135m")] == ["smollm2-135m"]


def test_an_unknown_name_lists_the_known_ones_and_spec_forms():
    with pytest.raises(ModelConfigError, match=r"unknown model 'nope'.*gemma3-270m.*hf:PATH"):
        select_models(["nope"], [], builtin_models(), "smollm2-135m")


def test_selection_is_split_on_commas_and_deduplicated():
    assert split_selection(["a,b", "b", " c "]) == ["a", "b", "c"]


def test_models_file_reads_scale_traits_and_options(tmp_path: Path):
    (tmp_path / "ckpt").mkdir()
    path = tmp_path / "models.yaml"
    path.write_text("models:\n- name: step-1\n  path: ckpt\n  params: auto\n  tokens: 2T\n  step: 1000\n"
                    "  traits: instruct\n  dtype: bf16\n")
    (spec,) = load_models_file(path)
    assert spec.path == str(tmp_path / "ckpt")
    assert (spec.params, spec.tokens, spec.step, spec.traits) == (None, 2e12, 1000, ("instruct",))
    assert spec.options == {"dtype": "bf16"}


@pytest.mark.parametrize(
    ("text", "message"),
    [("- name: a\n  colour: red\n", "entry 1 \\(a\\): unknown field 'colour'"),
     ("- path: x\n", "entry 1: field 'name' is required"),
     ("- name: a\n  params: 1.5X\n", "entry 1 \\(a\\): field 'params'.*1.5X"),
     ("- name: a\n- name: a\n", "'a' appears twice"),
     ("name: [unclosed\n", "not valid YAML"),
     ("just text\n", "expected a list of models")],
)
def test_bad_models_files_name_the_file_entry_and_field(tmp_path: Path, text, message):
    path = tmp_path / "models.yaml"
    path.write_text(text)
    with pytest.raises(ModelConfigError, match=message) as info:
        load_models_file(path)
    assert str(path) in str(info.value)
