"""The chance level of a task: the pass rate of guessing among its choices.

A threshold relative to chance (`--tau`) needs it: a 2-way and a 4-way task reach "a quarter of
the way from guessing to perfect" at 0.625 and 0.4375. It comes, in this order, from the command
line (`--chance`), from the file (lm-evaluation-harness ≥ 0.4 writes each task's `doc_to_choice`;
a BIG-bench multiple-choice score names its `low_score`), or from the tasks below, whose number
of choices is fixed. Generative tasks (exact match, last-word accuracy) have chance 0. A task
found nowhere has no chance level, and a relative threshold cannot be placed for it.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

# lm-evaluation-harness task names (globs) -> number of choices; 0: generative, guessing scores 0.
CHOICES: dict[str, int] = {
    **dict.fromkeys(["piqa", "winogrande", "wsc", "wsc273", "boolq", "copa", "rte", "qnli", "mrpc", "qqp", "sst2",
                     "sst", "wnli", "wic", "storycloze*", "xstorycloze*", "xwinograd*", "xcopa*", "blimp*", "pawsx*",
                     "toxigen", "mc_taco", "super-glue-lm-eval-v1*"], 2),
    **dict.fromkeys(["cb", "anli*", "mnli*", "xnli*", "pubmedqa"], 3),
    **dict.fromkeys(["arc_easy", "arc_challenge", "arc_*", "hellaswag", "swag", "sciq", "openbookqa", "logiqa",
                     "logiqa2", "race", "prost", "medmcqa", "medqa*", "gpqa*", "mmlu", "mmlu_*", "hendrycksTest-*",
                     "cmmlu*", "kmmlu*"], 4),
    **dict.fromkeys(["mathqa"], 5),
    **dict.fromkeys(["lambada*", "gsm8k*", "triviaqa", "nq_open", "squad*", "coqa", "drop", "arithmetic*",
                     "minerva_math*", "math*", "humaneval*", "mbpp*", "webqs", "bbh*", "ifeval"], 0),
}
# Metrics for which guessing among k choices scores 1/k; generative tasks score 0 on every metric.
ACCURACY = ("acc", "acc_norm", "exact_match", "em")


def chance_of(task: str, metric: str | None, config: Any = None) -> float | None:
    """The task's chance level for `metric`, from its lm-eval config or the table; None if unknown."""
    choices = config.get("doc_to_choice") if isinstance(config, dict) else None
    if isinstance(choices, list) and len(choices) >= 2 and (metric or "").split(",")[0] in ACCURACY:
        return 1.0 / len(choices)
    k = next((k for pattern, k in CHOICES.items() if fnmatchcase(task, pattern)), None)
    if k is None:
        return None
    if k == 0:
        return 0.0
    return 1.0 / k if (metric or "").split(",")[0] in ACCURACY else None


def given_chance(task: str, given: tuple[tuple[str, float], ...]) -> float | None:
    """The level `--chance` sets for `task` (the last matching `GLOB=C`, or a bare `C` for every task)."""
    found = None
    for pattern, value in given:
        if pattern == "*" or fnmatchcase(task, pattern):
            found = value
    return found
