"""emergence_order(): first passes in order, and prerequisites that came late."""

from __future__ import annotations

from pytest_emergent.forecast import OrderEntry, emergence_order


def test_capabilities_are_ordered_by_the_scale_at_which_they_first_passed():
    order = emergence_order({"sum": 7e9, "copy": 1e8, "count": 1e9}, {})
    assert [entry.capability for entry in order] == ["copy", "count", "sum"]


def test_capabilities_that_never_passed_come_last_in_name_order():
    order = emergence_order({"zeta": None, "alpha": None, "copy": 1e8}, {})
    assert [entry.capability for entry in order] == ["copy", "alpha", "zeta"]


def test_a_capability_that_passed_before_its_prerequisite_names_it_as_an_inversion():
    order = emergence_order({"add": 7e9, "multiply": 1e9}, {"multiply": ["add"]})
    assert order[0] == OrderEntry("multiply", 1e9, inversion="add")
    assert order[1] == OrderEntry("add", 7e9, inversion=None)


def test_a_prerequisite_that_never_passed_is_an_inversion():
    order = emergence_order({"add": None, "multiply": 1e9}, {"multiply": ["add"]})
    assert order[0].inversion == "add"


def test_the_inversion_named_is_the_prerequisite_that_never_passed_before_a_late_one():
    order = emergence_order({"a": 5e9, "b": None, "c": 1e9}, {"c": ["a", "b"]})
    assert order[0].inversion == "b"


def test_a_prerequisite_passing_first_is_no_inversion():
    order = emergence_order({"add": 1e8, "multiply": 1e9}, {"multiply": ["add"]})
    assert all(entry.inversion is None for entry in order)


def test_a_capability_that_never_passed_has_no_inversion():
    order = emergence_order({"add": None, "multiply": None}, {"multiply": ["add"]})
    assert all(entry.inversion is None for entry in order)


def test_a_prerequisite_that_was_never_measured_is_not_held_against_anyone():
    order = emergence_order({"multiply": 1e9}, {"multiply": ["add"]})
    assert order[0].inversion is None


def test_steps_order_as_well_as_scales():
    order = emergence_order({"late": 20_000.0, "early": 500.0}, {"late": ["early"]})
    assert [(entry.capability, entry.inversion) for entry in order] == [("early", None), ("late", None)]
