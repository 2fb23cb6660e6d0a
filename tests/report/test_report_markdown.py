"""The Markdown report: news first, then the matrix, then counts."""

from __future__ import annotations

from pathlib import Path

from ledger.scenario import checkpoint_runs, header, make_run

from pytest_emergent.ledger import assign_changes
from pytest_emergent.report.markdown import append_step_summary, render_markdown, write_markdown


def last_checkpoint() -> dict:
    done: list[dict] = []
    for run in checkpoint_runs():
        done.append(assign_changes(run, done))
    return done[-1]


def test_a_run_without_news_says_so_and_shows_the_matrix():
    text = render_markdown(assign_changes(checkpoint_runs()[0], []))
    assert text.startswith("## pytest-emergent: ❌ no regressions, 1 failed, 0 lit up")
    assert "### Regressed" not in text and "### Lit up" not in text
    assert "| capability | tiny-step1000 (135M, step 1,000) |" in text
    assert "| <code>arith/add</code> | ⏳ expected-fail 0.1 |" in text


def test_matrix_cells_carry_the_change():
    text = render_markdown(last_checkpoint())
    assert "| <code>qa/recall</code> | ❌ fail 0.4 **▼ regressed** |" in text
    assert "| <code>fmt/json</code> | ✅ pass 0.9 **▲ lit up** |" in text
    assert "| <code>arith/add</code> | 🌱 early-pass 0.85 |" in text


def test_early_passes_that_did_not_just_light_up_are_listed_as_news_too():
    text = render_markdown(last_checkpoint())
    assert "### Early passes (working below the declared scale) (1)" in text


def test_models_are_columns_ordered_by_scale():
    small, big = header("b-small", "b", 1e8), header("a-big", "a", 1e9)
    text = render_markdown(make_run([big, small], {("c", "a-big"): ("pass", None), ("c", "b-small"): ("fail", None)}))
    assert "| capability | b-small (100M) | a-big (1B) |" in text


def test_pipes_in_ids_do_not_break_the_table():
    model = header("m", "f")
    text = render_markdown(make_run([model], {("a|b", "m"): ("pass", None)}))
    assert "| <code>a\\|b</code> |" in text


def test_the_report_goes_to_the_github_step_summary_when_it_is_set(tmp_path: Path):
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    assert append_step_summary(last_checkpoint(), {"GITHUB_STEP_SUMMARY": str(summary)}) == summary
    text = summary.read_text()
    assert text.startswith("earlier step\n## pytest-emergent: ❌ regressions")
    assert append_step_summary(last_checkpoint(), {}) is None


def test_write_markdown_creates_the_folder(tmp_path: Path):
    write_markdown(tmp_path / "out" / "report.md", last_checkpoint())
    assert (tmp_path / "out" / "report.md").read_text().startswith("## pytest-emergent")


def test_a_run_with_failures_but_no_regressions_does_not_claim_success():
    run = assign_changes(checkpoint_runs()[0], [])
    for result in run["results"]:
        result["status"] = "pass"
    assert render_markdown(run).startswith("## pytest-emergent: ✅ no regressions, 0 lit up")
    run["results"][0]["status"] = "error"
    assert render_markdown(run).startswith("## pytest-emergent: ❌ no regressions, 1 failed, 0 lit up")
