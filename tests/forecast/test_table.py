"""How a forecast reads: scales with their unit, intervals, inversions."""

from __future__ import annotations

from pytest_emergent.forecast import CROSSING, PLATEAU, Forecast, OrderEntry, Point
from pytest_emergent.forecast.ledger import FamilyOrder, SeriesForecast, forecast_runs
from pytest_emergent.forecast.table import format_forecast, interval, predicted, row, worth_showing

from .scenario import runs


def item(fit: Forecast, axis: str = "params") -> SeriesForecast:
    points = tuple(Point(x, 0.1) for x in (1e8, 1e9, 1e10))
    return SeriesForecast("c", "f", axis, 0.5, None, points, ("a", "b", "c"), None, fit,
                          Forecast("sigmoid", PLATEAU, None, None, None, "flat"))


def test_a_crossing_reads_as_its_scale_and_interval_and_the_baseline_by_its_verdict():
    cells = row(item(Forecast("metric", CROSSING, 2.1e10, 1.5e10, 4e10, "")))
    assert cells == ["c", "f", "3", "0.5", CROSSING, "21B", "15B–40B", "plateau"]


def test_an_open_upper_end_reads_as_beyond_the_horizon():
    assert interval(item(Forecast("metric", CROSSING, 2.1e10, 1.5e10, None, ""))) == "15B–>10T"


def test_steps_and_compute_say_what_they_count():
    fit = Forecast("metric", CROSSING, 21000, 15000, 40000, "")
    assert predicted(item(fit, "step")) == "step 21,000" and interval(item(fit, "step")) == "step 15,000–40,000"
    assert predicted(item(Forecast("metric", CROSSING, 3e21, 1e21, 9e21, ""), "compute")) == "3e21 FLOPs"


def test_no_crossing_has_no_predicted_scale_nor_interval():
    fit = Forecast("metric", PLATEAU, None, 5e10, None, "")
    assert (predicted(item(fit)), interval(item(fit))) == ("–", "–")


def test_an_order_is_worth_showing_across_scales_or_with_an_inversion():
    assert not worth_showing(FamilyOrder("f", "params", 1, (OrderEntry("a", 1e9),)))
    assert worth_showing(FamilyOrder("f", "params", 2, (OrderEntry("a", 1e9),)))
    assert worth_showing(FamilyOrder("f", "params", 1, (OrderEntry("a", 1e9, "b"), OrderEntry("b", None))))


def test_a_capability_filter_keeps_the_capability_that_passed_before_it():
    text = format_forecast(forecast_runs(runs(4), capability="arith/add"), "arith/add")
    order = text[text.index("emergence order"):].splitlines()
    assert order[1:] == ["  1. arith/multiply  1B", "  2. arith/add       3B",
                         "  INVERSION: arith/multiply passed at 1B before its prerequisite arith/add "
                         "(first passed at 3B)"]
