"""Back-test of the emergence forecast on public per-model BIG-bench scores (ObsScaling).

Data: `emergent_bigbench_long.csv` from github.com/ryoungj/ObsScaling (eval_results/), one row per
(model, task, metric) with the model's family, parameter count, training tokens and FLOPs.

Protocol (fixed before looking at any forecast):
- A series is one (family, task) with at least 4 distinct sizes. The pass rate is the task's
  accuracy / exact match; for `ipa_transliterate` the BLEU score (÷100) is given to the forecast as
  the smooth metric, the only task here that records one. Case counts are the task sizes (every
  score in the file is a whole number of cases out of them).
- Scale is the parameter count (`--scale compute` uses training FLOPs instead).
- Thresholds: chance + f·(1 - chance) for f in 0.1, 0.25, 0.5 (chance is 0.25 for the 4-way
  `parsinlu_qa`, 0 for the generative tasks), i.e. 10%, 25% and half of the way to a perfect score.
- Every cut: the smallest k ≥ 3 sizes are fitted and the larger ones held out. Protocol "largest"
  keeps only the cut that holds out the single largest model. A (series, threshold, cut) is a
  forecasting problem when no fitted size reaches the threshold yet.
- It truly crosses when a held-out size reaches the threshold; the true crossing scale is the
  linear interpolation of pass rate in log10(scale) between that size and the one before it.
- Error: |log10(predicted / true)| on problems that truly cross. A verdict other than "crossing"
  counts as a prediction at the 3-decade horizon the forecast refuses to look past (a lower bound
  on its error); "missed" counts them.
- False alarm: a "crossing" predicted at or below the largest held-out size on a problem that
  does not cross there. Coverage: share of the problems that truly cross and are forecast to
  cross whose 90% interval [low, high] contains the true scale (a missing high is unbounded):
  the claim a printed interval makes.

The protocol was fixed first; the main method's local step, scatter and gating rules were then
iterated on this very back-test, so its figures flatter it somewhat. The baseline was not tuned,
except for the interval calibration both share (LOW_SHRINK, HIGH_STRETCH in forecast/verdict.py),
set on this back-test; `--raw-intervals` shows the uncalibrated bootstrap intervals, and
leave-one-family-out coverage (the factors chosen without the family) is printed below.

Run: .venv/bin/python bench/forecast_validation.py [DATA_DIR] [--scale params|compute] [--n-boot N]
"""

from __future__ import annotations

import argparse
import csv
import math
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pytest_emergent.forecast import CROSSING, Forecast, Point, forecast, verdict  # noqa: E402
from pytest_emergent.forecast.verdict import HORIZON_DECADES  # noqa: E402

LEVELS = (0.1, 0.25, 0.5)
CHANCE = {"parsinlu_qa": 0.25}
CASES = {"parsinlu_qa": 1050, "ipa_transliterate": 1003}  # the rest: 2000
METRIC_OF = {"ipa_transliterate": "bleu"}
METHODS = ("metric", "sigmoid")


@dataclass(frozen=True)
class Problem:
    series: str
    threshold: float
    fitted: tuple[Point, ...]
    held_out: tuple[Point, ...]
    largest_only: bool

    def truth(self) -> float | None:
        """log10 scale where the held-out pass rate first reaches the threshold, or None."""
        points = self.fitted[-1:] + self.held_out
        for before, after in zip(points, points[1:]):
            if after.pass_rate >= self.threshold:
                a, b = math.log10(before.scale), math.log10(after.scale)
                share = (self.threshold - before.pass_rate) / (after.pass_rate - before.pass_rate)
                return a + share * (b - a)
        return None


def load_series(data_dir: Path, scale: str) -> dict[str, list[Point]]:
    column = {"params": ("params_B", 1e9), "compute": ("train_flops_1e21", 1e21)}[scale]
    scores: dict[tuple[str, str, str], dict[str, float]] = defaultdict(dict)
    sizes: dict[tuple[str, str], float] = {}
    for row in csv.DictReader((data_dir / "emergent_bigbench_long.csv").open()):
        if not row[column[0]]:
            continue
        sizes[(row["family"], row["model"])] = float(row[column[0]]) * column[1]
        scores[(row["family"], row["task"], row["metric"])][row["model"]] = float(row["value"])
    out: dict[str, list[Point]] = {}
    for (family, task, kind), by_model in scores.items():
        if kind == METRIC_OF.get(task):
            continue
        smooth = scores.get((family, task, METRIC_OF.get(task, "")), {})
        points = [
            Point(
                sizes[(family, model)],
                value,
                metric=smooth[model] / 100.0 if model in smooth else None,
                n_cases=CASES.get(task, 2000),
            )
            for model, value in by_model.items()
        ]
        points.sort(key=lambda p: p.scale)
        if len({p.scale for p in points}) >= 4:
            out[f"{family}/{task}"] = points
    return out


def problems(series: dict[str, list[Point]]) -> list[Problem]:
    found = []
    for name, points in sorted(series.items()):
        chance = CHANCE.get(name.split("/")[1], 0.0)
        for level in LEVELS:
            threshold = chance + level * (1.0 - chance)
            for k in range(3, len(points)):
                fitted, held = tuple(points[:k]), tuple(points[k:])
                if all(p.pass_rate < threshold for p in fitted):
                    found.append(Problem(name, threshold, fitted, held, k == len(points) - 1))
    return found


def share(k: int, n: int) -> str:
    return f"{k}/{n} ({k / n:.0%})" if n else "-"


def score(results: list[tuple[Problem, Forecast]]) -> dict[str, str]:
    errors, within, covered, forecast_crossing, missed, alarms, quiet = [], 0, 0, 0, 0, 0, 0
    for problem, result in results:
        truth = problem.truth()
        x_max = math.log10(problem.fitted[-1].scale)
        if truth is None:
            quiet += 1
            top = math.log10(problem.held_out[-1].scale)
            alarms += result.verdict == CROSSING and math.log10(result.predicted or math.inf) <= top
            continue
        if result.verdict == CROSSING and result.predicted is not None:
            guess = math.log10(result.predicted)
            low = math.log10(result.low) if result.low else math.inf
            high = math.log10(result.high) if result.high else math.inf
            forecast_crossing += 1
            covered += low <= truth <= high
        else:
            guess, missed = x_max + HORIZON_DECADES, missed + 1
        errors.append(abs(guess - truth))
        within += errors[-1] <= 0.5
    crossing = len(errors)
    return {
        "problems": str(len(results)),
        "truly cross": str(crossing),
        "median |log10 err|": f"{statistics.median(errors):.2f}" if errors else "-",
        "within 0.5 decade": share(within, crossing),
        "missed (no crossing)": share(missed, crossing),
        "false alarms": share(alarms, quiet),
        "interval coverage": share(covered, forecast_crossing),
    }


def uncalibrated(problem: Problem, method: str, n_boot: int) -> Forecast:
    saved = verdict.LOW_SHRINK, verdict.HIGH_STRETCH
    verdict.LOW_SHRINK = verdict.HIGH_STRETCH = 1.0
    try:
        return forecast(problem.fitted, problem.threshold, method, n_boot)
    finally:
        verdict.LOW_SHRINK, verdict.HIGH_STRETCH = saved


def calibrated(problem: Problem, result: Forecast, shrink: float, stretch: float) -> tuple[float, float]:
    """The interval the calibration factors would give, from a forecast made with both at 1."""
    x_max = math.log10(problem.fitted[-1].scale)
    low = x_max + shrink * (math.log10(result.low) - x_max)
    pred = math.log10(result.predicted)
    high = pred + stretch * (math.log10(result.high) - pred) if result.high else math.inf
    return low, (high if high <= x_max + HORIZON_DECADES else math.inf)


def leave_one_family_out(raw: list[tuple[Problem, Forecast]]) -> str:
    """Coverage when each family's factors are chosen on the other families only: the largest
    low-end share and then smallest stretch that reach 90% there."""
    usable = [(p, r) for p, r in raw if p.truth() is not None and r.verdict == CROSSING and r.predicted]
    grid = [(f, g) for f in (1.0, 0.75, 0.5, 0.35, 0.25, 0.15, 0.1, 0.0) for g in (1.0, 1.5, 2.0, 3.0)]

    def hits(rows: list[tuple[Problem, Forecast]], f: float, g: float) -> int:
        return sum(low <= p.truth() <= high for p, r in rows for low, high in [calibrated(p, r, f, g)])

    covered = 0
    for family in sorted({p.series.split("/")[0] for p, _ in usable}):
        train = [(p, r) for p, r in usable if p.series.split("/")[0] != family]
        test = [(p, r) for p, r in usable if p.series.split("/")[0] == family]
        good = [(f, g) for f, g in grid if hits(train, f, g) >= 0.9 * len(train)] or [(0.0, 3.0)]
        covered += hits(test, *max(good, key=lambda t: (t[0], -t[1])))
    return share(covered, len(usable))


def table(title: str, columns: dict[str, dict[str, str]]) -> str:
    rows = list(next(iter(columns.values())))
    width = max(map(len, rows)) + 2
    lines = [title, "".ljust(width) + "".join(name.rjust(16) for name in columns)]
    lines += [row.ljust(width) + "".join(col[row].rjust(16) for col in columns.values()) for row in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=REPO / ".." / "shared" / "data" / "obsscaling")
    parser.add_argument("--scale", choices=("params", "compute"), default="params")
    parser.add_argument("--n-boot", type=int, default=200)
    parser.add_argument("--raw-intervals", action="store_true", help="the bootstrap's intervals, uncalibrated")
    args = parser.parse_args(argv)
    if not (args.data / "emergent_bigbench_long.csv").is_file():
        parser.error(f"no emergent_bigbench_long.csv in {args.data.resolve()}; pass the ObsScaling data folder")
    started = time.perf_counter()
    todo = problems(load_series(args.data, args.scale))
    shipped = (verdict.LOW_SHRINK, verdict.HIGH_STRETCH)
    raw = {m: [(p, uncalibrated(p, m, args.n_boot)) for p in todo] for m in METHODS}
    results = raw if args.raw_intervals else {m: [(p, forecast(p.fitted, p.threshold, m, args.n_boot)) for p in todo]
                                              for m in METHODS}
    for title, keep in (("every cut", lambda p: True), ("largest model held out", lambda p: p.largest_only)):
        columns = {m: score([r for r in results[m] if keep(r[0])]) for m in METHODS}
        print(table(f"{title} (scale: {args.scale}, thresholds at {LEVELS} of chance→max)", columns), end="\n\n")
    how = "raw bootstrap" if args.raw_intervals else f"calibrated, low end {shipped[0]:g}, stretch {shipped[1]:g}"
    print(f"intervals: {how}; "
          "leave-one-family-out coverage (factors chosen without the family): "
          + ", ".join(f"{m} {leave_one_family_out(raw[m])}" for m in METHODS))
    print(f"{len(todo)} problems, {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
