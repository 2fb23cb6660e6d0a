"""Error bars and significance tests for pass rates and scores, from the standard library alone.

Why these and not others:

- **Wilson interval** for a pass rate. The textbook interval p ± z·√(p(1−p)/n) collapses to a
  point at 0/n and n/n and undercovers at small n, which is exactly where capability suites live
  (20 cases, pass rates near 0 or 1). Wilson's score interval stays inside [0, 1], is never of
  zero width, and covers close to its level from n ≈ 10 on.
- **Student t interval** for the mean of a continuous metric (log-probability, similarity): the
  per-case values are roughly symmetric and n is small, so t (not z) quantiles.
- **Exact one-sided McNemar test** when two runs graded the same cases. Cases that both runs
  passed or both failed say nothing about a change; under "no change" each discordant case is
  equally likely to have gone either way, so the count of pass→fail cases among the d discordant
  ones is Binomial(d, ½). Pairing removes the case-difficulty variance, which makes it far more
  powerful than comparing two pass rates, and the exact binomial tail is valid at any n.
- **Fisher's exact test** (one-sided) for two pass rates on different cases: exact at any n,
  conservative rather than anticonservative at small n, where the two-proportion z test is not.
- **z test from standard errors** where only a score and its standard error are known (imported
  lm-evaluation-harness results): z = (before − after) / √(se₁² + se₂²).
- **Holm** (default) controls the chance of *any* false regression in a run (family-wise error)
  under any dependence between the tests; **Benjamini–Hochberg** controls the expected share of
  false calls among the calls, more powerful when a run tests hundreds of capabilities.

Nothing here imports the rest of the project: the functions take and return numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from statistics import NormalDist

LEVEL = 0.95
CORRECTIONS = ("holm", "bh", "none")
_NORMAL = NormalDist()


def z_quantile(level: float = LEVEL) -> float:
    """The two-sided normal quantile of a confidence level (1.96 for 0.95)."""
    return _NORMAL.inv_cdf(0.5 + level / 2)


# -- intervals ---------------------------------------------------------------------------------

def wilson_interval(passed: float, n: int, level: float = LEVEL) -> tuple[float, float] | None:
    """Wilson score interval of a pass rate `passed / n`; None when n is 0.

    `passed` may be fractional (a pass rate times n), as when only the rate and n are known.
    """
    if n <= 0:
        return None
    z = z_quantile(level)
    p = min(max(passed / n, 0.0), 1.0)
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    # At 0/n and n/n the bound is exactly 0 (or 1); rounding would leave 1e-17.
    return (0.0 if p == 0 else max(0.0, centre - half), 1.0 if p == 1 else min(1.0, centre + half))


def normal_interval(estimate: float, stderr: float, level: float = LEVEL) -> tuple[float, float]:
    """estimate ± z·stderr: for a score that comes with its standard error and nothing else."""
    half = z_quantile(level) * stderr
    return (estimate - half, estimate + half)


def _beta_fraction(a: float, b: float, x: float) -> float:
    """1 / (1 + d1 / (1 + d2 / (1 + …))), the continued fraction of I_x(a, b) (DLMF 8.17.22),
    evaluated with the modified Lentz method."""
    tiny = 1e-300

    def term(j: int) -> float:  # d_j
        m = j // 2
        if j % 2 == 0:
            return m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
        return -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))

    f, c, d = tiny, tiny, 0.0
    for j in range(1, 1000):
        numerator = 1.0 if j == 1 else term(j - 1)
        d = 1.0 + numerator * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + numerator / c
        c = c if abs(c) > tiny else tiny
        f *= c * d
        if abs(c * d - 1.0) < 1e-15:
            break
    return f


def _incomplete_beta(a: float, b: float, x: float) -> float:
    """Regularized incomplete beta I_x(a, b); the fraction converges fast below the mean, so
    above it the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) is used."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    if x > (a + 1) / (a + b + 2):
        return 1.0 - _incomplete_beta(b, a, 1.0 - x)
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    return math.exp(log_front) * _beta_fraction(a, b, x) / a


def t_cdf(t: float, df: float) -> float:
    """Student's t distribution function."""
    tail = 0.5 * _incomplete_beta(df / 2, 0.5, df / (df + t * t))
    return 1.0 - tail if t >= 0 else tail


def t_quantile(probability: float, df: float) -> float:
    """Inverse of `t_cdf` by bisection (monotone, so 100 halvings reach machine precision)."""
    if probability == 0.5:
        return 0.0
    sign = 1.0 if probability > 0.5 else -1.0
    target = max(probability, 1 - probability)
    low, high = 0.0, 1.0
    while t_cdf(high, df) < target:
        high *= 2
    for _ in range(100):
        middle = (low + high) / 2
        if t_cdf(middle, df) < target:
            low = middle
        else:
            high = middle
    return sign * (low + high) / 2


def t_interval(values: Sequence[float], level: float = LEVEL) -> tuple[float, float, float] | None:
    """(mean, low, high) of a sample's mean with Student's t; None under two values.

    A sample with no spread gets a zero-width interval: the data show no variation to widen it by.
    """
    n = len(values)
    if n < 2:
        return None
    mean = math.fsum(values) / n
    stderr = mean_stderr(values)
    half = t_quantile(0.5 + level / 2, n - 1) * stderr
    return (mean, mean - half, mean + half)


def mean_stderr(values: Sequence[float]) -> float:
    """Standard error of the mean (sample standard deviation over √n)."""
    n = len(values)
    mean = math.fsum(values) / n
    return math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1) / n)


# -- summaries for result records --------------------------------------------------------------

@dataclass(frozen=True)
class Summary:
    """What a result record carries as its error bar: n, the estimate and its 95% interval."""

    n: int
    estimate: float | None
    interval: tuple[float, float] | None
    stderr: float | None = None
    clear_of_threshold: bool | None = None  # the interval lies wholly on one side of the threshold

    def fields(self) -> dict[str, object]:
        """The `n`, `interval` and `stderr` keys of a result record."""
        return {"n": self.n, "interval": None if self.interval is None else [self.interval[0], self.interval[1]],
                "stderr": self.stderr}


def _clear(interval: tuple[float, float] | None, threshold: float | None) -> bool | None:
    if interval is None or threshold is None:
        return None
    return not (interval[0] <= threshold <= interval[1])


def summarize(passed: Sequence[bool | None], threshold: float | None = None, level: float = LEVEL) -> Summary:
    """Pass rate of graded cases with its Wilson interval; a `None` (not graded: an error) is left out.

    With a `threshold`, `clear_of_threshold` says whether the interval excludes it: a pass rate
    whose interval straddles the threshold could have come out either way.
    """
    graded = [bool(p) for p in passed if p is not None]
    n = len(graded)
    if n == 0:
        return Summary(0, None, None)
    interval = wilson_interval(sum(graded), n, level)
    return Summary(n, sum(graded) / n, interval, None, _clear(interval, threshold))


def summarize_values(values: Sequence[float], threshold: float | None = None, level: float = LEVEL) -> Summary:
    """Mean of a continuous per-case metric with its t interval and standard error."""
    finite = [float(v) for v in values if math.isfinite(v)]
    n = len(finite)
    if n == 0:
        return Summary(0, None, None)
    found = t_interval(finite, level)
    if found is None:
        return Summary(n, finite[0], None)
    mean, low, high = found
    return Summary(n, mean, (low, high), mean_stderr(finite), _clear((low, high), threshold))


# -- one-sided tests of a drop (swap the arguments for a rise) -----------------------------------

def _log_comb(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def _tail_sum(log_term: Callable[[int], float], values: range) -> float:
    """Σ exp(log_term(v)) over `values`, stopping once the terms have peaked and fallen below
    e⁻⁴⁰ of the largest (they only fall further: the distributions here are unimodal)."""
    logs: list[float] = []
    top = -math.inf
    for v in values:
        current = log_term(v)
        if logs and current < logs[-1] and current < top - 40:
            break
        logs.append(current)
        top = max(top, current)
    return math.exp(top) * math.fsum(math.exp(v - top) for v in logs)


def mcnemar_drop(lost: int, gained: int) -> float:
    """Exact one-sided McNemar p-value that pass rate dropped, from the discordant cases.

    `lost`: cases that passed before and fail now; `gained`: the reverse. Under no change
    `lost` ~ Binomial(lost + gained, ½); the p-value is P(X ≥ lost).
    """
    d = lost + gained
    if d == 0 or lost == 0:
        return 1.0
    return min(1.0, _tail_sum(lambda i: _log_comb(d, i) - d * math.log(2), range(lost, d + 1)))


def fisher_drop(passed_before: int, n_before: int, passed_after: int, n_after: int) -> float:
    """Fisher's exact one-sided p-value that the pass rate after is lower than before.

    Given the total passes K of both runs, the passes after are hypergeometric under no change;
    the p-value is P(X ≤ passed_after).
    """
    if n_before <= 0 or n_after <= 0:
        return 1.0
    total, passes = n_before + n_after, passed_before + passed_after
    low = max(0, passes - n_before)
    if passed_after < low:
        return 1.0
    denominator = _log_comb(total, n_after)
    return min(1.0, _tail_sum(lambda x: _log_comb(passes, x) + _log_comb(total - passes, n_after - x) - denominator,
                              range(passed_after, low - 1, -1)))


def upper_tail(z: float) -> float:
    """P(Z ≥ z) for a standard normal Z: the one-sided p-value of a z statistic (erfc keeps
    the far tail, where 1 − Φ(z) would round to 0)."""
    return 0.5 * math.erfc(z / math.sqrt(2))


def upper_quantile(alpha: float) -> float:
    """The z a one-sided test at level alpha must reach (1.645 at 0.05)."""
    return _NORMAL.inv_cdf(1 - alpha)


def z_drop(before: float, stderr_before: float, after: float, stderr_after: float,
           continuity: float = 0.0) -> tuple[float, float]:
    """(z, one-sided p) that the score dropped, from two independent standard errors.

    `continuity` shrinks the difference towards 0 first (Yates): a pass rate of n cases moves
    in steps of 1/n, and without it the normal approximation is too ready to call small-n
    differences significant. Pass ½·(1/n₁ + 1/n₂) when both n are known.
    """
    spread = math.hypot(stderr_before, stderr_after)
    difference = before - after
    difference = math.copysign(max(0.0, abs(difference) - continuity), difference)
    if spread <= 0:
        return (math.inf if difference > 0 else -math.inf if difference < 0 else 0.0,
                0.0 if difference > 0 else 1.0)
    z = difference / spread
    return (z, upper_tail(z))


# -- many tests in one run -----------------------------------------------------------------------

def holm(pvalues: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values (reject where adjusted ≤ α): family-wise error ≤ α."""
    m = len(pvalues)
    order = sorted(range(m), key=lambda i: pvalues[i])
    adjusted = [1.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * pvalues[i]))
        adjusted[i] = running
    return adjusted


def benjamini_hochberg(pvalues: Sequence[float]) -> list[float]:
    """Benjamini–Hochberg adjusted p-values (q-values): false discovery rate ≤ α."""
    m = len(pvalues)
    order = sorted(range(m), key=lambda i: pvalues[i], reverse=True)
    adjusted = [1.0] * m
    running = 1.0
    for back, i in enumerate(order):
        rank = m - back
        running = min(running, pvalues[i] * m / rank)
        adjusted[i] = min(1.0, running)
    return adjusted


def adjust(pvalues: Sequence[float], correction: str = "holm") -> list[float]:
    """Adjusted p-values under `holm`, `bh` or `none`."""
    if correction == "holm":
        return holm(pvalues)
    if correction == "bh":
        return benjamini_hochberg(pvalues)
    if correction == "none":
        return list(pvalues)
    raise ValueError(f"unknown correction {correction!r}; expected one of {', '.join(CORRECTIONS)}")


# -- how many cases would it take ------------------------------------------------------------------

def cases_needed(pvalue_at: Callable[[int], float], alpha: float, start: int = 1, limit: int = 1_000_000) -> int | None:
    """Smallest n ≥ `start` with `pvalue_at(n) ≤ alpha`, or None when not even `limit` cases do.

    `pvalue_at(n)` is the p-value the same observed rates would give with n cases. Discrete
    tests make it a slightly jagged function of n, so the answer is the first n of a doubling
    search refined by bisection: an estimate to plan a suite with, not a guarantee.
    """
    high = max(1, start)
    while pvalue_at(high) > alpha:
        if high >= limit:
            return None
        high = min(limit, high * 2)
    low = max(start - 1, high // 2)
    while high - low > 1:
        middle = (low + high) // 2
        if pvalue_at(middle) <= alpha:
            high = middle
        else:
            low = middle
    return high


def paired_cases_estimate(lost_share: float, gained_share: float, alpha: float) -> int | None:
    """Cases per run at which these shares of pass → fail and fail → pass cases would make a
    significant drop (normal approximation of the sign test); None when nothing was lost on balance."""
    if lost_share <= gained_share:
        return None
    z = upper_quantile(alpha)
    return math.ceil(z * z * (lost_share + gained_share) / (lost_share - gained_share) ** 2)


def unpaired_cases_estimate(rate_before: float, rate_after: float, alpha: float) -> int | None:
    """Cases per run at which this drop in pass rate would be significant between different cases
    (normal approximation of the two-proportion test); None when the rate did not drop."""
    if rate_after >= rate_before:
        return None
    z = upper_quantile(alpha)
    pooled = (rate_before + rate_after) / 2
    return math.ceil(z * z * 2 * pooled * (1 - pooled) / (rate_before - rate_after) ** 2)


def min_cases_paired(alpha: float) -> int:
    """Fewest cases for which the most extreme flip (every case pass → fail) is significant, paired."""
    return max(1, math.ceil(math.log2(1 / alpha) - 1e-12))


def min_cases_unpaired(alpha: float) -> int:
    """Fewest cases per run for which n/n passes → 0/n is significant with Fisher's test."""
    return cases_needed(lambda n: fisher_drop(n, n, 0, n), alpha) or 1
