"""`emergent show` prints a result's cases; `emergent diff --cases` lists the cases that flipped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ledger.simulation import AFTER, BEFORE, case, graded_run

from pytest_emergent.cli import main
from pytest_emergent.ledger import record_run

HOSTILE = "84\x1b[2J\x1b]0;pwned\x07\nnext line \u202eevil\u202c"


def hostile_run(model, flags, minutes=0):
    document = graded_run(model, {"arith/add": flags, "qa/recall": [True] * 20}, minutes=minutes)
    for result in document["results"]:
        if result["capability"] == "arith/add":
            result["cases"][0]["output"] = HOSTILE
            result["cases"][0]["expected"] = ["85"]
    return document


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    record_run(hostile_run(BEFORE, [True] * 18 + [False] * 2), tmp_path)
    record_run(hostile_run(AFTER, [False] * 16 + [True] * 4, minutes=10), tmp_path)
    return tmp_path


def test_show_prints_the_cases_of_the_latest_run_with_control_characters_made_visible(ledger: Path, capsys):
    assert main(["show", "arith/add", "--ledger", str(ledger)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "output:   84\\x1b[2J\\x1b]0;pwned\\x07\\nnext line \\u202eevil\\u202c" in out
    assert out.startswith(f"arith/add on {AFTER.name} (run ")
    assert "fail 0.2 [0.08–0.42] n=20" in out and "change: regressed against sim-step1000" in out
    assert "20 cases, 16 not passed" in out and out.count("  ✗ case-") == 16 and out.count("  ✓ case-") == 4
    assert "expected: 85" in out and "why: significant drop: " in out


def test_show_failed_lists_only_the_cases_that_did_not_pass_of_the_chosen_run(ledger: Path, capsys):
    assert main(["show", "arith/add", "--run", "latest~1", "--failed", "--ledger", str(ledger)]) == 0
    out = capsys.readouterr().out
    assert BEFORE.name in out and out.count("  ✗ ") == 2 and "  ✓ " not in out


def test_show_names_what_it_could_not_find(ledger: Path, capsys):
    assert main(["show", "arith/add", "--model", "nope", "--ledger", str(ledger)]) == 2
    assert "no result of capability 'arith/add' on model 'nope'" in capsys.readouterr().err


def test_show_says_when_a_result_has_no_cases(tmp_path: Path, capsys):
    from ledger.scenario import CHECKPOINTS, make_run

    record_run(make_run([CHECKPOINTS[0]], {("c", CHECKPOINTS[0].name): ("pass", None)}), tmp_path)
    assert main(["show", "c", "--ledger", str(tmp_path)]) == 0
    assert "no cases recorded for this result" in capsys.readouterr().out


def test_show_reads_the_cases_a_json_report_carries(tmp_path: Path, capsys):
    report = tmp_path / "report.json"
    report.write_text(json.dumps(hostile_run(BEFORE, [True] * 20)))
    assert main(["show", "arith/add", "--run", str(report), "--ledger", str(tmp_path / "none")]) == 0
    assert "20 cases, 0 not passed" in capsys.readouterr().out


def test_diff_cases_lists_the_flipped_cases_and_exits_1_on_the_regression(ledger: Path, capsys):
    assert main(["diff", "latest~1", "latest", "--cases", "--ledger", str(ledger)]) == 1
    out = capsys.readouterr().out
    regressed = out[out.index("regressed (1):"):]
    assert regressed.count("      ↓ case-") == 16 and regressed.count("      ↑ case-") == 2
    assert regressed.index("↓ case-15") < regressed.index("↑ case-18")  # pass → fail first
    assert "      ↓ case-0: 84\\x1b[2J\\x1b]0;pwned\\x07\\nnext line \\u202eevil\\u202c → 84\\x1b[2J" in regressed
    assert "(expected 85)" in regressed and "\x1b" not in out


def test_diff_exits_0_when_a_flip_is_within_noise_and_says_so(tmp_path: Path, capsys):
    record_run(graded_run(BEFORE, {"cap": [True] * 11 + [False] * 9}), tmp_path)
    record_run(graded_run(AFTER, {"cap": [True] * 9 + [False] * 11}, minutes=1), tmp_path)
    assert main(["diff", "latest~1", "latest", "--ledger", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "within noise (flipped, not significant) (1):\n  cap [sim]: pass 0.55" in out
    assert "not a significant drop: 2 of 20 cases flipped" in out
    assert "0 regressed, 0 dropped, 0 lit up, 1 within noise" in out


def test_diff_takes_the_level_and_the_correction(tmp_path: Path, capsys):
    record_run(graded_run(BEFORE, {"cap": [True] * 16 + [False] * 4}), tmp_path)
    record_run(graded_run(AFTER, {"cap": [True] * 8 + [False] * 12}, minutes=1), tmp_path)
    assert main(["diff", "latest~1", "latest", "--ledger", str(tmp_path)]) == 1
    assert main(["diff", "latest~1", "latest", "--alpha", "0.001", "--ledger", str(tmp_path)]) == 0
    with pytest.raises(SystemExit):
        main(["diff", "latest~1", "latest", "--alpha", "5", "--ledger", str(tmp_path)])
    assert "expected a significance level between 0 and 1, got '5'" in capsys.readouterr().err


def test_cases_match_by_id_whatever_their_order():
    from pytest_emergent.ledger import flipped_cases

    before = [case("a", True), case("b", False), case("c", True)]
    after = [case("c", True), case("b", True), case("a", False), case("new", False)]
    assert [(f.id, f.lost) for f in flipped_cases(before, after)] == [("a", True), ("b", False)]
