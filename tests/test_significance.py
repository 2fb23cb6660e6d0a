"""The statistics behind error bars and change verdicts, checked against SciPy as an oracle.

SciPy is a test dependency only: the package computes everything with the standard library.
"""

from __future__ import annotations

import itertools
import math
import random

import pytest

from pytest_emergent import significance as sig

stats = pytest.importorskip("scipy.stats")


@pytest.mark.parametrize(("passed", "n"), [(0, 1), (1, 1), (0, 10), (3, 10), (10, 10), (17, 50), (412, 1000)])
def test_wilson_interval_matches_scipy(passed, n):
    expected = stats.binomtest(passed, n).proportion_ci(0.95, method="wilson")
    assert sig.wilson_interval(passed, n) == pytest.approx((expected.low, expected.high), abs=1e-9)


def test_wilson_interval_is_never_a_point_and_stays_in_the_unit_interval():
    for n in (1, 5, 20):
        for passed in range(n + 1):
            low, high = sig.wilson_interval(passed, n)
            assert 0.0 <= low < high <= 1.0 and low <= passed / n <= high
    assert sig.wilson_interval(0, 10)[0] == 0.0 and sig.wilson_interval(10, 10)[1] == 1.0
    assert sig.wilson_interval(0, 0) is None


@pytest.mark.parametrize("df", [1, 2, 3, 5, 10, 29, 200, 5000])
def test_t_quantiles_and_distribution_match_scipy(df):
    for p in (0.6, 0.9, 0.975, 0.995):
        assert sig.t_quantile(p, df) == pytest.approx(stats.t.ppf(p, df), rel=1e-9)
    for t in (-4.0, -1.3, 0.0, 0.7, 2.5):
        assert sig.t_cdf(t, df) == pytest.approx(stats.t.cdf(t, df), abs=1e-12)


def test_t_interval_of_a_mean_matches_scipy():
    values = [0.1, -0.4, 0.35, 0.8, 0.05, -0.2, 0.6]
    mean, low, high = sig.t_interval(values)
    expected = stats.t.interval(0.95, len(values) - 1, loc=mean, scale=stats.sem(values))
    assert (low, high) == pytest.approx(expected, rel=1e-9)
    assert sig.t_interval([0.5]) is None


def test_exact_mcnemar_is_the_binomial_tail_of_the_discordant_cases():
    for lost, gained in itertools.product(range(0, 15, 3), range(0, 12, 4)):
        if lost + gained == 0:
            assert sig.mcnemar_drop(0, 0) == 1.0
            continue
        expected = stats.binomtest(lost, lost + gained, 0.5, alternative="greater").pvalue
        assert sig.mcnemar_drop(lost, gained) == pytest.approx(expected, rel=1e-9)


def test_fisher_exact_drop_matches_scipy_one_sided():
    rng = random.Random(3)
    for _ in range(40):
        n1, n2 = rng.randint(1, 60), rng.randint(1, 60)
        k1, k2 = rng.randint(0, n1), rng.randint(0, n2)
        expected = stats.fisher_exact([[k1, n1 - k1], [k2, n2 - k2]], alternative="greater").pvalue
        assert sig.fisher_drop(k1, n1, k2, n2) == pytest.approx(expected, rel=1e-7, abs=1e-12)


def test_the_normal_tail_keeps_its_precision_far_out():
    for z in (-2.0, 0.0, 1.645, 5.0, 31.75):
        assert sig.upper_tail(z) == pytest.approx(stats.norm.sf(z), rel=1e-9)
    z, p = sig.z_drop(0.50, 0.014, 0.47, 0.014)
    assert z == pytest.approx(0.03 / math.hypot(0.014, 0.014)) and p == pytest.approx(stats.norm.sf(z))


def test_benjamini_hochberg_matches_scipy():
    rng = random.Random(5)
    ps = [rng.random() ** 3 for _ in range(30)]
    assert sig.benjamini_hochberg(ps) == pytest.approx(list(stats.false_discovery_control(ps, method="bh")))


def _holm_rejections(ps: list[float], alpha: float) -> set[int]:
    """Holm's procedure as written: step down through the sorted p-values until one fails."""
    rejected = set()
    for rank, i in enumerate(sorted(range(len(ps)), key=lambda j: ps[j])):
        if ps[i] > alpha / (len(ps) - rank):
            break
        rejected.add(i)
    return rejected


def test_holm_adjusted_pvalues_reject_exactly_what_the_step_down_procedure_rejects():
    rng = random.Random(7)
    for _ in range(200):
        ps = [rng.random() ** 4 for _ in range(rng.randint(1, 12))]
        adjusted = sig.holm(ps)
        for alpha in (0.01, 0.05, 0.2):
            assert {i for i, p in enumerate(adjusted) if p <= alpha} == _holm_rejections(ps, alpha)


def test_an_unknown_correction_is_refused_by_name():
    with pytest.raises(ValueError, match="unknown correction 'bonf'"):
        sig.adjust([0.1], "bonf")


def test_the_fewest_cases_for_a_significant_flip_is_the_first_n_that_reaches_the_level():
    for alpha in (0.05, 0.01):
        n = sig.min_cases_paired(alpha)
        assert sig.mcnemar_drop(n, 0) <= alpha < sig.mcnemar_drop(n - 1, 0)
        m = sig.min_cases_unpaired(alpha)
        assert sig.fisher_drop(m, m, 0, m) <= alpha < sig.fisher_drop(m - 1, m - 1, 0, m - 1)


def test_cases_needed_finds_the_smallest_n_at_the_same_rates():
    def p_at(n: int) -> float:  # a 0.8 → 0.6 drop, unpaired
        return sig.fisher_drop(round(0.8 * n), n, round(0.6 * n), n)

    n = sig.cases_needed(p_at, 0.05)
    assert p_at(n) <= 0.05 and p_at(n - 1) > 0.05
    assert sig.cases_needed(lambda n: 1.0, 0.05, limit=1000) is None


def test_summaries_leave_out_cases_that_were_not_graded_and_say_whether_the_threshold_is_clear():
    summary = sig.summarize([True, True, False, None, True], threshold=0.5)
    assert (summary.n, summary.estimate) == (4, 0.75)
    assert summary.interval == pytest.approx(sig.wilson_interval(3, 4)) and summary.clear_of_threshold is False
    assert sig.summarize([True] * 40, threshold=0.5).clear_of_threshold is True
    assert sig.summarize([None, None]).n == 0
    values = sig.summarize_values([-1.0, -1.5, -0.5, -1.2])
    assert values.fields() == {"n": 4, "interval": [pytest.approx(values.interval[0]), pytest.approx(values.interval[1])],
                               "stderr": pytest.approx(stats.sem([-1.0, -1.5, -0.5, -1.2]))}
