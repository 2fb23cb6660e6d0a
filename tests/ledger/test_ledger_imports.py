"""Imports: real lm-evaluation-harness results, the newer harness layout, BIG-bench score files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pytest_emergent.ledger import ImportFormatError, ImportOptions, import_file
from pytest_emergent.ledger.imports import family_from_name, params_from_name
from pytest_emergent.scale import ScaleRequirement

# shared/ lies beside the repository (in CI too); EMERGENT_LM_EVAL_RESULTS points elsewhere.
DATA = Path(os.environ.get("EMERGENT_LM_EVAL_RESULTS",
                           Path(__file__).resolve().parents[3] / "shared" / "data" / "lm-eval-results"))
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason=f"{DATA} (real lm-eval results) is not on this machine")


@pytest.mark.parametrize(("name", "params", "family"), [
    ("opt-1.3b", 1.3e9, "opt"), ("bloom-7b1", 7.1e9, "bloom"), ("bloom-560m", 560e6, "bloom"),
    ("EleutherAI/pythia-160m-deduped", 160e6, "pythia-deduped"), ("Llama-2-7b-hf", 7e9, "Llama-2-hf"),
    ("gpt2", None, "gpt2"),
])
def test_size_and_family_are_read_from_the_model_name(name, params, family):
    assert params_from_name(name) == pytest.approx(params) if params else params_from_name(name) is None
    assert family_from_name(name) == family


@needs_data
def test_a_real_opt_results_file_becomes_one_run_of_65_tasks():
    doc = import_file(DATA / "opt" / "opt-1.3b.json")
    (model,) = doc["models"]
    assert (model["name"], model["family"], model["scale"]["params"]) == ("opt-1.3b", "opt", 1.3e9)
    assert model["info"]["location"] == "facebook/opt-1.3b"
    assert len(doc["results"]) == 65 and doc["source"]["format"] == "lm-eval"
    piqa = next(r for r in doc["results"] if r["capability"] == "lm-eval/piqa")
    assert piqa["metric"] == "acc" and piqa["score"] == pytest.approx(piqa["metrics"]["acc"])
    assert piqa["metrics"]["num_fewshot"] == 0 and "acc_stderr" in piqa["metrics"]


@needs_data
def test_without_a_threshold_scores_are_kept_with_status_skip():
    doc = import_file(DATA / "bloom" / "bloom-7b1.json")
    assert {r["status"] for r in doc["results"]} == {"skip"}
    assert all(isinstance(r["score"], float) for r in doc["results"])


@needs_data
def test_a_threshold_and_a_declared_scale_give_statuses():
    options = ImportOptions(threshold=0.6, requires=ScaleRequirement(params=2e9))
    doc = import_file(DATA / "opt" / "opt-1.3b.json", options)
    by_cap = {r["capability"]: r for r in doc["results"]}
    assert by_cap["lm-eval/piqa"]["status"] == "early-pass"  # 0.717 ≥ 0.6 below 2B
    assert by_cap["lm-eval/arc_challenge"]["status"] == "expected-fail"
    assert by_cap["lm-eval/arc_challenge"]["reason"] == "needs params ≥ 2B; model has 1.3B"


@needs_data
def test_command_line_values_override_the_file():
    options = ImportOptions(family="meta-opt", model="opt-small", params=1.2e9, metric="acc_norm")
    doc = import_file(DATA / "opt" / "opt-1.3b.json", options)
    assert (doc["models"][0]["name"], doc["models"][0]["family"], doc["models"][0]["scale"]["params"]) == \
        ("opt-small", "meta-opt", 1.2e9)
    wsc = next(r for r in doc["results"] if r["capability"] == "lm-eval/wsc")  # wsc has no acc_norm
    assert wsc["score"] is None and "no metric 'acc_norm'" in wsc["reason"]


def write(tmp_path: Path, name: str, data: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def test_the_newer_harness_layout_with_filters_parameter_count_and_step(tmp_path: Path):
    path = write(tmp_path, "results_2024-05-01.json", {
        "results": {"hellaswag": {"alias": "hellaswag", "acc,none": 0.31, "acc_stderr,none": 0.004,
                                  "acc_norm,none": 0.33},
                    "lambada_openai": {"perplexity,none": 30.1, "acc,none": 0.41}},
        "n-shot": {"hellaswag": 10, "lambada_openai": 0},
        "higher_is_better": {"hellaswag": {"acc": True, "acc_norm": True}},
        "config": {"model": "hf", "model_args": "pretrained=EleutherAI/pythia-160m,revision=step143000",
                   "model_num_parameters": 162322944},
        "model_name": "EleutherAI/pythia-160m",
    })
    doc = import_file(path)
    assert doc["models"][0]["name"] == "pythia-160m"
    assert doc["models"][0]["scale"] == {"params": 162322944.0, "tokens": None, "compute": None, "step": 143000.0}
    by_cap = {r["capability"]: r for r in doc["results"]}
    assert by_cap["lm-eval/hellaswag"]["score"] == 0.31 and by_cap["lm-eval/hellaswag"]["metrics"]["num_fewshot"] == 10
    assert by_cap["lm-eval/lambada_openai"]["metric"] == "acc"  # perplexity is never the score


BIGBENCH = {
    "model": {"model_family": "BIG-G T=0", "model_name": "1b", "total_params": 1_073_784_832,
              "non_embedding_params": 1_000_000_000, "training_steps": 570000},
    "scores": [
        {"subtask_description": "arithmetic:2_digit_addition", "number_of_shots": 0,
         "preferred_score": "exact_str_match", "score_dict": {"exact_str_match": 0.12, "log_likelihood": -3.2},
         "low_score": 0.0, "high_score": 1.0},
        {"subtask_description": "arithmetic:2_digit_addition", "number_of_shots": 1,
         "preferred_score": "exact_str_match", "score_dict": {"exact_str_match": 0.31}},
    ],
}


def test_a_bigbench_score_file_gives_one_capability_per_subtask_and_shots(tmp_path: Path):
    doc = import_file(write(tmp_path, "scores_BIG-G_T=0_1b.json", BIGBENCH), ImportOptions(threshold=0.3))
    model = doc["models"][0]
    assert (model["name"], model["family"], model["scale"]["params"], model["scale"]["step"]) == \
        ("BIG-G T=0/1b", "BIG-G T=0", 1_073_784_832, 570000)
    got = {r["capability"]: (r["status"], r["score"]) for r in doc["results"]}
    assert got == {"bigbench/arithmetic:2_digit_addition/0-shot": ("fail", 0.12),
                   "bigbench/arithmetic:2_digit_addition/1-shot": ("pass", 0.31)}
    assert doc["results"][0]["metrics"]["log_likelihood"] == -3.2


@pytest.mark.parametrize(("content", "message"), [
    ("not json", "not valid JSON"),
    ('{"hello": 1}', "neither an lm-evaluation-harness results file"),
    ('{"results": {"t": 3}, "config": {}}', r"results\['t'\] is not an object of metrics"),
    ('{"model": {}, "scores": [{"x": 1}]}', r"scores\[0\] has no 'score_dict'"),
])
def test_a_file_of_no_known_kind_is_an_error_naming_it(tmp_path: Path, content: str, message: str):
    path = tmp_path / "odd.json"
    path.write_text(content)
    with pytest.raises(ImportFormatError, match=message) as info:
        import_file(path)
    assert str(path) in str(info.value)


def test_a_missing_file_is_an_error_naming_it(tmp_path: Path):
    with pytest.raises(ImportFormatError, match="absent.json: cannot read it"):
        import_file(tmp_path / "absent.json")


@needs_data
def test_a_lower_is_better_metric_cannot_be_the_score():
    with pytest.raises(ImportFormatError, match="--metric ppl: lower is better for 'lambada_openai'"):
        import_file(DATA / "opt" / "opt-125m.json", ImportOptions(metric="ppl", threshold=0.5))
