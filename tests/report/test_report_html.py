"""The HTML report: self-contained, the focus run's matrix, one curve per family per capability."""

from __future__ import annotations

import re

from ledger.scenario import checkpoint_runs, header, make_run, sweep_runs

from pytest_emergent.ledger import assign_changes
from pytest_emergent.report.html import render_html, write_html


def assigned(runs):
    done = []
    for run in runs:
        done.append(assign_changes(run, done))
    return done


def figures(html: str) -> dict[str, str]:
    return dict(re.findall(r"<figure><figcaption>(.*?)</figcaption>(.*?)</figure>", html))


def test_the_file_fetches_nothing_and_runs_no_script():
    html = render_html(assigned(sweep_runs()))
    assert "http://" not in html and "https://" not in html and "//" not in html.replace("<!DOCTYPE", "")
    assert "<script" not in html and "<link" not in html and "<img" not in html and "@import" not in html
    assert html.startswith("<!DOCTYPE html>") and "<style>" in html


def test_every_capability_has_a_plot_with_one_line_per_family_and_the_declared_scale():
    html = render_html(assigned(sweep_runs()))
    plots = figures(html)
    assert sorted(plots) == ["arith/add", "fmt/json", "qa/recall"]
    for svg in plots.values():
        assert re.findall(r'data-family="([^"]+)"', svg) == ["alpha", "beta"]
        assert svg.count("<circle") == 8
    assert 'class="declared"' in plots["arith/add"] and "declared 1B" in plots["arith/add"]
    assert 'class="declared"' not in plots["fmt/json"]
    assert "threshold 0.5" in plots["arith/add"]


def test_the_x_axis_is_logarithmic_in_decades():
    svg = figures(render_html(sweep_runs()))["arith/add"]
    labels = re.findall(r'text-anchor="middle">([0-9.]+[KMBT]?)</text>', svg)
    assert labels == ["10M", "100M", "1B", "10B", "100B"]
    xs = [float(x) for x in re.findall(r'<line x1="([0-9.]+)" y1="12" x2="\1" y2="190" stroke="#eaeef2"/>', svg)]
    gaps = {round(b - a, 1) for a, b in zip(xs, xs[1:])}
    assert len(gaps) == 1  # equal spacing per decade


def test_the_matrix_shows_the_focus_run_with_its_changes_first():
    runs = assigned(checkpoint_runs())
    html = render_html(runs, runs[-1])
    matrix = html[html.index('<table class="matrix">'):]
    matrix = matrix[:matrix.index("</table>")]
    order = re.findall(r'<td class="cap">(.*?)</td>', matrix)
    assert order[:2] == ["fmt/json", "qa/recall"]  # lit-up and regressed first
    assert '<span class="chg regressed">▼ regressed</span>' in matrix and "tiny-step3000" in matrix
    assert "tiny-step1000" not in matrix
    assert "Regressed (1)" in html and "Lit up (1)" in html


def test_a_focus_outside_the_list_is_still_drawn():
    run = sweep_runs()[0]
    assert "arith/add" in figures(render_html([], run))


def test_text_from_results_is_escaped():
    model = header("<b>m</b>", "f", 1e9)
    html = render_html([make_run([model], {("<script>x</script>", "<b>m</b>"): ("pass", 1.0)})])
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html


def test_no_plot_without_a_known_scale(tmp_path):
    model = header("m", "f", None)
    html = render_html([make_run([model], {("c", "m"): ("pass", None)})])
    assert "No result with a known scale to plot." in html
    write_html(tmp_path / "a" / "r.html", [])
    assert (tmp_path / "a" / "r.html").read_text().startswith("<!DOCTYPE html>")


def test_a_tasks_chance_and_majority_levels_stand_beside_its_score():
    model = header("m", "f", 1e9)
    run = make_run([model], {("nav", "m"): ("early-pass", 0.6), ("plain", "m"): ("pass", 1.0)})
    run["results"][0]["levels"] = {"chance": 0.5, "majority": 0.6}
    matrix = render_html([run])
    matrix = matrix[matrix.index('<table class="matrix">'):]
    nav, plain = re.findall(r'<td class="s-[^"]+"[^>]*>(.*?)</td>', matrix)
    assert nav.startswith("<a href=\"#r-") and ">early-pass 0.6</a>" in nav and '<small class="levels">chance 0.5 · majority 0.6</small>' in nav
    assert "levels" not in plain  # a result without levels (a Python test) shows none
