"""A spec names the capabilities it builds on; they reach every result's declaration."""

from __future__ import annotations

import json


def test_requires_capabilities_reach_the_json_report(pytester, models_file):
    models_file(("tiny", "135M", []))
    pytester.makeini("[pytest]\nemergent_specs = specs/*.yaml\n")
    (pytester.path / "specs").mkdir()
    (pytester.path / "specs" / "s.yaml").write_text(
        "- id: arith/add-3d\n"
        "  description: needs two-digit addition first (Wei et al. 2022)\n"
        "  requires_scale: 13B\n"
        "  requires_capabilities: [arith/add-2d]\n"
        "  prompt: 'What is 100 + 200?'\n"
        "  examples: [{}]\n"
        "  expected: '300'\n"
        "  check: contains\n"
        "  max_new_tokens: 3\n")
    pytester.runpytest("specs", "--emergent-json", "out.json", "--emergent-no-ledger")
    (result,) = json.loads((pytester.path / "out.json").read_text())["results"]
    assert result["declared"]["requires_capabilities"] == ["arith/add-2d"]


def test_requires_capabilities_must_be_a_list_of_ids(pytester, models_file):
    models_file(("tiny", "135M", []))
    pytester.makeini("[pytest]\nemergent_specs = specs/*.yaml\n")
    (pytester.path / "specs").mkdir()
    (pytester.path / "specs" / "s.yaml").write_text(
        "- id: a\n  description: x\n  requires_capabilities: [3]\n  prompt: hi\n  examples: [{}]\n"
        "  expected: x\n  check: contains\n")
    result = pytester.runpytest("specs")
    result.stdout.fnmatch_lines(["*requires_capabilities*expected a list of capability ids*"])
