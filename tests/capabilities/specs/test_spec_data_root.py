"""A spec's `data:` stays inside the rootdir unless the ini key emergent_specs_data_outside_rootdir allows it."""

from __future__ import annotations

SPEC = """- id: outside/data
  description: cases from a file outside the project
  prompt: "Say {{{{ w }}}}"
  data: {path}
  expected: "{{{{ w }}}}"
  threshold: 0
"""


def _outside_data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shared-data")
    (folder / "cases.jsonl").write_text('{"w": "a"}\n', encoding="utf-8")
    return folder / "cases.jsonl"


def test_data_outside_the_rootdir_is_refused_by_default(pytester, models_file, spec_file, tmp_path_factory):
    models_file(("tiny", "135M", []))
    spec_file("outside", SPEC.format(path=_outside_data(tmp_path_factory)))
    result = pytester.runpytest("-q", "--emergent-no-ledger")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*outside.yaml:4: entry 'outside/data': field 'data': data file *cases.jsonl is "
                                 "outside the rootdir*emergent_specs_data_outside_rootdir = true*"])


def test_the_ini_key_lets_data_outside_the_rootdir_be_read(pytester, models_file, spec_file, tmp_path_factory):
    models_file(("tiny", "135M", []))
    pytester.makeini("[pytest]\nemergent_specs_data_outside_rootdir = true\n")
    spec_file("outside", SPEC.format(path=_outside_data(tmp_path_factory)))
    result = pytester.runpytest("-q", "--emergent-no-ledger")
    result.assert_outcomes(passed=1)
