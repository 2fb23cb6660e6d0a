"""Whether a result changed against its baseline, decided on evidence (`docs/ledger.md`).

Per result, the strongest test its evidence allows: the exact McNemar test when both runs
graded the same cases, else a z test from standard errors, else Fisher's exact test from the
pass rates and n, else a single observation per run (a test without cases), which can never
be significant. Over one run, drops are tested as one family and rises as another, each
corrected (Holm by default) so that a run of many capabilities does not call a regression
by chance. A test that could not reach the level even at its most extreme outcome (too few
cases, too few discordant ones) is left out of its family, as in Tarone's refinement: it
cannot be rejected, so counting it would only cost power.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .. import significance as sig
from ..outcomes import Change, Status, decide_change
from .evidence import Evidence

DEFAULT_ALPHA = 0.05
CORRECTION_NAMES = {"holm": "Holm", "bh": "Benjamini–Hochberg", "none": "uncorrected"}
TEST_NAMES = {"mcnemar-exact": "exact McNemar test", "fisher-exact": "Fisher's exact test",
              "z-stderr": "z test from the standard errors", "one-case": "one observation per run"}


@dataclass(frozen=True)
class Test:
    """A one-sided test in both directions between a baseline and a current result."""

    kind: str  # a key of TEST_NAMES
    p_drop: float
    p_rise: float
    min_p_drop: float  # the smallest p-value this test could give (its margins held fixed)
    min_p_rise: float
    n: int | None  # cases per run (paired: the common ones)
    detail: str
    z: float | None = None  # of the drop: (before − after) / √(se₁² + se₂²)
    lost: int = 0  # paired: pass → fail cases
    gained: int = 0
    rates: tuple[float, float] | None = None  # before, after (unpaired)

    def pvalue_at(self, n: int, drop: bool) -> float:
        """The exact p-value the same rates would give with n cases per run (1 for the z test)."""
        if self.kind in ("mcnemar-exact", "one-case"):
            m = max(self.n or 1, 1)
            lost, gained = round(self.lost / m * n), round(self.gained / m * n)
            return sig.mcnemar_drop(lost, gained) if drop else sig.mcnemar_drop(gained, lost)
        if self.kind == "fisher-exact" and self.rates:
            before, after = (round(r * n) for r in self.rates)
            return sig.fisher_drop(before, n, after, n) if drop else sig.fisher_drop(after, n, before, n)
        return 1.0


def _paired(before: dict[str, bool], after: dict[str, bool]) -> Test:
    """Over the cases graded in both runs (a case whose request failed in one run is left out)."""
    common = [i for i in after if i in before]
    lost = sum(1 for i in common if before[i] and not after[i])
    gained = sum(1 for i in common if not before[i] and after[i])
    d = lost + gained
    floor = 0.5 ** d if d else 1.0
    return Test("mcnemar-exact", sig.mcnemar_drop(lost, gained), sig.mcnemar_drop(gained, lost), floor, floor,
                len(common), f"{d} of {len(common)} cases flipped: {lost} pass → fail, {gained} fail → pass",
                lost=lost, gained=gained)


def _fisher(before: Evidence, after: Evidence) -> Test:
    n1 = before.n or after.n or 1
    n2 = after.n or before.n or 1
    k1, k2 = round((before.rate or 0.0) * n1), round((after.rate or 0.0) * n2)
    passes = k1 + k2
    # The most extreme tables with the same margins: fewest passes after (drop), fewest before (rise).
    fewest_after, fewest_before = max(0, passes - n1), max(0, passes - n2)
    assumed = ""
    if before.n is None:
        assumed = f"; the baseline's n is not recorded, taken as {n2}"
    elif after.n is None:
        assumed = f"; this result's n is not recorded, taken as {n1}"
    return Test("fisher-exact", sig.fisher_drop(k1, n1, k2, n2), sig.fisher_drop(k2, n2, k1, n1),
                sig.fisher_drop(passes - fewest_after, n1, fewest_after, n2),
                sig.fisher_drop(passes - fewest_before, n2, fewest_before, n1), min(n1, n2),
                f"{k1}/{n1} → {k2}/{n2} cases passed{assumed}", rates=(k1 / n1, k2 / n2))


def _z(before: Evidence, after: Evidence) -> Test:
    assert before.score is not None and after.score is not None
    continuity = 0.5 * (1 / before.n + 1 / after.n) if before.n and after.n else 0.0
    z, p_drop = sig.z_drop(before.score, before.stderr or 0.0, after.score, after.stderr or 0.0, continuity)
    known = [x for x in (before.n, after.n) if x]
    return Test("z-stderr", p_drop, sig.upper_tail(-z), 0.0, 0.0, min(known) if known else None,
                f"{before.score:.3g} (se {before.stderr:.2g}) → {after.score:.3g} (se {after.stderr:.2g})", z=z)


def compare(before: Evidence, after: Evidence, before_status: Status, after_status: Status) -> Test:
    """The strongest test the two sides' evidence allows (see the module's docstring)."""
    if before.cases and after.cases and before.ids == after.ids:
        return _paired(before.cases, after.cases)
    if before.stderr is not None and after.stderr is not None and before.score is not None \
            and after.score is not None and (before.stderr > 0 or after.stderr > 0):
        return _z(before, after)
    if before.rate is not None and after.rate is not None and (before.n or after.n):
        return _fisher(before, after)
    lost, gained = int(before_status.passed and after_status.failed), int(before_status.failed and after_status.passed)
    d = lost + gained
    return Test("one-case", sig.mcnemar_drop(lost, gained), sig.mcnemar_drop(gained, lost), 0.5 ** d if d else 1.0,
                0.5 ** d if d else 1.0, 1, "no cases, n or standard error recorded: one observation per run",
                lost=lost, gained=gained)


@dataclass(frozen=True)
class Compared:
    """One result against its baseline, as the decision needs it."""

    current: Status
    baseline: Status | None  # None: no baseline
    test: Test | None  # None: nothing to test (no baseline, undecided, redefined)
    redefined: str = ""  # why the two results measure different things; "" when they do not


@dataclass(frozen=True)
class Verdict:
    change: Change
    note: str
    significance: dict[str, Any] | None


def _fmt(p: float) -> str:
    return f"{p:.2g}" if p >= 1e-4 else f"{p:.1e}"


_EXACT_UP_TO = 400  # beyond this many cases the normal approximation is as good, and much cheaper


def _estimate(test: Test, drop: bool, alpha: float) -> int | None:
    """About how many cases per run would make the same rates (or effect) significant."""
    if test.kind in ("mcnemar-exact", "one-case"):
        m = max(test.n or 1, 1)
        lost, gained = (test.lost, test.gained) if drop else (test.gained, test.lost)
        estimate = sig.paired_cases_estimate(lost / m, gained / m, alpha)
    elif test.kind == "fisher-exact" and test.rates:
        before, after = test.rates if drop else test.rates[::-1]
        estimate = sig.unpaired_cases_estimate(before, after, alpha)
    elif test.kind == "z-stderr" and test.z is not None and test.n:
        z = test.z if drop else -test.z  # the z test's effect grows as √n
        return math.ceil(test.n * (sig.upper_quantile(alpha) / z) ** 2) if z > 0 else None
    else:
        return None
    if estimate is None or estimate > _EXACT_UP_TO:
        return estimate
    return sig.cases_needed(lambda n: test.pvalue_at(n, drop), alpha, start=max(1, estimate // 2),
                            limit=4 * _EXACT_UP_TO) or estimate


def _needed(test: Test, drop: bool, alpha: float) -> str:
    """Say how many cases would make a change of this size significant, or that none could be."""
    if test.kind == "one-case":
        return (f"one observation per run can never be significant; record the capability's cases "
                f"(a paired test needs at least {sig.min_cases_paired(alpha)} at α = {alpha:g})")
    if test.kind == "z-stderr" and not test.n:
        if test.z is None or (test.z if drop else -test.z) <= 0:
            return ""
        factor = (sig.upper_quantile(alpha) / abs(test.z)) ** 2
        return f"at this effect about {factor:.1f}× the cases would make it significant at α = {alpha:g} (before the correction)"
    least = sig.min_cases_paired(alpha) if test.kind == "mcnemar-exact" else sig.min_cases_unpaired(alpha)
    if test.kind != "z-stderr" and (test.n or 0) < least:
        return (f"with {test.n} case{'s' if test.n != 1 else ''} no change can be significant at α = {alpha:g}; "
                f"at least {least} cases are needed")
    needed = _estimate(test, drop, alpha)
    if needed is None:
        return ""
    return f"at these rates about {needed} cases per run would make it significant at α = {alpha:g} (before the correction)"


def _families(items: list[Compared], alpha: float, correction: str) -> dict[tuple[int, bool], float]:
    """Adjusted p-values by (item index, is-drop), for the tests that can reach the level.

    Every compared result is in both families, whatever its baseline's status: choosing the
    drop tests by "the baseline passed" would choose them by the data (a capability that passed
    by luck tends to fall back), shrink the family and let false regressions through.
    """
    adjusted: dict[tuple[int, bool], float] = {}
    for drop in (True, False):
        members = [i for i, item in enumerate(items) if item.test is not None and item.baseline is not None
                   and (item.test.min_p_drop if drop else item.test.min_p_rise) <= alpha]
        ps = [items[i].test.p_drop if drop else items[i].test.p_rise for i in members]  # type: ignore[union-attr]
        for i, p in zip(members, sig.adjust(ps, correction)):
            adjusted[(i, drop)] = p
    return adjusted


def decide(items: list[Compared], alpha: float = DEFAULT_ALPHA, correction: str = "holm") -> list[Verdict]:
    """The change of every item, with a note saying why, corrected over all of them."""
    if not 0 < alpha < 1:
        raise ValueError(f"the significance level must be between 0 and 1, got {alpha}")
    adjusted = _families(items, alpha, correction)
    verdicts = []
    for i, item in enumerate(items):
        test = item.test
        if item.baseline is None or test is None:
            change = decide_change(item.current, item.baseline, redefined=bool(item.redefined))
            note = f"not compared: {item.redefined}" if change is Change.REDEFINED else ""
            verdicts.append(Verdict(change, note, None))
            continue
        drop = item.baseline.passed
        p_adj = adjusted.get((i, drop))
        significant = p_adj is not None and p_adj <= alpha
        change = decide_change(item.current, item.baseline, significant_drop=drop and significant,
                               significant_rise=not drop and significant)
        p = test.p_drop if drop else test.p_rise
        z = None if test.z is None else test.z if drop else -test.z  # positive: evidence for the direction
        stats = {"test": test.kind, "direction": "drop" if drop else "rise", "p": p, "p_adjusted": p_adj,
                 "alpha": alpha, "correction": correction, "z": z}
        evidence = f"{test.detail}; {TEST_NAMES[test.kind]}" + (f" z = {z:.2f}," if z is not None else "") \
            + f" p = {_fmt(p)}"
        if p_adj is not None and correction != "none":
            evidence += f", {CORRECTION_NAMES[correction]}-adjusted {_fmt(p_adj)}"
        direction = "drop" if drop else "rise"
        if change in (Change.REGRESSED, Change.LIT_UP):
            note = f"significant {direction}: {evidence} ≤ α = {alpha:g}"
        elif change is Change.DROPPED:
            note = f"significant drop that stays above the threshold: {evidence} ≤ α = {alpha:g}"
        elif change is Change.WITHIN_NOISE:
            needed = _needed(test, drop, alpha)
            note = f"not a significant {direction}: {evidence}" + (f" > α = {alpha:g}" if p_adj is not None else "") \
                + (f"; {needed}" if needed else "")
        else:
            note = ""
        verdicts.append(Verdict(change, note, stats))
    return verdicts
