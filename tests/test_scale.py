import pytest

from pytest_emergent.scale import (
    Scale,
    ScaleError,
    ScaleRequirement,
    build_requirement,
    describe_gap,
    format_number,
    parse_scale,
    parse_tiers,
    unmet,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("135M", 135e6), ("1.5B", 1.5e9), ("2T", 2e12), ("7e9", 7e9), (7e9, 7e9), (7_000_000_000, 7e9),
     ("10k", 1e4), ("1_000", 1000.0), (" 3 B ", 3e9)],
)
def test_scale_strings_and_numbers_are_read(value, expected):
    assert parse_scale(value) == pytest.approx(expected)


@pytest.mark.parametrize("value", ["1.5X", "-3B", "0", "", "B", "seven", True, None, float("nan"), -1])
def test_bad_scale_values_are_refused_with_the_value_named(value):
    with pytest.raises(ScaleError) as info:
        parse_scale(value)  # type: ignore[arg-type]
    assert repr(value) in str(info.value) or type(value).__name__ in str(info.value)


def test_tiers_name_one_or_several_dimensions():
    tiers = parse_tiers(["small = 135M", "frontier = params:70B tokens:2T", "# comment", ""])
    assert tiers["small"] == ScaleRequirement(params=135e6)
    assert tiers["frontier"] == ScaleRequirement(params=70e9, tokens=2e12)


@pytest.mark.parametrize("line", ["nameonly", "x = params:1Q", "x = flops:1e21", "= 7B"])
def test_bad_tier_lines_are_refused(line):
    with pytest.raises(ScaleError, match="emergent_tiers"):
        parse_tiers([line])


def test_a_tier_name_stands_for_its_dimensions():
    tiers = parse_tiers(["frontier = params:70B tokens:2T"])
    assert build_requirement("frontier", tiers=tiers) == ScaleRequirement(params=70e9, tokens=2e12)


def test_an_unknown_tier_is_an_error_that_lists_the_known_ones():
    with pytest.raises(ScaleError, match="unknown tier 'huge'.*small"):
        build_requirement("huge", tiers=parse_tiers(["small = 1B"]))


def test_nominal_sizes_meet_their_own_declaration():
    # SmolLM2-135M counts 134.5M weights; Llama-2-7B counts 6.74B.
    assert unmet(ScaleRequirement(params=135e6), Scale(params=134_515_008)) == []
    assert unmet(ScaleRequirement(params=7e9), Scale(params=6.74e9)) == []
    assert unmet(ScaleRequirement(params=1e9), Scale(params=135e6)) == ["params"]


def test_every_declared_dimension_must_be_met_and_unknown_is_not_met():
    requirement = ScaleRequirement(params=1e9, tokens=1e12)
    assert unmet(requirement, Scale(params=2e9, tokens=None)) == ["tokens"]
    assert unmet(requirement, Scale(params=2e9, tokens=2e12)) == []


def test_compute_is_six_n_d_when_not_given():
    assert Scale(params=1e9, tokens=2e10).with_compute().compute == pytest.approx(1.2e20)


def test_numbers_print_the_way_people_write_them():
    assert [format_number(v) for v in (134_515_008, 1.5e9, 7e9, 2e12, 950)] == ["135M", "1.5B", "7B", "2T", "950"]
    assert format_number(1.6e21, "compute") == "1.6e21"


def test_the_gap_names_both_scales():
    gap = describe_gap(ScaleRequirement(params=1e9), Scale(params=134_515_008), ["params"])
    assert gap == "needs params ≥ 1B; model has 135M"
