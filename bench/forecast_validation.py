"""Back-tests of the emergence forecast on public per-model scores (ObsScaling).

Data (bench/obsscaling.py): BIG-bench emergent tasks (84 base models) and six standard
benchmarks (148 base models), 47 families, with parameter counts. Three back-tests, one protocol:

- A series is one (family, task). Thresholds: chance + tau·(1 − chance) for tau in 0.1, 0.25,
  0.5, i.e. 10%, 25% and half of the way from guessing to a perfect score. Case counts are the
  task sizes.
- A cut fits the smallest sizes and holds out the larger ones; a (series, threshold, cut) is a
  forecasting problem when no fitted size reaches the threshold yet.
- It truly crosses when a held-out size reaches the threshold; the true crossing scale is the
  linear interpolation of pass rate in log10(scale) between that size and the one before it.
- Error: |log10(predicted / true)| on problems that truly cross. A verdict other than "crossing"
  counts as a prediction at the 3-decade horizon the forecast refuses to look past (a lower bound
  on its error); "missed" counts them.
- False alarm: a "crossing" predicted at or below the largest held-out size on a problem that
  does not cross there. Coverage: share of the problems that truly cross and are forecast to
  cross whose 90% interval [low, high] contains the true scale (a missing high is unbounded):
  the claim a printed interval makes. Width: the median of log10(high / low) over crossings
  with a bounded high end.

1. **ObsScaling emergent tasks** (the original back-test): series with 4+ sizes, every cut with
   3+ fitted sizes; the forecast is not told the chance level (as before chance-aware thresholds).
   The main method's local step, scatter and gating rules were iterated on this very back-test,
   so its figures flatter it somewhat; the interval calibration (LOW_SHRINK, HIGH_STRETCH in
   forecast/verdict.py) was set on it too, hence the leave-one-family-out coverage line.
2. **Chance-aware**: every series with a chance level above 0 (parsinlu_qa, MMLU, ARC-C,
   HellaSwag: 4-way; Winogrande, XWinograd: 2-way), 4+ sizes, every cut with 3+ fitted sizes, at
   the chance-relative thresholds; each method as shipped (fitting the pass rate) and fitting the
   rate above chance instead (`forecast(..., fit_above_chance=True)`, the sigmoid with a floor).
3. **Two-point ladders**, leave-one-family-out: every series of 3+ sizes, fitted on two
   neighbouring sizes with the larger ones held out; the prior (forecast/prior.py) is learned
   from every other family's series, never the tested family's; split by multiple-choice (chance
   above 0) and generative tasks. Beside it, on the problems where a smaller size exists, the
   forecast from three sizes (that one added) without the prior.

Run: .venv/bin/python bench/forecast_validation.py [DATA_DIR] [--scale params|compute] [--n-boot N]
     [--raw-intervals] [--learn-prior]
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from obsscaling import Named, benchmark_series, emergent_series  # noqa: E402

from pytest_emergent.forecast import CROSSING, Forecast, Point, forecast, verdict  # noqa: E402
from pytest_emergent.forecast.prior import LEARNED, Prior, two_point_forecast  # noqa: E402
from pytest_emergent.forecast.series import Series  # noqa: E402
from pytest_emergent.forecast.verdict import HORIZON_DECADES  # noqa: E402

LEVELS = (0.1, 0.25, 0.5)


@dataclass(frozen=True)
class Problem:
    series: Named
    threshold: float
    fitted: tuple[Point, ...]
    held_out: tuple[Point, ...]
    largest_only: bool

    @property
    def family(self) -> str:
        return self.series.family

    def truth(self) -> float | None:
        """log10 scale where the held-out pass rate first reaches the threshold, or None."""
        points = self.fitted[-1:] + self.held_out
        for before, after in zip(points, points[1:]):
            if after.pass_rate >= self.threshold:
                a, b = math.log10(before.scale), math.log10(after.scale)
                share = (self.threshold - before.pass_rate) / (after.pass_rate - before.pass_rate)
                return a + share * (b - a)
        return None


def problems(corpus: Iterable[Named], fitted_sizes: Callable[[int], Iterable[tuple[int, int]]]) -> list[Problem]:
    """Every (series, threshold, cut) not passing yet; `fitted_sizes(n)` gives the cuts (start, stop)."""
    found = []
    for named in corpus:
        points = named.points
        for level in LEVELS:
            threshold = named.chance + level * (1.0 - named.chance)
            for start, stop in fitted_sizes(len(points)):
                fitted, held = points[start:stop], points[stop:]
                if held and all(p.pass_rate < threshold for p in fitted):
                    found.append(Problem(named, threshold, fitted, held, stop == len(points) - 1))
    return found


def growing(n: int) -> list[tuple[int, int]]:
    return [(0, k) for k in range(3, n)]


def neighbours(n: int) -> list[tuple[int, int]]:
    return [(i, i + 2) for i in range(n - 2)]


def share(k: int, n: int) -> str:
    return f"{k}/{n} ({k / n:.0%})" if n else "-"


def score(results: list[tuple[Problem, Forecast]]) -> dict[str, str]:
    errors, within, covered, forecast_crossing, missed, alarms, quiet, widths = [], 0, 0, 0, 0, 0, 0, []
    for problem, result in results:
        truth = problem.truth()
        x_max = math.log10(problem.fitted[-1].scale)
        if result.verdict == CROSSING and result.low and result.high:
            widths.append(math.log10(result.high / result.low))
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
        "median width (decades)": f"{statistics.median(widths):.2f}" if widths else "-",
    }


def uncalibrated(problem: Problem, method: str, n_boot: int, chance: float = 0.0) -> Forecast:
    saved = verdict.LOW_SHRINK, verdict.HIGH_STRETCH
    verdict.LOW_SHRINK = verdict.HIGH_STRETCH = 1.0
    try:
        return forecast(problem.fitted, problem.threshold, method, n_boot, chance=chance)
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
    for family in sorted({p.family for p, _ in usable}):
        train = [(p, r) for p, r in usable if p.family != family]
        test = [(p, r) for p, r in usable if p.family == family]
        good = [(f, g) for f, g in grid if hits(train, f, g) >= 0.9 * len(train)] or [(0.0, 3.0)]
        covered += hits(test, *max(good, key=lambda t: (t[0], -t[1])))
    return share(covered, len(usable))


def table(title: str, columns: dict[str, dict[str, str]]) -> str:
    rows = list(next(iter(columns.values())))
    width = max(map(len, rows)) + 2
    col = max(16, *(len(name) + 2 for name in columns))
    lines = [title, "".ljust(width) + "".join(name.rjust(col) for name in columns)]
    lines += [row.ljust(width) + "".join(c[row].rjust(col) for c in columns.values()) for row in rows]
    return "\n".join(lines)


def original(corpus: list[Named], args: argparse.Namespace) -> None:
    """1. The emergent tasks, chance not given to the forecast; calibration and its LOFO check."""
    todo = problems([s for s in corpus if s.sizes >= 4], growing)
    methods = ("metric", "sigmoid")
    shipped = (verdict.LOW_SHRINK, verdict.HIGH_STRETCH)
    raw = {m: [(p, uncalibrated(p, m, args.n_boot)) for p in todo] for m in methods}
    results = raw if args.raw_intervals else {m: [(p, forecast(p.fitted, p.threshold, m, args.n_boot)) for p in todo]
                                              for m in methods}
    for title, keep in (("every cut", lambda p: True), ("largest model held out", lambda p: p.largest_only)):
        columns = {m: score([r for r in results[m] if keep(r[0])]) for m in methods}
        print(table(f"1. ObsScaling emergent tasks, {title} (scale: {args.scale}, thresholds at {LEVELS} of "
                    "chance→max)", columns), end="\n\n")
    how = "raw bootstrap" if args.raw_intervals else f"calibrated, low end {shipped[0]:g}, stretch {shipped[1]:g}"
    print(f"intervals: {how}; leave-one-family-out coverage (factors chosen without the family): "
          + ", ".join(f"{m} {leave_one_family_out(raw[m])}" for m in methods), end="\n\n")


def chance_aware(corpus: list[Named], args: argparse.Namespace) -> None:
    """2. Series above a chance floor at chance-relative thresholds: the pass rate fitted (shipped)
    beside the rate above chance fitted (`fit_above_chance`), per chance level."""
    for chance, kind in ((0.25, "4-way"), (0.5, "2-way")):
        todo = problems([s for s in corpus if s.sizes >= 4 and s.chance == chance], growing)
        columns = {}
        for method in ("metric", "sigmoid"):
            for above, label in ((False, "shipped"), (True, "above chance")):
                columns[f"{method}, {label}"] = score([(p, forecast(p.fitted, p.threshold, method, args.n_boot,
                                                                    chance=chance, fit_above_chance=above))
                                                       for p in todo])
        tasks = sorted({p.series.task for p in todo})
        print(table(f"2. chance-aware thresholds, {kind} tasks ({', '.join(tasks)}): "
                    f"{len({p.series.name for p in todo})} series of 4+ sizes", columns), end="\n\n")


def ladders(corpus: list[Named], args: argparse.Namespace) -> None:
    """3. Two neighbouring sizes, the prior learned without the family; three sizes beside it."""
    todo = problems([s for s in corpus if s.sizes >= 3], neighbours)
    priors = {family: Prior.learn(Series.of(s.points, s.chance) for s in corpus if s.family != family)
              for family in sorted({p.family for p in todo})}
    two = [(p, two_point_forecast(Series.of(p.fitted, p.series.chance), p.threshold, prior=priors[p.family]))
           for p in todo]
    with_third = []
    for p, _ in two:
        start = p.series.points.index(p.fitted[0])
        if start > 0:
            three = p.series.points[start - 1:start + 2]
            with_third.append((p, forecast(three, p.threshold, "metric", args.n_boot, chance=p.series.chance)))
    same = {id(p) for p, _ in with_third}
    columns = {"2 sizes + prior": score(two),
               "multiple choice": score([(p, r) for p, r in two if p.series.chance > 0]),
               "generative": score([(p, r) for p, r in two if p.series.chance == 0]),
               "same, 3rd exists": score([(p, r) for p, r in two if id(p) in same]),
               "3 sizes, no prior": score(with_third)}
    print(table(f"3. two-point ladders, leave-one-family-out: {len({p.series.name for p in todo})} series of 3+ "
                f"sizes in {len(priors)} families", columns))
    spread = [(pr.slope_mean, pr.slope_sd, pr.scatter) for pr in priors.values()]
    print(f"priors learned without each family: slope mean {min(s[0] for s in spread):.2f}–"
          f"{max(s[0] for s in spread):.2f}, sd {min(s[1] for s in spread):.2f}–{max(s[1] for s in spread):.2f}, "
          f"scatter {min(s[2] for s in spread):.3f}–{max(s[2] for s in spread):.3f} per decade / logit²", end="\n\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=REPO / ".." / "shared" / "data" / "obsscaling")
    parser.add_argument("--scale", choices=("params", "compute"), default="params")
    parser.add_argument("--n-boot", type=int, default=200)
    parser.add_argument("--raw-intervals", action="store_true", help="the bootstrap's intervals, uncalibrated")
    parser.add_argument("--learn-prior", action="store_true", help="print the two-point prior learned on all the data")
    args = parser.parse_args(argv)
    for name in ("emergent_bigbench_long.csv", "base_llm_benchmark_eval.csv"):
        if not (args.data / name).is_file():
            parser.error(f"no {name} in {args.data.resolve()}; pass the ObsScaling data folder")
    started = time.perf_counter()
    emergent = emergent_series(args.data, args.scale)
    everything = emergent + benchmark_series(args.data)
    if args.learn_prior:
        learned = Prior.learn(Series.of(s.points, s.chance) for s in everything)
        print(f"learned: {learned}\nshipped: {LEARNED}")
        return
    original(emergent, args)
    if args.scale == "params":  # the benchmarks file gives parameter counts only
        chance_aware(everything, args)
        ladders(everything, args)
    print(f"{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
