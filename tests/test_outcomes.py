import pytest

from pytest_emergent.outcomes import Change, Status, decide_change, decide_status


@pytest.mark.parametrize(
    ("meets", "passed", "status"),
    [(True, True, Status.PASS), (True, False, Status.FAIL),
     (False, False, Status.EXPECTED_FAIL), (False, True, Status.EARLY_PASS)],
)
def test_status_follows_the_table_of_the_design(meets, passed, status):
    assert decide_status(meets, passed) is status


@pytest.mark.parametrize(
    ("current", "baseline", "change"),
    [(Status.PASS, Status.FAIL, Change.LIT_UP), (Status.EARLY_PASS, Status.EXPECTED_FAIL, Change.LIT_UP),
     (Status.FAIL, Status.PASS, Change.REGRESSED), (Status.EXPECTED_FAIL, Status.EARLY_PASS, Change.REGRESSED),
     (Status.PASS, Status.PASS, Change.UNCHANGED), (Status.SKIP, Status.PASS, Change.UNCHANGED),
     (Status.PASS, None, Change.NEW)],
)
def test_change_follows_the_table_of_the_design(current, baseline, change):
    assert decide_change(current, baseline) is change


def test_capability_ids_sort_numbers_by_value():
    from pytest_emergent.results import natural_key

    assert sorted(["t[29]", "t[2]", "t[10]", "a/b"], key=natural_key) == ["a/b", "t[2]", "t[10]", "t[29]"]
