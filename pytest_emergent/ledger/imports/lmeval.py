"""lm-evaluation-harness results files, in both layouts the harness has written.

Older harness (≤ 0.3): `{"results": {task: {"acc": …, "acc_stderr": …}}, "versions", "config":
{"model_args": "pretrained=facebook/opt-1.3b,…", "num_fewshot"}}`. Newer (≥ 0.4): metric keys
carry a filter (`"acc,none"`), and the file adds `n-shot`, `n-samples`, `higher_is_better`,
`configs` (per task), `groups` and `group_subtasks`, `model_name` and
`config.model_num_parameters`. Each task × shot count is one capability (`lm-eval/piqa/0-shot`):
few-shot and zero-shot ability emerge at different scales. Groups, and averages over subtasks,
import as aggregate capabilities beside their subtasks (groups.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .chance import chance_of
from .common import (
    ImportedModel,
    ImportFormatError,
    ImportOptions,
    Score,
    family_from_name,
    params_from_name,
    step_from_text,
)
from .groups import averages
from .known import known_model

# Preferred score metrics, in order; lower-is-better metrics never become the score.
PREFERRED = ("acc", "exact_match", "em", "f1", "mc2", "mc1", "acc_norm", "bleu", "rougeL", "rouge1")
LOWER_IS_BETTER = {"ppl", "perplexity", "word_perplexity", "byte_perplexity", "bits_per_byte", "ter",
                   "likelihood_diff"}


def is_lm_eval(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("results"), dict) and (
        "versions" in data or "config" in data or "configs" in data)


def _object(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


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


def _lower_is_better(metric: str, higher: dict[str, Any]) -> bool:
    return metric.split(",")[0] in LOWER_IS_BETTER or higher.get(metric.split(",")[0]) is False


def _choose(metrics: dict[str, float], higher: dict[str, Any], wanted: str | None) -> str | None:
    if wanted:
        return wanted if wanted in metrics else None
    candidates = [m for m in metrics if not m.endswith("_stderr") and "_stderr," not in m
                  and m != "num_fewshot" and not _lower_is_better(m, higher)]
    for name in PREFERRED:
        if name in candidates:
            return name
    return candidates[0] if candidates else None


def read_model(data: dict[str, Any], path: Path, options: ImportOptions) -> ImportedModel:
    config = _object(data, "config")
    args = _model_args(config)
    location = args.get("pretrained") or args.get("model") or data.get("model_name") or config.get("model")
    if options.model:
        name = options.model
    elif location and str(location) not in ("hf", "hf-causal", "gpt2"):
        name = str(location).rstrip("/").rsplit("/", 1)[-1]
    else:
        name = path.stem
    known = known_model(name) or known_model(path.stem)
    counted = config.get("model_num_parameters")
    params = options.params or (float(counted) if isinstance(counted, (int, float)) and counted > 0 else None) \
        or (known[1] if known else None) or params_from_name(name) or params_from_name(path.stem)
    revision = args.get("revision") or str(config.get("model_revision") or "")
    step = options.step if options.step is not None else step_from_text(revision) or step_from_text(name)
    family = options.family or (known[0] if known else family_from_name(name))
    return ImportedModel(name=name, family=family, params=params, step=step,
                         location=str(location) if location else None, tokens=options.tokens)


def _shots(task: str, data: dict[str, Any]) -> int | None:
    for value in (_object(data, "n-shot").get(task), _object(_object(data, "configs"), task).get("num_fewshot"),
                  _object(data, "config").get("num_fewshot")):
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
            return int(value)
    return None


def capability(task: str, shots: Any) -> str:
    """`lm-eval/<task>/<n>-shot`, or `lm-eval/<task>` when the file does not say how many shots."""
    return f"lm-eval/{task}" + (f"/{int(shots)}-shot" if isinstance(shots, (int, float)) else "")


def _samples(task: str, data: dict[str, Any]) -> int | None:
    counts = _object(data, "n-samples").get(task)
    value = counts.get("effective", counts.get("original")) if isinstance(counts, dict) else counts
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0 else None


def read_scores(data: dict[str, Any], path: Path, options: ImportOptions) -> list[Score]:
    higher_all, configs = _object(data, "higher_is_better"), _object(data, "configs")
    rows = dict(data["results"])
    for group, values in _object(data, "groups").items():
        rows.setdefault(group, values)
    subtasks = _object(data, "group_subtasks")
    scores = []
    for task, values in rows.items():
        if not isinstance(values, dict):
            raise ImportFormatError(f"{path}: results[{task!r}] is not an object of metrics")
        metrics = _metrics(values)
        higher = _object(higher_all, task)
        wanted = options.metric
        if wanted and _lower_is_better(wanted, higher) and not options.invert:
            raise ImportFormatError(f"{path}: --metric {wanted}: lower is better for {task!r}, so it cannot be a "
                                    "score that passes at a threshold; choose a metric that rises with ability "
                                    "(acc, exact_match, ...), or map it explicitly with --invert (and --metric-range)")
        metric = _choose(metrics, higher, wanted)
        shots = _shots(task, data)
        if shots is not None:
            metrics["num_fewshot"] = float(shots)
        note = "" if metric or options.metric is None else f"no metric {options.metric!r} for this task"
        stderr = metrics.get(f"{metric}_stderr") if metric else None
        if stderr is not None and not 0 <= stderr < 1e100:  # nan, negative, or too large to square: unknown
            stderr = None
        members = subtasks.get(task) if isinstance(subtasks.get(task), list) else []  # a plain task lists none
        aggregate = {"of": sorted(capability(t, _shots(t, data)) for t in members),
                     "how": "lm-evaluation-harness group"} if members else None
        scores.append(Score(capability(task, shots), metrics.get(metric) if metric else None, metrics, metric, note,
                            stderr=stderr, n=_samples(task, data), chance=chance_of(task, metric, configs.get(task)),
                            task=task, aggregate=aggregate))
    if not scores:
        raise ImportFormatError(f"{path}: 'results' holds no tasks")
    return scores + averages(scores, options.averages, capability)
