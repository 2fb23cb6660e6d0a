"""The `emergent` command, called in-process through `main(argv)`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from ledger.scenario import checkpoint_runs

from pytest_emergent.cli import main
from pytest_emergent.ledger import Ledger, assign_changes


@pytest.fixture
def ledger_dir(tmp_path: Path) -> Path:
    """A ledger holding the three-checkpoint scenario."""
    ledger = Ledger(tmp_path / "ledger")
    for run in checkpoint_runs():
        ledger.write(assign_changes(run, ledger.runs()))
    return ledger.folder


def test_history_of_the_scenario_marks_changes(ledger_dir: Path, capsys):
    assert main(["history", "--ledger", str(ledger_dir)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"qa/recall\s+pass 0.9\s+pass 0.9\s+fail 0.4 ▼", out)
    assert re.search(r"fmt/json\s+fail 0.2\s+fail 0.3\s+pass 0.9 ▲", out)


def test_history_fits_the_terminal_and_keeps_the_last_checkpoints(ledger_dir: Path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "45")
    assert main(["history", "--ledger", str(ledger_dir)]) == 0
    narrow = capsys.readouterr().out
    assert max(len(line) for line in narrow.splitlines()) <= 45 and narrow.count("capability") > 1
    assert main(["history", "--ledger", str(ledger_dir), "--wide"]) == 0
    assert capsys.readouterr().out.count("capability") == 1
    assert main(["history", "--ledger", str(ledger_dir), "--last", "1", "--wide"]) == 0
    out = capsys.readouterr().out
    assert "the last 1 of 3" in out and re.search(r"qa/recall\s+fail 0.4 ▼", out)
    with pytest.raises(SystemExit) as exit:
        main(["history", "--ledger", str(ledger_dir), "--last", "0"])
    assert exit.value.code == 2
    assert "argument --last: expected a whole number of 1 or more, got '0'" in capsys.readouterr().err


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
