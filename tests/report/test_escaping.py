"""Model output and ids are untrusted: no report format lets them act as markup, commands or bad bytes."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from pytest_emergent.junit import complete_junit
from pytest_emergent.report.github import annotations
from pytest_emergent.report.html import render_html
from pytest_emergent.report.markdown import render_markdown

HOSTILE_OUTPUT = '<img src=x onerror=alert(1)> `ends code` | pipe **bold** \x1b[2J\u202eevil\n::error::forged'
HOSTILE_ID = "cap`<b>|x</b>\n::warning::forged"


def document() -> dict:
    case = {"id": "c1", "passed": False, "prompt": "Q: <script>alert(1)</script>", "output": HOSTILE_OUTPUT,
            "expected": ["</td><td>"], "choices": None, "scores": None, "metrics": {}, "detail": HOSTILE_OUTPUT}
    result = {"capability": HOSTILE_ID, "nodeid": "t.py::x[m]", "model": "m<i>", "status": "expected-fail",
              "score": 0.1, "threshold": 0.8, "n": 10, "interval": [0.02, 0.4], "metrics": {}, "declared": {},
              "reason": HOSTILE_OUTPUT, "duration": 0.1, "change": "regressed",
              "change_note": f"drop on 9 of 10 paired cases {HOSTILE_OUTPUT}",
              "baseline": {"run_id": "r0", "model": "m0", "status": "pass", "score": 0.9}, "cases": [case]}
    return {"run_id": "r1", "started": "2026-12-01T00:00:00+00:00", "models": [{"name": "m<i>", "scale": {}}],
            "results": [result]}


def test_markdown_shows_hostile_text_as_text_on_one_line():
    text = render_markdown(document())
    assert "<img" not in text and "<b>" not in text and "<i>" not in text and "\x1b" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert not any(line.startswith("::") for line in text.splitlines())
    rows = [line for line in text.splitlines() if line.startswith("| <code>cap")]
    assert rows and all(line.count(" | ") == line.replace("\\|", "").count(" | ") for line in rows)


def test_html_escapes_markup_and_shows_control_characters():
    html = render_html([document()])
    assert "<img src=x" not in html and "<script>" not in html and "\x1b" not in html and "\u202e" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "\\x1b[2J" in html and "\\u202e" in html
    assert "&lt;/td&gt;&lt;td&gt;" in html and "&lt;script&gt;" in html


def test_annotations_keep_one_command_per_line_with_the_evidence():
    (line,) = annotations(document())
    assert line.startswith("::error ") and "\n" not in line and "\r" not in line
    assert "%0A::warning::forged" in line and "drop on 9 of 10 paired cases" in line


def test_junit_stays_well_formed_and_a_regressed_xfail_becomes_a_failure(tmp_path):
    path = tmp_path / "junit.xml"
    path.write_text('<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="0" '
                    'failures="0" skipped="1" tests="1"><testcase classname="t" name="x[m]">'
                    '<skipped type="pytest.xfail" message="below scale"/></testcase></testsuite></testsuites>')
    assert complete_junit(path, document()) == 1
    tree = ET.parse(path)  # well-formed despite the ESC in the model's output
    suite = next(tree.iter("testsuite"))
    case = next(tree.iter("testcase"))
    assert (suite.get("failures"), suite.get("skipped")) == ("1", "0")
    assert case.find("skipped") is None and "regressed" in case.find("failure").get("message")
    values = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert "#x1B" in values["emergent_change_note"] and values["emergent_interval"] == "[0.02, 0.4] n=10"
