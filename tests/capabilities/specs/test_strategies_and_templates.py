"""`generate:` strategies and templates, called directly: a fixed vocabulary, errors with their paths,
and a template sandbox that never runs spec text as code."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from pytest_emergent.capabilities.specs.strategies import StrategyProblem, build_generator
from pytest_emergent.capabilities.specs.templates import TemplateProblem, render


def examples(spec):
    found = []

    @settings(max_examples=30, database=None, derandomize=True)
    @given(build_generator(spec))
    def collect(value):
        found.append(value)

    collect()
    return found


def test_integers_stay_within_their_bounds_and_lists_within_their_sizes():
    for case in examples({"n": {"integers": [3, 7]}, "xs": {"lists": {"elements": {"integers": [0, 1]},
                                                                      "min_size": 1, "max_size": 2}}}):
        assert 3 <= case["n"] <= 7 and 1 <= len(case["xs"]) <= 2


@pytest.mark.parametrize("spec, path", [
    ({"n": {"integer": [1, 2]}}, "n"),
    ({"n": {"lists": {"elements": {"integers": [1]}}}}, "n.lists.elements.integers"),
    ({"n": {"text": {"alphabet": "ab", "max_size": -1}}}, "n.text.max_size"),
])
def test_a_wrong_strategy_names_its_path(spec, path):
    with pytest.raises(StrategyProblem) as info:
        build_generator(spec)
    assert info.value.path.startswith(path)


def test_a_template_renders_expressions_and_filters():
    assert render("{{ a + b }} {{ w | scramble | length }}", {"a": 2, "b": 3, "w": "word"}) == "5 4"


@pytest.mark.parametrize("source", [
    "{{ ''.__class__.__mro__ }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ missing }}",
    "{{ a / 0 }}",
    "{% for %}",
])
def test_a_template_never_reaches_python_internals_and_every_mistake_is_a_template_problem(source):
    with pytest.raises(TemplateProblem):
        render(source, {"a": 1})
