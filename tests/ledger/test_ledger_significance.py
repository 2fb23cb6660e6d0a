"""`regressed` means a real drop: simulated checkpoint pairs, and the verdicts' notes.

The simulations replay checkpoint pairs of known per-case pass probabilities through
`assign_changes` (seeded, so each number is fixed); `bench/significance_simulation.py`
prints the same rates over more settings.
"""

from __future__ import annotations

import pytest
from ledger.scenario import CHECKPOINTS, make_run
from ledger.simulation import AFTER, BEFORE, graded_run, simulate

from pytest_emergent.ledger import assign_changes, regressions

PAIRS = 1000
ALPHA = 0.05


def test_equal_ability_near_the_threshold_gives_false_regressions_in_at_most_alpha_of_runs():
    # Five capabilities per run, every case passing with probability 0.5 at threshold 0.5 in both
    # checkpoints: about a quarter of the results flip pass → fail, and all of those are noise.
    rates = simulate([0.5] * 5, [0.5] * 5, n=50, pairs=PAIRS, seed=1)
    assert rates.flipped > 0.2  # the status flips often …
    assert rates.runs_with_a_regression <= ALPHA  # … and the ledger calls a regression in at most α of runs


def test_equal_ability_with_different_cases_each_run_stays_within_alpha():
    rates = simulate([0.5] * 5, [0.5] * 5, n=50, pairs=PAIRS, mode="unpaired", seed=2)
    assert rates.flipped > 0.2 and rates.runs_with_a_regression <= ALPHA


def test_equal_ability_known_only_by_score_and_stderr_stays_within_alpha():
    rates = simulate([0.5] * 5, [0.5] * 5, n=50, pairs=PAIRS, mode="stderr", seed=3)
    assert rates.flipped > 0.2 and rates.runs_with_a_regression <= ALPHA


def test_a_true_drop_of_0_3_with_50_cases_is_called_regressed_in_at_least_80_percent_of_pairs():
    rates = simulate([0.65], [0.35], n=50, pairs=PAIRS, seed=4)
    assert rates.first_regressed >= 0.8


def test_without_correction_the_same_equal_ability_runs_see_more_false_regressions():
    holm = simulate([0.5] * 5, [0.5] * 5, pairs=300, seed=5)
    none = simulate([0.5] * 5, [0.5] * 5, pairs=300, seed=5, correction="none")
    assert none.runs_with_a_regression > holm.runs_with_a_regression


def pair(before_flags, after_flags, *, threshold=0.5, ids_after="case", **kw):
    before = graded_run(BEFORE, {"cap": before_flags}, threshold=threshold)
    after = graded_run(AFTER, {"cap": after_flags}, threshold=threshold, minutes=1, ids=ids_after)
    assign_changes(before, [])
    (result,) = assign_changes(after, [before], **kw)["results"]
    return result


def test_a_significant_paired_drop_across_the_threshold_is_regressed_with_its_evidence():
    result = pair([True] * 18 + [False] * 2, [True] * 4 + [False] * 16)
    assert result["change"] == "regressed"
    assert result["significance"]["test"] == "mcnemar-exact" and result["significance"]["p"] < 1e-3
    assert result["change_note"].startswith("significant drop: 14 of 20 cases flipped: 14 pass → fail, 0 fail → pass")


def test_a_single_case_flip_is_within_noise_and_says_how_many_cases_are_needed():
    result = pair([True], [False])
    assert result["change"] == "within-noise"
    assert "with 1 case no change can be significant at α = 0.05; at least 5 cases are needed" in result["change_note"]


def test_a_plain_test_without_cases_is_one_observation_and_never_regresses():
    before = make_run([CHECKPOINTS[0]], {("c", CHECKPOINTS[0].name): ("pass", None)})
    after = make_run([CHECKPOINTS[1]], {("c", CHECKPOINTS[1].name): ("fail", None)}, minutes=1)
    (result,) = assign_changes(after, [assign_changes(before, [])])["results"]
    assert result["change"] == "within-noise" and result["significance"]["test"] == "one-case"
    assert "one observation per run can never be significant" in result["change_note"]


def test_a_small_drop_that_flips_says_how_many_cases_would_make_it_significant():
    result = pair([True] * 11 + [False] * 9, [True] * 9 + [False] * 11)  # 0.55 → 0.45, 2 cases lost
    assert result["change"] == "within-noise"
    assert "at these rates about" in result["change_note"] and "cases per run would make it significant" in \
        result["change_note"]


def test_a_significant_drop_that_stays_above_the_threshold_is_dropped_and_does_not_fail_the_run():
    before = graded_run(BEFORE, {"cap": [True] * 60}, threshold=0.5)
    after = graded_run(AFTER, {"cap": [True] * 35 + [False] * 25}, threshold=0.5, minutes=1)
    assign_changes(after, [assign_changes(before, [])])
    assert after["results"][0]["change"] == "dropped" and after["results"][0]["status"] == "pass"
    assert "significant drop that stays above the threshold" in after["results"][0]["change_note"]
    assert regressions(after) == []


def test_a_fail_to_pass_flip_within_noise_is_not_lit_up():
    assert pair([True] * 9 + [False] * 11, [True] * 11 + [False] * 9)["change"] == "within-noise"
    assert pair([False] * 20, [True] * 16 + [False] * 4)["change"] == "lit-up"


def test_different_case_ids_are_compared_as_two_samples():
    result = pair([True] * 36 + [False] * 4, [True] * 12 + [False] * 28, ids_after="other")
    assert result["change"] == "regressed" and result["significance"]["test"] == "fisher-exact"


def test_many_results_share_the_correction_so_one_borderline_drop_is_not_a_regression():
    # One capability drops with p ≈ 0.008; nineteen others keep their pass rate with five cases
    # flipping each way (so each could have shown a change). Alone the drop would regress.
    before = graded_run(BEFORE, {**{f"cap/{i}": [True] * 15 + [False] * 5 for i in range(19)},
                                 "edge": [True] * 12 + [False] * 8}, threshold=0.5)
    after = graded_run(AFTER, {**{f"cap/{i}": [False] * 5 + [True] * 15 for i in range(19)},
                               "edge": [True] * 5 + [False] * 15}, threshold=0.5, minutes=1)
    assign_changes(before, [])
    edge = lambda doc: next(r for r in doc["results"] if r["capability"] == "edge")  # noqa: E731
    assert edge(assign_changes(after, [before], correction="none"))["change"] == "regressed"
    assert edge(assign_changes(after, [before], correction="holm"))["change"] == "within-noise"
    assert "Holm-adjusted" in edge(after)["change_note"]
    assert edge(assign_changes(after, [before], correction="bh"))["significance"]["correction"] == "bh"


def test_a_lower_alpha_asks_for_stronger_evidence():
    flags = ([True] * 16 + [False] * 4, [True] * 8 + [False] * 12)
    assert pair(*flags)["change"] == "regressed"
    assert pair(*flags, alpha=0.001)["change"] == "within-noise"


def test_an_error_is_never_a_regression():
    before = graded_run(BEFORE, {"cap": [True] * 30}, threshold=0.5)
    after = make_run([AFTER], {("cap", AFTER.name): ("error", None)}, minutes=1, threshold=0.5)
    (result,) = assign_changes(after, [assign_changes(before, [])])["results"]
    assert result["change"] == "unchanged" and result["significance"] is None


def test_an_invalid_alpha_is_refused():
    with pytest.raises(ValueError, match="between 0 and 1"):
        pair([True], [False], alpha=1.5)


def test_a_case_whose_request_failed_is_left_out_of_the_pairing():
    before = graded_run(BEFORE, {"cap": [True] * 18 + [False] * 2})
    after = graded_run(AFTER, {"cap": [True] * 4 + [False] * 16}, minutes=1)
    after["results"][0]["cases"][0]["passed"] = None  # not graded: an error, not a failure
    (result,) = assign_changes(after, [assign_changes(before, [])])["results"]
    assert result["significance"]["test"] == "mcnemar-exact" and result["n"] == 19  # graded cases
    assert "14 of 19 cases flipped: 14 pass → fail, 0 fail → pass" in result["change_note"]
