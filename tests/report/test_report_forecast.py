"""The forecast in the reports: a table and the emergence order in Markdown and HTML, and the
HTML curve extended to its forecast over the shaded interval."""

from __future__ import annotations

import re
from pathlib import Path

from forecast.scenario import runs
from ledger.scenario import sweep_runs

from pytest_emergent.ledger import assign_changes
from pytest_emergent.report.html import BOTTOM, TOP, H, render_html
from pytest_emergent.report.markdown import render_markdown, write_markdown


def recorded(count: int) -> list[dict]:
    done: list[dict] = []
    for run in runs(count):
        done.append(assign_changes(run, done))
    return done


def section(text: str, title: str) -> str:
    start = text.index(title)
    end = text.find("\n### ", start + 1)
    return text[start:] if end < 0 else text[start:end]


def test_the_markdown_report_ends_with_the_forecast_when_given_the_ledger():
    history = recorded(3)
    text = render_markdown(history[-1], history)
    table = section(text, "### Forecast")
    assert "| capability | family | points | threshold | verdict | predicted | 90% interval | sigmoid (baseline) |" in table
    add = next(line for line in table.splitlines() if line.startswith("| <code>arith/add</code> |"))
    cells = [c.strip() for c in add.strip("|").split("|")]
    assert cells[1:5] == ["pico", "3", "0.5", "crossing"] and cells[5].endswith("B") and "–" in cells[6]
    assert "| <code>fmt/json</code> | pico | 3 | 0.5 | no crossing predicted: plateau | – | – | plateau |" in table
    assert text.index("### Capability × model") < text.index("### Forecast") < text.index("### Emergence order")


def test_the_markdown_emergence_order_flags_the_inversion():
    history = recorded(4)
    order = section(render_markdown(history[-1], history), "### Emergence order")
    assert ("- **pico** (params): <code>copy/echo</code> 100M → <code>arith/multiply</code> 1B → <code>arith/add</code> 3B → <code>fmt/json</code> never passed"
            " → <code>logic/chain</code> never passed") in order
    assert ("  - ⚠️ **inversion:** <code>arith/multiply</code> passed at 1B before its prerequisite <code>arith/add</code> "
            "(first passed at 3B)") in order


def test_one_run_of_one_model_has_no_forecast_section():
    text = render_markdown(recorded(1)[-1])
    assert "### Forecast" not in text and "### Emergence order" not in text


def test_one_run_that_spans_four_sizes_is_forecast_without_a_ledger():
    text = render_markdown(assign_changes(sweep_runs()[0], []))
    assert "| <code>arith/add</code> | alpha | 4 | 0.5 | already-passing | – | – | passing |" in text
    assert "- **alpha** (params): " in text and "beta" not in section(text, "### Forecast")


def test_the_forecast_is_limited_to_the_families_of_the_run():
    sweep = [assign_changes(run, []) for run in sweep_runs()]
    text = render_markdown(sweep[1], sweep)
    assert "| <code>arith/add</code> | beta | 4 |" in text and "| alpha |" not in text
    assert "- **beta** (params): " in text and "**alpha**" not in text


def test_write_markdown_passes_the_ledger_on(tmp_path: Path):
    history = recorded(3)
    write_markdown(tmp_path / "r.md", history[-1], history)
    assert "### Forecast" in (tmp_path / "r.md").read_text()


def figures(html: str) -> dict[str, str]:
    return dict(re.findall(r"<figure><figcaption>(.*?)</figcaption>(.*?)</figure>", html))


def test_the_html_curve_goes_on_dashed_to_its_forecast_over_the_shaded_interval():
    plots = figures(render_html(recorded(3)))
    svg = plots["arith/add"]
    (line,) = re.findall(r'<line class="forecast" data-forecast="pico" x1="([0-9.]+)" y1="([0-9.]+)" '
                         r'x2="([0-9.]+)" y2="([0-9.]+)"[^>]*stroke-dasharray', svg)
    (rect,) = re.findall(r'<rect class="interval" data-forecast="pico" x="([0-9.]+)" y="([0-9.]+)" '
                         r'width="([0-9.]+)" height="([0-9.]+)" fill="[^"]+" fill-opacity="[0-9.]+">', svg)
    x1, y1, x2, y2 = map(float, line)
    left, top, width, height = map(float, rect)
    threshold_y = float(re.search(r'<line class="threshold" x1="[0-9.]+" y1="([0-9.]+)"', svg).group(1))
    last_x = max(float(x) for x in re.findall(r'<circle cx="([0-9.]+)"', svg))
    assert x1 == last_x and x2 > x1 and y2 == threshold_y
    assert left < x2 < left + width and (top, height) == (TOP, H - TOP - BOTTOM)
    assert 'class="forecast-point"' in svg and "90% interval" in svg
    for name in ("copy/echo", "arith/multiply", "fmt/json"):
        assert 'class="forecast"' not in plots[name] and 'class="interval"' not in plots[name]


def test_the_html_x_axis_reaches_the_end_of_the_interval():
    svg = figures(render_html(recorded(3)))["arith/add"]
    labels = re.findall(r'text-anchor="middle">([0-9.]+[KMBT]?)</text>', svg)
    assert labels[0] == "100M" and labels[-1] in ("100B", "1T")


def test_the_html_report_has_the_forecast_table_and_the_emergence_order():
    html = render_html(recorded(4))
    table = html[html.index('<table class="forecast">'):]
    assert "<h2>Forecast (metric method, 90% interval: bootstrap, calibrated)</h2>" in html
    assert re.search(r'<tr><td class="cap">logic/chain</td><td>pico</td><td>4</td><td>0.5</td><td>crossing</td>', table)
    order = html[html.index("<h2>Emergence order</h2>"):]
    assert re.findall(r"<li><code>(.*?)</code>", order) == ["copy/echo", "arith/multiply", "arith/add", "fmt/json",
                                                           "logic/chain"]
    assert ('<li class="inversion">inversion: <code>arith/multiply</code> passed at 1B before its prerequisite '
            "<code>arith/add</code> (first passed at 3B)</li>") in order


def test_without_three_scales_the_html_has_no_forecast_table():
    html = render_html(recorded(2))
    assert '<table class="forecast">' not in html and 'class="interval"' not in html
    assert "<h2>Emergence order</h2>" in html  # two sizes already make an order


def test_a_training_run_is_plotted_by_step_with_its_forecast():
    from ledger.scenario import header, make_run

    steps = (1000, 2000, 4000, 8000)
    done: list[dict] = []
    for i, (step, score) in enumerate(zip(steps, (0.05, 0.12, 0.24, 0.38))):
        model = header(f"run-step{step}", "run", 135e6, step)
        run = make_run([model], {("arith/add", model.name): ("fail", score)}, minutes=i, threshold=0.5)
        for result in run["results"]:
            result["metrics"] = {"cases": 400}
        done.append(assign_changes(run, done))
    svg = figures(render_html(done))["arith/add"]
    assert "step (log scale)" in svg
    assert len(re.findall(r"<circle ", svg)) == 4  # one point per checkpoint, none collapsed
    assert 'class="forecast" data-forecast="run"' in svg and 'class="interval" data-forecast="run"' in svg
