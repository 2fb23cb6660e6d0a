import pytest

from pytest_emergent.capabilities.requirements import assess, evaluate_marks
from pytest_emergent.scale import Scale, ScaleError, ScaleRequirement, parse_tiers


def test_closest_mark_wins_per_dimension_and_traits_add_up():
    marks = [pytest.mark.requires_scale("7B").mark, pytest.mark.requires_scale("1B", tokens="1T").mark,
             pytest.mark.requires_traits("instruct").mark, pytest.mark.requires_traits("code").mark]
    requirement = evaluate_marks(marks, {})
    assert requirement.scale == ScaleRequirement(params=7e9, tokens=1e12)
    assert requirement.traits == ("instruct", "code")


def test_a_tier_works_in_a_marker():
    requirement = evaluate_marks([pytest.mark.requires_scale("big").mark], parse_tiers(["big = 70B"]))
    assert requirement.scale.params == 70e9


@pytest.mark.parametrize("mark", [pytest.mark.requires_scale("1.5X"), pytest.mark.requires_scale(),
                                  pytest.mark.requires_scale("1B", "2B"), pytest.mark.requires_scale(flops=1)])
def test_bad_markers_raise_a_scale_error(mark):
    with pytest.raises(ScaleError):
        evaluate_marks([mark.mark], {})


def test_verdict_reason_names_scale_and_missing_traits():
    requirement = evaluate_marks([pytest.mark.requires_scale("1B").mark, pytest.mark.requires_traits("instruct").mark], {})
    verdict = assess(requirement, Scale(params=135e6), ["base"])
    assert not verdict.meets
    assert verdict.reason == "needs params ≥ 1B; model has 135M; needs trait instruct; model has base"
    assert assess(requirement, Scale(params=2e9), ["instruct"]).meets


def test_a_capability_names_the_capabilities_it_builds_on():
    marks = [pytest.mark.capability("arith/3-digit", requires=["arith/2-digit"]).mark,
             pytest.mark.capability(requires="arith/1-digit").mark]
    requirement = evaluate_marks(marks, {})
    assert requirement.capability == "arith/3-digit"
    assert requirement.prerequisites == ("arith/2-digit", "arith/1-digit")
    assert requirement.declared() == {"requires_capabilities": ["arith/2-digit", "arith/1-digit"]}


def test_prerequisites_must_be_ids():
    with pytest.raises(ScaleError, match="requires"):
        evaluate_marks([pytest.mark.capability("a", requires=[3]).mark], {})
