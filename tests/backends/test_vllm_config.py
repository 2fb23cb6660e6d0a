"""Configuring the vllm backend: spec strings, models-file fields, engine arguments, and the error
an environment without vLLM gives. None of this starts an engine (tests/vllm_env/ does, in the
vLLM environment)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pytest_emergent.backends import BackendError, available_backends, load_backend
from pytest_emergent.backends.vllm import engine_args
from pytest_emergent.config import ModelConfigError, load_models_file, parse_spec_string
from pytest_emergent.config.models import ModelConfig
from pytest_emergent.models.pool import check_model


def test_vllm_spec_strings_take_a_builtin_name_a_folder_or_hub_id_with_revision_or_a_gguf_file():
    builtin = parse_spec_string("vllm:smollm2-135m")
    assert (builtin.name, builtin.backend, builtin.builtin, builtin.family) == ("smollm2-135m", "vllm", "smollm2-135m",
                                                                              "smollm2")
    hub = parse_spec_string("vllm:HuggingFaceTB/SmolLM2-1.7B@step-2000")
    assert (hub.name, hub.backend, hub.path, hub.revision) == ("SmolLM2-1.7B@step-2000", "vllm",
                                                              "HuggingFaceTB/SmolLM2-1.7B", "step-2000")
    gguf = parse_spec_string("vllm:/models/tiny.Q4_K_M.gguf")
    assert (gguf.backend, gguf.path, gguf.gguf_file) == ("vllm", "/models", "tiny.Q4_K_M.gguf")
    assert "vllm" in available_backends()


def test_models_file_engine_fields_reach_the_backend_and_paths_are_relative_to_the_file(tmp_path):
    (tmp_path / "ckpt").mkdir()
    (tmp_path / "models.yaml").write_text(
        "- name: big\n  backend: vllm\n  path: ckpt\n  dtype: bfloat16\n  tensor_parallel_size: 4\n"
        "  max_model_len: 8192\n  gpu_memory_utilization: 0.85\n  engine_args: {max_num_seqs: 128}\n")
    (spec,) = load_models_file(tmp_path / "models.yaml")
    assert spec.path == str(tmp_path / "ckpt")
    args = engine_args(spec, spec.path, on_cpu=False)
    assert args == {"model": str(tmp_path / "ckpt"), "dtype": "bfloat16", "seed": 0, "enable_prefix_caching": True,
                    "tensor_parallel_size": 4, "enforce_eager": False, "trust_remote_code": False,
                    "max_model_len": 8192, "gpu_memory_utilization": 0.85, "max_num_seqs": 128}


def test_engine_defaults_match_the_hf_backend_and_skip_compilation_on_a_cpu_build():
    spec = ModelConfig("m", backend="vllm", path="m", revision="v2")
    args = engine_args(spec, "m", on_cpu=True)
    assert (args["dtype"], args["enforce_eager"], args["revision"], args["tensor_parallel_size"]) == (
        "float32", True, "v2", 1)
    assert args["block_size"] == 32  # few-shot prefixes shorter than vLLM's 128-token CPU blocks still share
    on_gpu = engine_args(spec, "m", on_cpu=False)
    assert on_gpu["enforce_eager"] is False and "block_size" not in on_gpu


@pytest.mark.parametrize(("options", "message"), [
    ({"tensor_parallel_size": 1.5}, "field 'tensor_parallel_size' must be a whole number, got 1.5"),
    ({"tensor_parallel_size": 0}, "field 'tensor_parallel_size' must be at least 1"),
    ({"enforce_eager": "yes"}, "field 'enforce_eager' must be true or false, got 'yes'"),
    ({"gpu_memory_utilization": 1.5}, r"field 'gpu_memory_utilization' must be in \(0, 1\], got 1.5"),
    ({"engine_args": ["--max-num-seqs", "8"]}, "field 'engine_args' must be a mapping"),
    ({"dtype": "int4"}, "dtype 'int4' unknown for vllm; use one of float32, bfloat16, float16, auto"),
])
def test_bad_engine_fields_are_one_error_naming_the_model_and_field(options, message):
    with pytest.raises(BackendError, match=f"model 'm': {message}"):
        engine_args(ModelConfig("m", backend="vllm", path="m", options=options), "m", on_cpu=False)


def test_without_vllm_installed_the_factory_says_how_to_get_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "vllm", None)  # as in an environment without the package
    with pytest.raises(BackendError) as caught:
        load_backend(parse_spec_string("vllm:smollm2-135m"))
    message = str(caught.value)
    assert message.startswith("model 'smollm2-135m': the vllm backend needs vLLM")
    assert "pip install vllm" in message and "make vllm-env" in message and "serve: vllm" in message


def test_a_missing_local_folder_stops_the_run_before_loading(tmp_path):
    with pytest.raises(ModelConfigError, match="no folder .*/nowhere/model"):
        check_model(parse_spec_string(f"vllm:{tmp_path / 'nowhere' / 'model'}"))
    with pytest.raises(ModelConfigError, match="no folder"):
        check_model(ModelConfig("s", backend="openai", path=str(Path(tmp_path, "gone")), options={"serve": "vllm"}))
