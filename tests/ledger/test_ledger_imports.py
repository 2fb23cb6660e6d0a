"""Imports: real lm-evaluation-harness results, the newer harness layout, BIG-bench score files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pytest_emergent.ledger import ImportFormatError, ImportOptions, import_file
from pytest_emergent.ledger.imports import family_from_name, known_model, params_from_name
from pytest_emergent.scale import ScaleRequirement

# shared/ lies beside the repository (in CI too); EMERGENT_LM_EVAL_RESULTS points elsewhere.
DATA = Path(os.environ.get("EMERGENT_LM_EVAL_RESULTS",
                           Path(__file__).resolve().parents[3] / "shared" / "data" / "lm-eval-results"))
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason=f"{DATA} (real lm-eval results) is not on this machine")


@pytest.mark.parametrize(("name", "params", "family"), [
    ("opt-1.3b", 1.3e9, "opt"), ("bloom-7b1", 7.1e9, "bloom"), ("bloom-560m", 560e6, "bloom"),
    ("EleutherAI/pythia-160m-deduped", 160e6, "pythia-deduped"), ("Llama-2-7b-hf", 7e9, "Llama-2"),
    ("gpt2", None, "gpt2"), ("pythia-v1.1-1b-bf16", 1e9, "pythia"), ("mistralai/Mistral-7B-v0.1", 7e9, "Mistral"),
    ("pythia-410m-step143000", 410e6, "pythia"), ("smollm2-135m-instruct-q4_k_m", 135e6, "smollm2-instruct"),
])
def test_size_and_family_are_read_from_the_model_name(name, params, family):
    assert params_from_name(name) == pytest.approx(params) if params else params_from_name(name) is None
    assert family_from_name(name) == family


@pytest.mark.parametrize(("name", "family", "params"), [
    ("EleutherAI/pythia-160m", "pythia", 162_322_944), ("pythia-v1.1-1b-bf16", "pythia", 1_011_781_632),
    ("EleutherAI/pythia-160m-deduped", "pythia-deduped", 162_322_944), ("facebook/opt-350m", "opt", 331_196_416),
    ("bigscience/bloom-7b1", "bloom", 7_069_016_064), ("gpt2-medium", "gpt2", 354_823_168),
    ("meta-llama/Llama-2-7b-hf", "Llama-2", 6_738_415_616), ("Meta-Llama-3.1-8B", "Meta-Llama-3.1", 8_030_261_248),
])
def test_public_families_have_their_exact_sizes(name, family, params):
    assert known_model(name) == (family, params)


def test_an_unknown_model_has_no_known_size():
    assert known_model("my-lab/secret-7b") is None and known_model("pythia-5b") is None


@needs_data
def test_a_real_opt_results_file_becomes_one_run_of_65_tasks_and_the_mmlu_average():
    doc = import_file(DATA / "opt" / "opt-1.3b.json")
    (model,) = doc["models"]
    assert (model["name"], model["family"], model["scale"]["params"]) == ("opt-1.3b", "opt", 1_315_758_080)
    assert model["info"]["location"] == "facebook/opt-1.3b"
    assert len(doc["results"]) == 66 and doc["source"]["format"] == "lm-eval"
    piqa = next(r for r in doc["results"] if r["capability"] == "lm-eval/piqa/0-shot")
    assert piqa["metric"] == "acc" and piqa["score"] == pytest.approx(piqa["metrics"]["acc"])
    assert piqa["metrics"]["num_fewshot"] == 0 and piqa["stderr"] == piqa["metrics"]["acc_stderr"]
    assert piqa["n"] is None and piqa["chance"] == 0.5 and piqa["tau"] is None  # the old layout gives no count


@needs_data
def test_the_mmlu_subjects_of_the_old_harness_average_into_one_aggregate():
    doc = import_file(DATA / "opt" / "opt-1.3b.json")
    subjects = [r for r in doc["results"] if r["capability"].startswith("lm-eval/hendrycksTest-")]
    mmlu = next(r for r in doc["results"] if r["capability"] == "lm-eval/mmlu/0-shot")
    assert len(subjects) == 57 and len(mmlu["aggregate"]["of"]) == 57
    assert "weighted by their samples" in mmlu["aggregate"]["how"]
    weights = [s["score"] * (1 - s["score"]) / s["stderr"] ** 2 + 1 for s in subjects]
    expected = sum(w * s["score"] for w, s in zip(weights, subjects)) / sum(weights)
    assert mmlu["score"] == pytest.approx(expected) and mmlu["chance"] == 0.25
    assert 0 < mmlu["stderr"] < min(s["stderr"] for s in subjects)


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
    assert by_cap["lm-eval/piqa/0-shot"]["status"] == "early-pass"  # 0.717 ≥ 0.6 below 2B
    assert by_cap["lm-eval/arc_challenge/0-shot"]["status"] == "expected-fail"
    assert by_cap["lm-eval/arc_challenge/0-shot"]["reason"] == "needs params ≥ 2B; model has 1.32B"


@needs_data
def test_a_threshold_relative_to_chance_differs_between_a_two_and_a_four_way_task():
    doc = import_file(DATA / "opt" / "opt-1.3b.json", ImportOptions(tau=0.25))
    by_cap = {r["capability"]: r for r in doc["results"]}
    piqa, arc = by_cap["lm-eval/piqa/0-shot"], by_cap["lm-eval/arc_challenge/0-shot"]
    assert (piqa["chance"], piqa["tau"], piqa["threshold"]) == (0.5, 0.25, 0.625)
    assert (arc["chance"], arc["tau"], arc["threshold"]) == (0.25, 0.25, 0.4375)
    assert (piqa["status"], arc["status"]) == ("pass", "fail")  # 0.717 and 0.295
    assert by_cap["lm-eval/lambada_openai/0-shot"]["threshold"] == 0.25  # generative: chance 0


@needs_data
def test_command_line_values_override_the_file():
    options = ImportOptions(family="meta-opt", model="opt-small", params=1.2e9, metric="acc_norm")
    doc = import_file(DATA / "opt" / "opt-1.3b.json", options)
    assert (doc["models"][0]["name"], doc["models"][0]["family"], doc["models"][0]["scale"]["params"]) == \
        ("opt-small", "meta-opt", 1.2e9)
    wsc = next(r for r in doc["results"] if r["capability"] == "lm-eval/wsc/0-shot")  # wsc has no acc_norm
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
    hellaswag = by_cap["lm-eval/hellaswag/10-shot"]
    assert hellaswag["score"] == 0.31 and hellaswag["metrics"]["num_fewshot"] == 10 and hellaswag["stderr"] == 0.004
    assert by_cap["lm-eval/lambada_openai/0-shot"]["metric"] == "acc"  # perplexity is never the score


NEW_LAYOUT = {
    "results": {
        "piqa": {"alias": "piqa", "acc,none": 0.62, "acc_stderr,none": 0.011},
        "mmlu": {"alias": "mmlu", "acc,none": 0.27, "acc_stderr,none": 0.0037},
        "mmlu_anatomy": {"alias": " - anatomy", "acc,none": 0.3, "acc_stderr,none": 0.04},
        "mmlu_virology": {"alias": " - virology", "acc,none": 0.25, "acc_stderr,none": 0.03},
        "custom_task": {"alias": "custom_task", "acc,none": 0.4},
        "bleu_task": {"bleu,none": 27.2, "bleu_stderr,none": 1.1},
    },
    "groups": {"mmlu": {"alias": "mmlu", "acc,none": 0.27, "acc_stderr,none": 0.0037}},
    "group_subtasks": {"mmlu": ["mmlu_anatomy", "mmlu_virology"], "piqa": []},
    "configs": {"custom_task": {"num_fewshot": 5, "doc_to_choice": ["yes", "no", "maybe"]}},
    "n-shot": {"piqa": 0, "mmlu": 5, "mmlu_anatomy": 5, "mmlu_virology": 5, "bleu_task": 0},
    "n-samples": {"piqa": {"original": 1838, "effective": 1838}, "mmlu_anatomy": {"original": 135, "effective": 100}},
    "config": {"model": "hf", "model_args": "pretrained=EleutherAI/pythia-410m"},
}


def test_the_newer_layout_keeps_shots_samples_groups_and_choices(tmp_path: Path):
    doc = import_file(write(tmp_path, "results.json", NEW_LAYOUT), ImportOptions(tau=0.5))
    by_cap = {r["capability"]: r for r in doc["results"]}
    assert set(by_cap) == {"lm-eval/piqa/0-shot", "lm-eval/mmlu/5-shot", "lm-eval/mmlu_anatomy/5-shot",
                           "lm-eval/mmlu_virology/5-shot", "lm-eval/custom_task/5-shot", "lm-eval/bleu_task/0-shot"}
    assert by_cap["lm-eval/piqa/0-shot"]["n"] == 1838 and by_cap["lm-eval/mmlu_anatomy/5-shot"]["n"] == 100
    assert "aggregate" not in by_cap["lm-eval/piqa/0-shot"]  # group_subtasks lists plain tasks with no members
    mmlu = by_cap["lm-eval/mmlu/5-shot"]
    assert mmlu["aggregate"] == {"of": ["lm-eval/mmlu_anatomy/5-shot", "lm-eval/mmlu_virology/5-shot"],
                                 "how": "lm-evaluation-harness group"}
    assert mmlu["score"] == 0.27 and mmlu["chance"] == 0.25 and mmlu["threshold"] == 0.625
    assert by_cap["lm-eval/custom_task/5-shot"]["chance"] == pytest.approx(1 / 3)  # from doc_to_choice
    assert doc["models"][0]["scale"]["params"] == 405_334_016  # known size, the file gives none


def test_a_score_outside_zero_one_is_refused_a_verdict_not_made_a_pass(tmp_path: Path):
    doc = import_file(write(tmp_path, "results.json", NEW_LAYOUT), ImportOptions(threshold=0.2))
    bleu = next(r for r in doc["results"] if r["capability"] == "lm-eval/bleu_task/0-shot")
    assert bleu["status"] == "skip" and bleu["score"] == 27.2
    assert bleu["reason"].startswith("score 27.2 is not in [0, 1], so it cannot pass a threshold")
    assert "--metric-range" in bleu["reason"]


def test_an_explicit_metric_range_maps_the_score_onto_zero_one(tmp_path: Path):
    options = ImportOptions(threshold=0.2, metric="bleu", metric_range=(0.0, 100.0))
    doc = import_file(write(tmp_path, "results.json", NEW_LAYOUT), options)
    bleu = next(r for r in doc["results"] if r["capability"] == "lm-eval/bleu_task/0-shot")
    assert (bleu["status"], bleu["score"], bleu["stderr"]) == ("pass", pytest.approx(0.272), pytest.approx(0.011))
    assert bleu["metric_range"] == [0.0, 100.0] and bleu["inverted"] is False and bleu["metrics"]["bleu"] == 27.2


def test_a_lower_is_better_metric_is_used_only_inverted_explicitly(tmp_path: Path):
    data = {"results": {"t": {"word_error_rate": 0.3, "acc": 0.5}}, "higher_is_better": {"t": {"word_error_rate": False}},
            "config": {"model_args": "pretrained=x/m-1b"}}
    path = write(tmp_path, "results.json", data)
    with pytest.raises(ImportFormatError, match="lower is better for 't'.*--invert"):
        import_file(path, ImportOptions(metric="word_error_rate", threshold=0.5))
    doc = import_file(path, ImportOptions(metric="word_error_rate", threshold=0.5, invert=True))
    assert (doc["results"][0]["score"], doc["results"][0]["status"]) == (pytest.approx(0.7), "pass")


def test_a_relative_threshold_without_a_chance_level_says_how_to_give_one(tmp_path: Path):
    data = {"results": {"my_task": {"acc": 0.5}}, "config": {"model_args": "pretrained=x/m-1b"}}
    doc = import_file(write(tmp_path, "results.json", data), ImportOptions(tau=0.25))
    (result,) = doc["results"]
    assert result["status"] == "skip" and result["threshold"] is None
    assert "no chance level known for 'my_task'" in result["reason"] and "--chance 'my_task=C'" in result["reason"]
    doc = import_file(write(tmp_path, "results.json", data), ImportOptions(tau=0.25, chance=(("my_*", 0.5),)))
    assert (doc["results"][0]["threshold"], doc["results"][0]["status"]) == (0.625, "fail")


def test_an_asked_for_average_is_imported_beside_its_tasks(tmp_path: Path):
    data = {"results": {"a_1": {"acc": 0.2}, "a_2": {"acc": 0.4}, "b": {"acc": 0.9}}, "config": {"num_fewshot": 3}}
    doc = import_file(write(tmp_path, "results.json", data), ImportOptions(averages=(("a", "a_*"),)))
    a = next(r for r in doc["results"] if r["capability"] == "lm-eval/a/3-shot")
    assert a["score"] == pytest.approx(0.3) and a["aggregate"]["how"] == "unweighted mean of 2 tasks"
    assert len(doc["results"]) == 4


def test_bigbench_multiple_choice_takes_its_chance_level_from_the_file(tmp_path: Path):
    data = {"model": {"model_family": "BIG-G", "model_name": "2b", "total_params": 2e9},
            "scores": [{"subtask_description": "x", "number_of_shots": 1, "preferred_score": "multiple_choice_grade",
                        "score_dict": {"multiple_choice_grade": 0.5}, "low_score": 0.25, "high_score": 1.0}]}
    doc = import_file(write(tmp_path, "scores_BIG-G_2b.json", data), ImportOptions(tau=0.5))
    assert (doc["results"][0]["chance"], doc["results"][0]["threshold"]) == (0.25, 0.625)


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
