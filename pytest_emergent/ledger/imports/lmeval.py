"""lm-evaluation-harness results files, in both layouts the harness has written.

Older harness (≤ 0.3): `{"results": {task: {"acc": …, "acc_stderr": …}}, "versions", "config":
{"model_args": "pretrained=facebook/opt-1.3b,…", "num_fewshot"}}`. Newer (≥ 0.4): metric keys
carry a filter (`"acc,none"`), and the file adds `n-shot`, `higher_is_better`, `model_name`
and `config.model_num_parameters`. The model's size is read from `model_num_parameters` when
present, else from its name (`opt-1.3b`), else from `--params`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .common import (
    ImportedModel,
    ImportFormatError,
    ImportOptions,
    Score,
    family_from_name,
    params_from_name,
    step_from_text,
)

# Preferred score metrics, in order; lower-is-better metrics never become the score.
PREFERRED = ("acc", "exact_match", "em", "f1", "mc2", "mc1", "acc_norm", "bleu", "rougeL", "rouge1")
LOWER_IS_BETTER = {"ppl", "perplexity", "word_perplexity", "byte_perplexity", "bits_per_byte"}


def is_lm_eval(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("results"), dict) and (
        "versions" in data or "config" in data or "configs" in data)


def _model_args(config: dict[str, Any]) -> dict[str, str]:
    args = config.get("model_args") or ""
    if isinstance(args, dict):
        return {str(k): str(v) for k, v in args.items()}
    pairs = (part.partition("=") for part in str(args).split(","))
    return {k.strip(): v.strip() for k, sep, v in pairs if sep}


def _metric_name(key: str) -> str:
    metric, _, filt = key.partition(",")
    return metric if filt in ("", "none") else key


def _metrics(values: dict[str, Any]) -> dict[str, float]:
    """Numeric metrics by name; the default filter's suffix is dropped (`acc,none` → `acc`)."""
    return {_metric_name(k): float(v) for k, v in values.items()
            if isinstance(v, (int, float)) and not isinstance(v, bool)}


def _choose(metrics: dict[str, float], higher: dict[str, Any], wanted: str | None) -> str | None:
    if wanted:
        return wanted if wanted in metrics else None
    candidates = [m for m in metrics if not m.endswith("_stderr") and "_stderr," not in m
                  and m.split(",")[0] not in LOWER_IS_BETTER and higher.get(m.split(",")[0], True) is not False]
    for name in PREFERRED:
        if name in candidates:
            return name
    return candidates[0] if candidates else None


def read_model(data: dict[str, Any], path: Path, options: ImportOptions) -> ImportedModel:
    config = data.get("config") if isinstance(data.get("config"), dict) else {}
    args = _model_args(config)
    location = args.get("pretrained") or args.get("model") or data.get("model_name") or config.get("model")
    if options.model:
        name = options.model
    elif location and str(location) not in ("hf", "hf-causal", "gpt2"):
        name = str(location).rstrip("/").rsplit("/", 1)[-1]
    else:
        name = path.stem
    counted = config.get("model_num_parameters")
    params = options.params or (float(counted) if isinstance(counted, (int, float)) and counted > 0 else None) \
        or params_from_name(name) or params_from_name(path.stem)
    revision = args.get("revision") or str(config.get("model_revision") or "")
    step = options.step if options.step is not None else step_from_text(revision) or step_from_text(name)
    return ImportedModel(name=name, family=options.family or family_from_name(name), params=params, step=step,
                         location=str(location) if location else None)


def read_scores(data: dict[str, Any], path: Path, options: ImportOptions) -> list[Score]:
    config = data.get("config") if isinstance(data.get("config"), dict) else {}
    shots = data.get("n-shot") if isinstance(data.get("n-shot"), dict) else {}
    higher_all = data.get("higher_is_better") if isinstance(data.get("higher_is_better"), dict) else {}
    scores = []
    for task, values in data["results"].items():
        if not isinstance(values, dict):
            raise ImportFormatError(f"{path}: results[{task!r}] is not an object of metrics")
        metrics = _metrics(values)
        wanted = options.metric
        if wanted and (wanted.split(",")[0] in LOWER_IS_BETTER or (higher_all.get(task) or {}).get(wanted) is False):
            raise ImportFormatError(f"{path}: --metric {wanted}: lower is better for {task!r}, so it cannot be a "
                                    "score that passes at a threshold; choose a metric that rises with ability "
                                    "(acc, exact_match, ...)")
        metric = _choose(metrics, higher_all.get(task) or {}, wanted)
        fewshot = shots.get(task, config.get("num_fewshot"))
        if isinstance(fewshot, (int, float)) and not isinstance(fewshot, bool):
            metrics["num_fewshot"] = float(fewshot)
        note = "" if metric or options.metric is None else f"no metric {options.metric!r} for this task"
        scores.append(Score(f"lm-eval/{task}", metrics.get(metric) if metric else None, metrics, metric, note))
    if not scores:
        raise ImportFormatError(f"{path}: 'results' holds no tasks")
    return scores
