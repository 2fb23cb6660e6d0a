"""forecast_runs(): run records to per-(family, capability) forecasts and emergence orders."""

from __future__ import annotations

from typing import Any

import pytest
from ledger.scenario import header, make_run

from pytest_emergent.forecast import ALREADY_PASSING, CROSSING, PLATEAU, TOO_FEW, OrderEntry
from pytest_emergent.forecast.ledger import forecast_runs, observations

from .scenario import SIZES, checkpoint_run, runs


def by_capability(result) -> dict[str, Any]:
    return {item.capability: item for item in result.series}


def test_three_checkpoints_forecast_the_crossing_that_the_fourth_shows():
    add = by_capability(forecast_runs(runs(3)))["arith/add"]
    assert add.main.method == "metric" and add.main.verdict == CROSSING
    assert SIZES[2] < add.main.predicted < SIZES[3]
    assert SIZES[2] < add.main.low < add.main.predicted < add.main.high
    assert by_capability(forecast_runs(runs(4)))["arith/add"].main.verdict == ALREADY_PASSING


def test_the_sigmoid_baseline_is_fitted_alongside():
    add = by_capability(forecast_runs(runs(3)))["arith/add"]
    assert add.baseline.method == "sigmoid" and add.baseline.verdict == CROSSING
    swapped = by_capability(forecast_runs(runs(3), method="sigmoid"))["arith/add"]
    assert (swapped.main, swapped.baseline) == (add.baseline, add.main)


def test_a_flat_capability_gets_an_explicit_no_crossing_verdict():
    assert by_capability(forecast_runs(runs(4)))["fmt/json"].main.verdict == PLATEAU


def test_forecasts_are_ordered_by_predicted_emergence():
    result = forecast_runs(runs(3))
    assert [s.capability for s in result.series] == ["copy/echo", "arith/multiply", "arith/add", "logic/chain",
                                                      "fmt/json"]


def test_the_emergence_order_flags_a_capability_that_passed_before_its_prerequisite():
    (order,) = forecast_runs(runs(4)).orders
    assert order.family == "pico" and order.axis == "params" and order.scales == 4
    assert order.entries[:3] == (OrderEntry("copy/echo", 1e8), OrderEntry("arith/multiply", 1e9, inversion="arith/add"),
                                 OrderEntry("arith/add", 3e9))
    assert [e.capability for e in order.inversions] == ["arith/multiply"]


def test_points_carry_the_cases_and_the_preferred_metric():
    add = by_capability(forecast_runs(runs(4)))["arith/add"]
    assert add.metric == "target_logprob" and add.threshold == 0.5
    assert [(p.scale, p.pass_rate, p.metric, p.n_cases) for p in add.points[:2]] == [(1e8, 0.03, -3.6, 200),
                                                                                      (3e8, 0.1, -2.7, 200)]
    assert add.models == ("pico-100m", "pico-300m", "pico-1b", "pico-3b")
    assert by_capability(forecast_runs(runs(4)))["arith/multiply"].metric is None


def sized(rows: list[tuple[float, str, float | None, dict[str, Any]]], *, family: str = "f", step: bool = False,
          cap: str = "c") -> list[dict[str, Any]]:
    """One run per (size or step, status, score, metrics), a minute apart."""
    documents = []
    for i, (x, status, score, metrics) in enumerate(rows):
        model = header(f"{family}-{i}", family, 1e9 if step else x, x if step else None)
        document = make_run([model], {(cap, model.name): (status, score)}, minutes=i, threshold=0.5)
        document["results"][0]["metrics"] = metrics
        documents.append(document)
    return documents


def test_the_log_probability_is_preferred_to_a_margin():
    rows = [(x, "fail", 0.1, {"choice_margin": m, "logprob": lp})
            for x, m, lp in ((1e8, -1.0, -3.0), (1e9, -0.5, -2.0), (1e10, -0.2, -1.0))]
    (item,) = forecast_runs(sized(rows)).series
    assert item.metric == "logprob" and [p.metric for p in item.points] == [-3.0, -2.0, -1.0]


def test_a_choice_margin_is_preferred_to_the_target_log_probability_the_checks_record():
    rows = [(x, "fail", 0.1, {"target_logprob": lp, "choice_margin": m})
            for x, m, lp in ((1e8, -1.0, -3.0), (1e9, -0.5, -2.0), (1e10, -0.2, -1.0))]
    assert forecast_runs(sized(rows)).series[0].metric == "choice_margin"


def test_a_metric_recorded_at_fewer_than_three_points_is_not_used():
    rows = [(1e8, "fail", 0.1, {"logprob": -3.0}), (1e9, "fail", 0.2, {"logprob": -2.0}), (1e10, "fail", 0.3, {})]
    (item,) = forecast_runs(sized(rows)).series
    assert item.metric is None and all(p.metric is None for p in item.points)


def test_a_result_without_a_score_counts_as_one_case_passed_or_failed_against_threshold_one():
    rows = [(1e8, "expected-fail", None, {}), (1e9, "fail", None, {}), (1e10, "pass", None, {})]
    documents = sized(rows)
    for document in documents:
        document["results"][0]["threshold"] = None
    (item,) = forecast_runs(documents).series
    assert [(p.pass_rate, p.n_cases) for p in item.points] == [(0.0, 1), (0.0, 1), (1.0, 1)]
    assert item.threshold == 1.0 and item.main.verdict == ALREADY_PASSING and item.first_pass == 1e10


def test_a_score_that_is_not_a_rate_gives_way_to_the_verdict():
    rows = [(1e8, "fail", 3.5, {}), (1e9, "fail", 12.0, {}), (1e10, "pass", 40.0, {})]
    (item,) = forecast_runs(sized(rows)).series
    assert [(p.pass_rate, p.n_cases) for p in item.points] == [(0.0, 1), (0.0, 1), (1.0, 1)]
    assert item.threshold == 1.0


def test_skipped_and_errored_results_are_left_out():
    rows = [(1e8, "fail", 0.1, {}), (1e9, "skip", 0.5, {}), (1e10, "error", None, {})]
    assert len(observations(sized(rows))) == 1
    (item,) = forecast_runs(sized(rows)).series
    assert item.main.verdict == TOO_FEW and len(item.points) == 1


def test_the_latest_result_at_one_scale_wins():
    documents = runs(3)
    rerun = checkpoint_run(2)  # the 1B model again, later, now failing multiply
    rerun["started"] = rerun["finished"] = "2026-01-02T00:00:00+00:00"
    rerun["results"] = [r for r in rerun["results"] if r["capability"] == "arith/multiply"]
    rerun["results"][0].update(status="fail", score=0.4)
    multiply = by_capability(forecast_runs([*documents, rerun]))["arith/multiply"]
    assert [p.pass_rate for p in multiply.points] == [0.1, 0.3, 0.4] and multiply.first_pass is None


def test_checkpoints_of_one_size_are_forecast_by_step():
    rows = [(s, "fail", r, {}) for s, r in ((1000, 0.02), (4000, 0.08), (16000, 0.25))]
    result = forecast_runs(sized(rows, step=True))
    (item,) = result.series
    assert item.axis == "step" and [p.scale for p in item.points] == [1000, 4000, 16000]
    assert result.orders[0].axis == "step"


def with_tokens(documents: list[dict[str, Any]], tokens: list[float | None]) -> list[dict[str, Any]]:
    for document, count in zip(documents, tokens):
        for model in document["models"]:
            model["scale"]["tokens"] = count
    return documents


def test_compute_is_the_axis_when_asked_for_and_known_at_every_checkpoint():
    rows = [(x, "fail", r, {}) for x, r in ((1e8, 0.02), (1e9, 0.08), (1e10, 0.25))]
    result = forecast_runs(with_tokens(sized(rows), [2e10, 2e10, 2e10]), scale="compute")
    (item,) = result.series
    assert item.axis == "compute" and [p.scale for p in item.points] == pytest.approx([1.2e19, 1.2e20, 1.2e21])
    assert result.notes == ()


def test_compute_falls_back_to_params_with_a_note_when_a_checkpoint_lacks_it():
    rows = [(x, "fail", r, {}) for x, r in ((1e8, 0.02), (1e9, 0.08), (1e10, 0.25))]
    result = forecast_runs(with_tokens(sized(rows), [2e10, None, 2e10]), scale="compute")
    assert result.series[0].axis == "params"
    assert result.notes == ("family f: training compute is not known for every checkpoint; params used",)


def test_each_family_is_forecast_and_ordered_on_its_own():
    documents = sized([(x, "fail", 0.1, {}) for x in (1e8, 1e9, 1e10)], family="a") + sized(
        [(x, "pass", 0.9, {}) for x in (2e8, 2e9)], family="b")
    result = forecast_runs(documents)
    assert [(s.family, len(s.points)) for s in result.series] == [("b", 2), ("a", 3)]  # b passes already
    assert [o.family for o in result.orders] == ["a", "b"]
    assert [s.family for s in forecast_runs(documents, family="b").series] == ["b"]


def test_a_capability_filter_limits_the_forecasts_but_not_the_order():
    result = forecast_runs(runs(4), capability="arith/*")
    assert sorted(s.capability for s in result.series) == ["arith/add", "arith/multiply"]
    assert len(result.orders[0].entries) == 5


def test_bad_options_are_refused():
    with pytest.raises(ValueError, match="scale"):
        forecast_runs(runs(1), scale="tokens")
    with pytest.raises(ValueError, match="method"):
        forecast_runs(runs(1), method="spline")


def test_an_imported_score_gets_its_case_count_from_its_standard_error():
    rows = [(x, "fail", 0.34, {"acc": 0.34, "acc_stderr": 0.0066}) for x in (1e8, 1e9, 1e10)]
    documents = sized(rows)
    for document in documents:
        document["results"][0]["metric"] = "acc"
    (item,) = forecast_runs(documents).series
    assert [p.n_cases for p in item.points] == [5153] * 3
