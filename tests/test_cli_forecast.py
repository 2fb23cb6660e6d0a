"""`emergent forecast`: the forecast table by predicted emergence, then each family's emergence order."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from forecast.scenario import runs

from pytest_emergent.cli import main
from pytest_emergent.ledger import Ledger, assign_changes


def ledger_of(folder: Path, count: int) -> str:
    """A ledger holding the first `count` checkpoints of the four-checkpoint scenario."""
    ledger = Ledger(folder)
    for run in runs(count):
        ledger.write(assign_changes(run, ledger.runs()))
    return str(folder)


def table(out: str) -> dict[str, list[str]]:
    """Rows of the forecast table by capability, split on runs of two spaces."""
    lines = out.split("\n\n")[1].splitlines()
    return {line.split()[0]: [c.strip() for c in line.split("  ") if c.strip()] for line in lines[2:]}


def test_three_checkpoints_print_the_forecast_and_its_interval(tmp_path: Path, capsys):
    assert main(["forecast", "--details", "--ledger", ledger_of(tmp_path, 3)]) == 0
    out = capsys.readouterr().out
    rows = table(out)
    assert list(rows) == ["copy/echo", "arith/multiply", "arith/add", "logic/chain", "fmt/json"]
    add = rows["arith/add"]
    assert add[:5] == ["arith/add", "pico", "3", "0.5", "crossing"]
    assert add[5].endswith("B") and "–" in add[6]
    assert rows["fmt/json"][4] == "no crossing predicted: plateau"
    assert rows["copy/echo"][4] == "already-passing"
    assert "INVERSION: arith/multiply passed at 1B before its prerequisite arith/add (never passed)" in out


def test_four_checkpoints_print_the_emergence_order_with_the_inversion(tmp_path: Path, capsys):
    assert main(["forecast", "--details", "--ledger", ledger_of(tmp_path, 4)]) == 0
    out = capsys.readouterr().out
    assert table(out)["arith/add"][4] == "already-passing"
    assert table(out)["logic/chain"][4] == "crossing"
    order = out[out.index("emergence order, family pico (first params at which each passed):"):].splitlines()
    assert [line.split()[1] for line in order[1:6]] == ["copy/echo", "arith/multiply", "arith/add", "fmt/json",
                                                         "logic/chain"]
    assert order[6] == "  INVERSION: arith/multiply passed at 1B before its prerequisite arith/add (first passed at 3B)"


def test_the_sigmoid_method_puts_the_metric_method_alongside(tmp_path: Path, capsys):
    assert main(["forecast", "arith/add", "--method", "sigmoid", "--details", "--ledger", ledger_of(tmp_path, 3)]) == 0
    out = capsys.readouterr().out
    assert "method sigmoid" in out and out.split("\n\n")[1].splitlines()[0].endswith("metric method")
    assert list(table(out)) == ["arith/add"]


def test_verbose_says_why_for_both_methods(tmp_path: Path, capsys):
    assert main(["forecast", "fmt/json", "-v", "--ledger", ledger_of(tmp_path, 4)]) == 0
    out = capsys.readouterr().out
    assert "fmt/json (pico, params, metric target_logprob; models pico-100m, pico-300m, pico-1b, pico-3b):" in out
    assert "  metric: no crossing predicted: plateau: no rise with scale" in out
    assert "  sigmoid: no crossing predicted: plateau:" in out


def test_an_unknown_family_matches_nothing(tmp_path: Path, capsys):
    assert main(["forecast", "--family", "nope", "--ledger", ledger_of(tmp_path, 2)]) == 0
    assert capsys.readouterr().out.strip() == "no results in the ledger match"


def test_an_empty_ledger_is_a_clear_error(tmp_path: Path, capsys):
    assert main(["forecast", "--ledger", str(tmp_path / "empty")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("emergent forecast: error: ledger ") and "no runs recorded" in err


def test_a_bad_scale_is_refused_by_the_parser(tmp_path: Path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["forecast", "--scale", "tokens", "--ledger", str(tmp_path)])
    assert exit_info.value.code == 2 and "invalid choice: 'tokens'" in capsys.readouterr().err


def test_the_console_script_prints_the_same(tmp_path: Path):
    folder = ledger_of(tmp_path, 3)
    out = subprocess.run([sys.executable, "-m", "pytest_emergent.cli", "forecast", "--details", "--ledger", folder],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "arith/add" in out.stdout and "INVERSION:" in out.stdout


def test_a_ledger_of_skips_says_to_import_with_a_threshold(tmp_path: Path, capsys):
    ledger = Ledger(tmp_path)
    for run in runs(3):
        for result in run["results"]:
            result["status"] = "skip"
        ledger.write(run)
    assert main(["forecast", "--ledger", str(tmp_path)]) == 2
    assert "import them again with --threshold or --tau" in capsys.readouterr().err


def test_the_default_output_is_a_summary_that_fits_the_terminal(tmp_path: Path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["forecast", "--ledger", ledger_of(tmp_path, 3)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "forecast of 5 series in 1 family (params); method metric, 90% intervals"
    assert lines[1] == "  crossing 2 · passing 2 · plateau 1"
    crossings = lines[lines.index("next to emerge (2 of 2 crossings, by predicted scale):") + 3:][:2]
    assert [line.split()[0] for line in crossings] == ["arith/add", "logic/chain"]
    assert "inversions (1): a capability passed before one it builds on" in out
    assert max(map(len, lines)) <= 80


def test_a_long_capability_id_is_shortened_in_the_middle_to_fit(tmp_path: Path, capsys, monkeypatch):
    ledger = Ledger(tmp_path)
    long_id = "suite/" + "very_long_part_" * 6 + "end"
    for run in runs(3):
        for result in run["results"]:
            if result["capability"] == "arith/add":
                result["capability"] = long_id
        ledger.write(assign_changes(run, ledger.runs()))
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["forecast", "--ledger", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    shown = next(line for line in lines if line.startswith("suite/"))
    assert "…" in shown and shown.split()[0].endswith("end") and max(map(len, lines)) <= 80


def test_json_has_every_series_at_full_precision(tmp_path: Path, capsys):
    assert main(["forecast", "--json", "--ledger", ledger_of(tmp_path, 3)]) == 0
    data = json.loads(capsys.readouterr().out)
    add = next(s for s in data["series"] if s["capability"] == "arith/add")
    assert add["main"]["verdict"] == "crossing" and add["family"] == "pico" and add["threshold"] == 0.5
    assert add["main"]["low"] < add["main"]["predicted"] < add["main"]["high"]
    assert add["main"]["width_decades"] == pytest.approx(math.log10(add["main"]["high"] / add["main"]["low"]))
    assert len(repr(add["main"]["predicted"])) > 8  # not rounded to what the table shows
    assert [p["scale"] for p in add["points"]] == [100e6, 300e6, 1e9]
    assert data["orders"][0]["family"] == "pico" and data["orders"][0]["entries"][0]["capability"] == "copy/echo"


def test_json_of_a_two_scale_family_says_the_forecast_leans_on_the_prior(tmp_path: Path, capsys):
    assert main(["forecast", "logic/chain", "--json", "--ledger", ledger_of(tmp_path, 2)]) == 0
    (chain,) = json.loads(capsys.readouterr().out)["series"]
    assert len(chain["points"]) == 2 and chain["main"]["prior"] is True
    assert chain["baseline"]["verdict"] == "too few points"
