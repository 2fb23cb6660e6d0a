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


@pytest.mark.parametrize(
    ("current", "baseline", "evidence", "change"),
    [(Status.FAIL, Status.PASS, {"significant_drop": True}, Change.REGRESSED),
     (Status.FAIL, Status.PASS, {"significant_drop": False}, Change.WITHIN_NOISE),
     (Status.EXPECTED_FAIL, Status.EARLY_PASS, {"significant_drop": False}, Change.WITHIN_NOISE),
     (Status.PASS, Status.FAIL, {"significant_rise": True}, Change.LIT_UP),
     (Status.PASS, Status.FAIL, {"significant_rise": False}, Change.WITHIN_NOISE),
     (Status.PASS, Status.PASS, {"significant_drop": True}, Change.DROPPED),
     (Status.PASS, Status.PASS, {"significant_drop": False}, Change.UNCHANGED),
     (Status.FAIL, Status.FAIL, {"significant_drop": True}, Change.UNCHANGED),
     (Status.FAIL, Status.PASS, {"significant_drop": True, "redefined": True}, Change.REDEFINED),
     (Status.ERROR, Status.PASS, {"significant_drop": True}, Change.UNCHANGED),
     (Status.FAIL, None, {"redefined": True}, Change.NEW)],
)
def test_a_flip_counts_only_with_significant_evidence_and_a_redefinition_is_never_a_change(
        current, baseline, evidence, change):
    assert decide_change(current, baseline, **evidence) is change


def test_capability_ids_sort_numbers_by_value():
    from pytest_emergent.results import natural_key

    assert sorted(["t[29]", "t[2]", "t[10]", "a/b"], key=natural_key) == ["a/b", "t[2]", "t[10]", "t[29]"]
