"""The public scores the forecast is back-tested on: ObsScaling's per-model evaluations.

github.com/ryoungj/ObsScaling (eval_results/), in ../shared/data/obsscaling:

- `emergent_bigbench_long.csv`: one row per (model, BIG-bench task, metric), with the model's
  family, parameters, training tokens and FLOPs. The emergent tasks: arithmetic, word
  unscrambling, IPA transliteration (generative: chance 0) and the 4-way `parsinlu_qa`.
- `base_llm_benchmark_eval.csv`: one row per model with its family, size and eight standard
  benchmarks. Six are used here, with the chance level of guessing and the number of items:
  MMLU (4-way, 14,042), ARC-Challenge (4-way, 1,172), HellaSwag (4-way, 10,042), Winogrande
  (2-way, 1,267), XWinograd (2-way; 2,325, its English split) and GSM8K (generative, 1,319).
  TruthfulQA (an mc2 score, whose chance level is no simple 1/k) and HumanEval (164 problems,
  scored by code execution) are left out.

A series is one (family, task): its points sorted by scale, with case counts and chance.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from pytest_emergent.forecast import Point

EMERGENT_CHANCE = {"parsinlu_qa": 0.25}
EMERGENT_CASES = {"parsinlu_qa": 1050, "ipa_transliterate": 1003}  # the rest: 2000
EMERGENT_METRIC = {"ipa_transliterate": "bleu"}  # the smooth metric recorded beside the pass rate
BENCHMARKS = {  # column: (chance, items)
    "MMLU": (0.25, 14042), "ARC-C": (0.25, 1172), "HellaSwag": (0.25, 10042),
    "Winograd": (0.5, 1267), "XWinograd": (0.5, 2325), "GSM8K": (0.0, 1319),
}


@dataclass(frozen=True)
class Named:
    """One series of the corpus."""

    family: str
    task: str
    chance: float
    points: tuple[Point, ...]

    @property
    def name(self) -> str:
        return f"{self.family}/{self.task}"

    @property
    def sizes(self) -> int:
        return len({p.scale for p in self.points})


def emergent_series(data_dir: Path, scale: str = "params") -> list[Named]:
    """The BIG-bench emergent tasks (the IPA task's BLEU ÷ 100 as its smooth metric)."""
    column = {"params": ("params_B", 1e9), "compute": ("train_flops_1e21", 1e21)}[scale]
    scores: dict[tuple[str, str, str], dict[str, float]] = defaultdict(dict)
    sizes: dict[tuple[str, str], float] = {}
    for row in csv.DictReader((data_dir / "emergent_bigbench_long.csv").open()):
        if not row[column[0]]:
            continue
        sizes[(row["family"], row["model"])] = float(row[column[0]]) * column[1]
        scores[(row["family"], row["task"], row["metric"])][row["model"]] = float(row["value"])
    out = []
    for (family, task, kind), by_model in scores.items():
        if kind == EMERGENT_METRIC.get(task):
            continue
        smooth = scores.get((family, task, EMERGENT_METRIC.get(task, "")), {})
        points = [Point(sizes[(family, model)], value, metric=smooth[model] / 100.0 if model in smooth else None,
                        n_cases=EMERGENT_CASES.get(task, 2000)) for model, value in by_model.items()]
        out.append(Named(family, task, EMERGENT_CHANCE.get(task, 0.0), tuple(sorted(points, key=lambda p: p.scale))))
    return sorted(out, key=lambda s: s.name)


def benchmark_series(data_dir: Path) -> list[Named]:
    """The standard benchmarks, by parameter count (the file gives sizes in billions)."""
    by_series: dict[tuple[str, str], dict[float, float]] = defaultdict(dict)
    for row in csv.DictReader((data_dir / "base_llm_benchmark_eval.csv").open()):
        if not row["Model Size (B)"]:
            continue
        size = float(row["Model Size (B)"]) * 1e9
        for task in BENCHMARKS:
            if row.get(task):
                # Two models of one size in a family (7B v1 and v2): the later row stands.
                by_series[(row["Model Family"], task)][size] = float(row[task])
    out = []
    for (family, task), values in by_series.items():
        chance, items = BENCHMARKS[task]
        points = tuple(Point(size, min(max(value, 0.0), 1.0), n_cases=items) for size, value in sorted(values.items()))
        out.append(Named(family, task, chance, points))
    return sorted(out, key=lambda s: s.name)
