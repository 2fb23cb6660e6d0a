"""The acceptance scenario: three checkpoints of one family, in order, through the ledger.

The same lit-up / regressed / unchanged must show in the stored JSON records, in the Markdown
report, and in `emergent diff`, which exits 1 because something regressed.
"""

from __future__ import annotations

import json
from pathlib import Path

from ledger.scenario import EXPECTED, checkpoint_runs

from pytest_emergent.cli import main
from pytest_emergent.ledger import Ledger, assign_changes
from pytest_emergent.report.markdown import render_markdown


def record_in_order(folder: Path) -> list[str]:
    ledger = Ledger(folder)
    ids = []
    for run in checkpoint_runs():
        assign_changes(run, ledger.runs())
        ids.append(ledger.write(run))
    return ids


def test_the_stored_json_records_carry_the_changes(tmp_path: Path):
    ids = record_in_order(tmp_path)
    stored = [json.loads((tmp_path / f"{i}.json").read_text()) for i in ids]
    assert [{r["capability"]: r["change"] for r in doc["results"]} for doc in stored] == EXPECTED
    assert [doc["run_id"] for doc in stored] == ids


def test_the_markdown_report_of_the_last_checkpoint_puts_regressed_and_lit_up_first(tmp_path: Path):
    record_in_order(tmp_path)
    text = render_markdown(Ledger(tmp_path).latest())
    regressed, lit_up, matrix = (text.index(h) for h in ("### Regressed (1)", "### Lit up (1)", "### Capability × model"))
    assert regressed < lit_up < matrix
    assert "| <code>qa/recall</code> | tiny-step3000 | fail 0.4 [0.263, 0.554] n=40 | pass 0.9 [0.769, 0.96] n=40 (tiny-step2000" in text
    assert "| <code>fmt/json</code> | tiny-step3000 | pass 0.9 [0.769, 0.96] n=40 | fail 0.3 [0.181, 0.454] n=40 (tiny-step2000" in text
    assert text.startswith("## pytest-emergent: ❌ regressions, 1 lit up")
    assert "**Changes:** 1 regressed, 1 lit-up, 1 unchanged, 1 new" in text


def test_emergent_diff_lists_both_and_exits_1_on_the_regression(tmp_path: Path, capsys):
    first, second, third = record_in_order(tmp_path)
    assert main(["diff", second, third, "--ledger", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "regressed (1):\n  qa/recall [tiny]: pass 0.9 [0.77–0.96] n=40 (tiny-step2000) → " \
           "fail 0.4 [0.26–0.55] n=40 (tiny-step3000)\n      significant drop: 36/40 → 16/40 cases passed" in out
    assert "lit up (1):\n  fmt/json [tiny]: fail 0.3 [0.18–0.45] n=40 (tiny-step2000) → pass 0.9" in out
    assert "1 regressed, 0 dropped, 1 lit up, 0 within noise, 0 redefined, 1 unchanged, 1 new, 0 missing" in out


def test_emergent_diff_exits_0_when_only_something_lit_up(tmp_path: Path, capsys):
    first, second, _ = record_in_order(tmp_path)
    assert main(["diff", first, second, "--ledger", str(tmp_path)]) == 0
    assert "lit up (1):\n  arith/add [tiny]: expected-fail 0.1 [0.04–0.23] n=40 (tiny-step1000) → early-pass 0.8" \
        in capsys.readouterr().out
