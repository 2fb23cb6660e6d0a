"""`python` checks: graders found beside their spec, each folder's module its own, resolved at collection."""

from __future__ import annotations

import json

GRADED = """- id: {id}
  description: graded by the graders.py beside this file
  prompt: "Say {{{{ w }}}}"
  examples: [{{w: a}}, {{w: b}}]
  expected: "{{{{ w }}}}"
  check: {{type: python, function: "graders:grade"}}
"""


def test_two_spec_folders_with_a_graders_module_each_use_their_own(pytester, models_file):
    models_file(("tiny", "135M", []))
    for folder, verdict in (("lenient", "True"), ("strict", "False")):
        specs = pytester.path / "capability_specs" / folder
        specs.mkdir(parents=True)
        (specs / "caps.yaml").write_text(GRADED.format(id=folder), encoding="utf-8")
        (specs / "graders.py").write_text(f"def grade(output, case):\n    return {verdict}\n", encoding="utf-8")
    result = pytester.runpytest("--emergent-json=out.json", "--emergent-no-ledger")
    statuses = {r["capability"]: r["status"] for r in json.loads((pytester.path / "out.json").read_text())["results"]}
    assert statuses == {"lenient": "pass", "strict": "fail"}, result.stdout.str()


def test_a_grader_is_imported_once_at_collection_not_per_case(pytester, models_file, tmp_path):
    models_file(("tiny", "135M", []))
    counter = tmp_path / "imports.txt"
    specs = pytester.path / "capability_specs"
    specs.mkdir()
    (specs / "caps.yaml").write_text(GRADED.format(id="counted"), encoding="utf-8")
    (specs / "graders.py").write_text(f"open({str(counter)!r}, 'a').write('x')\n"
                                      "def grade(output, case):\n    return True\n", encoding="utf-8")
    result = pytester.runpytest("--co", "-q")
    assert counter.read_text() == "x", result.stdout.str()  # imported while collecting, before anything runs
