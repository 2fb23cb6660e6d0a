"""BIG-bench score files (`results/scores_<family>_<model>.json` under each task).

Layout: `{"model": {"model_family", "model_name", "total_params", "non_embedding_params",
"training_steps", …}, "scores": [{"subtask_description", "number_of_shots", "preferred_score",
"score_dict": {metric: value}, "low_score", "high_score"}, …]}`. Each (subtask, shots) pair
is its own capability, since few-shot and zero-shot ability emerge at different scales. For a
multiple-choice grade, `low_score` is the score of guessing: the chance level.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .common import ImportedModel, ImportFormatError, ImportOptions, Score, params_from_name


def is_bigbench(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("scores"), list) and isinstance(data.get("model"), dict)


def _number(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return float(value)
    return None


def read_model(data: dict[str, Any], path: Path, options: ImportOptions) -> ImportedModel:
    info = data["model"]
    family = options.family or str(info.get("model_family") or "").strip() or path.stem
    short = str(info.get("model_name") or "").strip() or path.stem
    name = options.model or (short if short.startswith(family) else f"{family}/{short}")
    params = options.params or _number(info.get("total_params")) or _number(info.get("non_embedding_params")) \
        or params_from_name(short)
    step = options.step if options.step is not None else _number(info.get("training_steps"))
    return ImportedModel(name=name, family=family, params=params, step=step, location=None, tokens=options.tokens)


def _chance(entry: dict[str, Any], metric: str | None) -> float | None:
    low, high = entry.get("low_score"), entry.get("high_score")
    if metric == "multiple_choice_grade" and isinstance(low, (int, float)) and high == 1 and 0 <= low < 1:
        return float(low)
    return 0.0 if metric == "exact_str_match" else None


def read_scores(data: dict[str, Any], path: Path, options: ImportOptions) -> list[Score]:
    scores = []
    for i, entry in enumerate(data["scores"]):
        if not isinstance(entry, dict) or not isinstance(entry.get("score_dict"), dict):
            raise ImportFormatError(f"{path}: scores[{i}] has no 'score_dict' object")
        subtask = entry.get("subtask_description") or data.get("task", {}).get("task_name") or path.parent.parent.name
        shots = entry.get("number_of_shots")
        metrics: dict[str, float] = {k: float(v) for k, v in entry["score_dict"].items()
                                     if isinstance(v, (int, float)) and not isinstance(v, bool)}
        metric = options.metric or entry.get("preferred_score")
        metric = metric if isinstance(metric, str) else None  # a hand-edited file may hold anything here
        for bound in ("low_score", "high_score"):
            if isinstance(entry.get(bound), (int, float)):
                metrics[bound] = float(entry[bound])
        if isinstance(shots, int):
            metrics["num_fewshot"] = shots
        capability = f"bigbench/{subtask}" + (f"/{shots}-shot" if shots is not None else "")
        note = "" if metric in entry["score_dict"] else f"no metric {metric!r} in score_dict"
        score = metrics.get(metric) if metric in entry["score_dict"] else None
        scores.append(Score(capability, score, metrics, metric, note, chance=_chance(entry, metric), task=str(subtask)))
    if not scores:
        raise ImportFormatError(f"{path}: 'scores' is empty")
    return scores
