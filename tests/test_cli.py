"""The `emergent` command, called in-process through `main(argv)`."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from ledger.scenario import checkpoint_runs

from pytest_emergent.cli import main
from pytest_emergent.ledger import Ledger, assign_changes

# shared/ lies beside the repository (in CI too); EMERGENT_LM_EVAL_RESULTS points elsewhere.
DATA = Path(os.environ.get("EMERGENT_LM_EVAL_RESULTS",
                           Path(__file__).resolve().parents[2] / "shared" / "data" / "lm-eval-results"))
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason=f"{DATA} (real lm-eval results) is not on this machine")


@pytest.fixture
def ledger_dir(tmp_path: Path) -> Path:
    """A ledger holding the three-checkpoint scenario."""
    ledger = Ledger(tmp_path / "ledger")
    for run in checkpoint_runs():
        ledger.write(assign_changes(run, ledger.runs()))
    return ledger.folder


@needs_data
def test_importing_real_lm_eval_sweeps_gives_a_history_table_and_a_plot_per_task(tmp_path: Path, capsys):
    files = sorted(str(p) for p in DATA.glob("*/*.json"))
    ledger = str(tmp_path / "ledger")
    assert main(["import", *files, "--ledger", ledger]) == 0
    assert len(Ledger(ledger).runs()) == len(files) == 13
    capsys.readouterr()
    assert main(["history", "lm-eval/piqa", "--ledger", ledger]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split()[1:] == ["bloom-560m", "bloom-1b1", "bloom-1b7", "bloom-3b", "bloom-7b1", "opt-125m",
                                    "opt-350m", "opt-1.3b", "opt-2.7b", "opt-6.7b", "opt-13b", "opt-30b", "opt-66b"]
    assert lines[2].split() == ["560M", "1.1B", "1.7B", "3B", "7.1B", "125M", "350M", "1.3B", "2.7B", "6.7B", "13B",
                                "30B", "66B"]
    assert lines[4].split()[:3] == ["lm-eval/piqa", "0.637", "0.672"]
    html_path = tmp_path / "report.html"
    assert main(["report", "--html", str(html_path), "--ledger", ledger]) == 0
    html = html_path.read_text()
    plots = re.findall(r"<figure><figcaption>(.*?)</figcaption>(.*?)</figure>", html)
    assert len(plots) == 65 and plots[-1][0] == "lm-eval/wsc"
    for _, svg in plots:
        assert re.findall(r'data-family="([^"]+)"', svg) == ["bloom", "opt"]


@needs_data
def test_imported_runs_with_a_threshold_get_changes_by_size(tmp_path: Path, capsys):
    ledger = str(tmp_path / "ledger")
    files = [str(DATA / "opt" / f"opt-{size}.json") for size in ("66b", "125m", "6.7b")]  # any order
    assert main(["import", *files, "--threshold", "0.5", "--ledger", ledger]) == 0
    by_model = {r["models"][0]["name"]: r for r in Ledger(ledger).runs()}
    wsc = {name: next(x for x in run["results"] if x["capability"] == "lm-eval/wsc") for name, run in by_model.items()}
    # WSC has 104 questions: 0.42 ± 0.05 → 0.55 ± 0.05 crosses 0.5 but is no significant rise.
    assert (wsc["opt-66b"]["status"], wsc["opt-66b"]["change"]) == ("pass", "within-noise")
    assert wsc["opt-66b"]["baseline"]["model"] == "opt-6.7b"
    assert "not a significant rise" in wsc["opt-66b"]["change_note"] and "z = 1.81" in wsc["opt-66b"]["change_note"]
    arc = next(x for x in by_model["opt-6.7b"]["results"] if x["capability"] == "lm-eval/arc_easy")
    assert (arc["change"], arc["baseline"]["model"], arc["significance"]["test"]) == ("lit-up", "opt-125m", "z-stderr")


def test_history_of_the_scenario_marks_changes(ledger_dir: Path, capsys):
    assert main(["history", "--ledger", str(ledger_dir)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"qa/recall\s+pass 0.9\s+pass 0.9\s+fail 0.4 ▼", out)
    assert re.search(r"fmt/json\s+fail 0.2\s+fail 0.3\s+pass 0.9 ▲", out)


def test_diff_accepts_latest_and_report_files(ledger_dir: Path, tmp_path: Path, capsys):
    assert main(["diff", "latest~1", "latest", "--ledger", str(ledger_dir)]) == 1
    older = tmp_path / "older.json"
    older.write_text(json.dumps(Ledger(ledger_dir).runs()[0]))
    assert main(["diff", str(older), "latest~1", "--ledger", str(ledger_dir)]) == 0
    assert "arith/add" in capsys.readouterr().out


def test_an_unknown_run_exits_2_naming_the_known_runs(ledger_dir: Path, capsys):
    assert main(["diff", "nope", "latest", "--ledger", str(ledger_dir)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("emergent diff: error: ledger ") and "'nope' is not a run; known runs: " in err
    assert main(["diff", "latest~7", "latest", "--ledger", str(ledger_dir)]) == 2


def test_report_writes_both_files_or_prints_the_markdown(ledger_dir: Path, tmp_path: Path, capsys):
    first = Ledger(ledger_dir).runs()[0]["run_id"]
    md, html = tmp_path / "r" / "report.md", tmp_path / "r" / "report.html"
    assert main(["report", "--md", str(md), "--html", str(html), "--ledger", str(ledger_dir)]) == 0
    assert md.read_text().startswith("## pytest-emergent: ❌ regressions") and "<svg" in html.read_text()
    capsys.readouterr()
    assert main(["report", "--run", first, "--ledger", str(ledger_dir)]) == 0
    assert capsys.readouterr().out.startswith("## pytest-emergent: ❌ no regressions, 1 failed, 0 lit up")


def test_commands_on_an_empty_ledger_say_what_to_do(tmp_path: Path, capsys):
    assert main(["history", "--ledger", str(tmp_path)]) == 2
    assert "no runs recorded (run pytest with --emergent-ledger, or emergent import)" in capsys.readouterr().err


def test_a_corrupt_record_is_a_warning_and_the_command_goes_on(ledger_dir: Path, capsys):
    (ledger_dir / "broken.json").write_text("{")
    assert main(["runs", "--ledger", str(ledger_dir)]) == 0
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 3
    assert f"emergent runs: warning: ledger record {ledger_dir / 'broken.json'} skipped" in err


def test_a_bad_import_file_writes_nothing_and_names_the_file(tmp_path: Path, capsys):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps({"results": {"t": {"acc": 0.5}}, "config": {"model_args": "pretrained=x/m-1b"}}))
    bad.write_text("[]")
    assert main(["import", str(good), str(bad), "--ledger", str(tmp_path / "l")]) == 2
    assert f"{bad}: neither an lm-evaluation-harness results file" in capsys.readouterr().err
    assert not (tmp_path / "l").exists()


def test_import_options_that_describe_one_model_need_one_file(tmp_path: Path, capsys):
    assert main(["import", "a.json", "b.json", "--params", "1B", "--ledger", str(tmp_path)]) == 2
    assert "import such files one at a time" in capsys.readouterr().err
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"results": {"t": {"acc": 0.5}}, "config": {}}))
    assert main(["import", str(good), "--params", "1.5X", "--ledger", str(tmp_path)]) == 2
    assert "--params: cannot read '1.5X'" in capsys.readouterr().err


def test_models_lists_built_in_and_configured_models_with_their_availability(tmp_path: Path, monkeypatch, capsys):
    folder = tmp_path / "ckpt"
    folder.mkdir()
    (tmp_path / "emergent-models.yaml").write_text(
        f"- name: local\n  path: {folder}\n  family: mine\n  params: 1B\n"
        "- name: gone\n  path: nowhere/at-all\n- name: served\n  backend: openai\n  base_url: http://127.0.0.1:9\n"
        "  model: m\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^smollm2-135m\s+built-in", out, re.M) and re.search(r"^gemma3-270m\s+built-in", out, re.M)
    assert re.search(rf"^local\s+hf\s+mine, 1B\s+available \({re.escape(str(folder))}", out, re.M)
    assert re.search(r"^gone\s+hf\s+.*not found: no folder nowhere/at-all and not in the hub cache", out, re.M)
    assert re.search(r"^served\s+openai\s+.*served at http://127.0.0.1:9 \(not checked\)", out, re.M)


def test_models_names_a_broken_models_file(tmp_path: Path, capsys):
    bad = tmp_path / "m.yaml"
    bad.write_text("- name: x\n  colour: red\n")
    assert main(["models", "--models-file", str(bad)]) == 2
    assert "unknown field 'colour'" in capsys.readouterr().err


def test_the_schema_command_prints_a_json_schema_of_specs(capsys):
    import json

    from pytest_emergent.cli import main

    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["$schema"].startswith("http") and "properties" in json.dumps(schema)
    assert "requires_scale" in json.dumps(schema)


@needs_data
def test_importing_the_same_file_twice_keeps_one_run(tmp_path: Path, capsys):
    ledger = str(tmp_path / "ledger")
    file = str(DATA / "opt" / "opt-125m.json")
    assert main(["import", file, "--threshold", "0.5", "--ledger", ledger]) == 0
    assert main(["import", file, "--threshold", "0.5", "--ledger", ledger]) == 0
    assert "already in the ledger as run" in capsys.readouterr().out
    assert len(Ledger(ledger).runs()) == 1
    assert main(["import", file, "--threshold", "0.4", "--ledger", ledger]) == 0  # other statuses: a new run
    assert len(Ledger(ledger).runs()) == 2
