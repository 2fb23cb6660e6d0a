"""The HTML report as a browser shows it: headless Chromium takes a screenshot, and the
pixels must hold the matrix's cell colours and the plot lines of both families."""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from collections import Counter
from pathlib import Path

import pytest
from ledger.scenario import sweep_runs

from pytest_emergent.ledger import assign_changes
from pytest_emergent.report.html import PALETTE, write_html

CHROMIUM = Path("/usr/bin/chromium")


def decode_png(data: bytes) -> tuple[int, int, list[tuple[int, ...]]]:
    """Width, height and pixels of an 8-bit RGB or RGBA PNG (what Chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), f"unexpected PNG layout: depth {depth}, colour type {colour}"
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw, stride = zlib.decompress(idat), width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        rows.append(bytes(line))
        previous = line
    pixels = [tuple(row[x:x + 3]) for row in rows for x in range(0, stride, channels)]
    return width, height, pixels


def screenshot(page: Path, shot: Path, profile: Path, height: int) -> None:
    """Headless Chromium's picture of `page`, 1200 pixels wide (flags that keep it off the network)."""
    command = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile}", f"--screenshot={shot}", f"--window-size=1200,{height}", page.as_uri()]
    out = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert shot.is_file(), f"chromium wrote no screenshot (exit {out.returncode}): {out.stderr[-2000:]}"


def rgb(hex_colour: str) -> tuple[int, ...]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install chromium); make test installs it")
def test_headless_chromium_shows_the_matrix_and_the_plots(tmp_path: Path):
    done: list[dict] = []
    for run in sweep_runs():
        done.append(assign_changes(run, done))
    page, shot = tmp_path / "report.html", tmp_path / "report.png"
    write_html(page, done)
    screenshot(page, shot, tmp_path / "profile", 2000)
    shutil.copy(shot, Path(tmp_path.parent, "emergent-report-screenshot.png"))  # for a person to look at
    data = shot.read_bytes()
    assert len(data) > 20_000
    width, height, pixels = decode_png(data)
    assert (width, height) == (1200, 2000)
    counts = Counter(pixels)
    assert len(counts) > 100, "the page is nearly uniform: nothing was drawn"
    for name, colour in [("pass cell", "#dafbe1"), ("expected-fail cell", "#fff8c5"),
                         ("alpha line", PALETTE[0]), ("beta line", PALETTE[1])]:
        assert counts[rgb(colour)] > 50, f"no {name} ({colour}) in the screenshot"


def _cases(verdicts: list[bool | None], output: str = "answer") -> list[dict]:
    return [{"id": f"case-{i}", "passed": v, "prompt": f"Q: question {i}?\nA:", "output": None if v is None else output,
             "expected": ["answer"], "choices": None, "scores": None, "metrics": {}, "detail": "" if v else "wrong",
             **({"error": "server answered 500"} if v is None else {})} for i, v in enumerate(verdicts)]


def every_status_run() -> tuple[dict, dict]:
    """A baseline run and a run with one result of every status, each with its cases (a skip has none)."""
    header = {"name": "m", "backend": "hf", "family": "f", "traits": [], "scale": {"params": 1e9, "step": 2}}
    rows = {"passes": ("pass", [True] * 6), "fails": ("fail", [False] * 6), "expected": ("expected-fail", [False] * 6),
            "early": ("early-pass", [True] * 6), "errors": ("error", [True, None, True, True, True, True]),
            "skipped": ("skip", [])}
    results = [{"capability": cap, "nodeid": f"t.py::{cap}[m]", "model": "m", "status": status,
                "score": (sum(bool(v) for v in verdicts) / len(verdicts)) if verdicts and status != "error" else None,
                "threshold": 0.8, "metrics": {}, "declared": {}, "reason": "", "duration": 0.1,
                "cases": _cases(verdicts)} for cap, (status, verdicts) in rows.items()]
    baseline = {"run_id": "r1", "started": "2026-01-01T00:00:00+00:00", "models": [{**header, "name": "m0",
                "scale": {"params": 1e9, "step": 1}}],
                "results": [{**r, "model": "m0", "status": "pass", "cases": _cases([True] * 6)} for r in results]}
    run = {"run_id": "r2", "started": "2026-01-02T00:00:00+00:00", "models": [header], "results": results}
    return baseline, run


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install chromium); make test installs it")
def test_headless_chromium_shows_every_status_with_its_cases_and_the_lost_ones_marked(tmp_path: Path):
    baseline, run = every_status_run()
    runs = [assign_changes(baseline, []), assign_changes(run, [baseline])]
    page, shot = tmp_path / "cases.html", tmp_path / "cases.png"
    write_html(page, runs)
    html = page.read_text()
    assert html.count('<details class="result"') == 6
    assert html.count('<tr class="lost"') == 12  # fails and expected: 6 cases each, passed in the baseline
    assert html.count("no cases were recorded") == 1  # the skipped one
    page.write_text(html.replace('<details class="result"', '<details open class="result"'))
    screenshot(page, shot, tmp_path / "profile", 4600)
    shutil.copy(shot, Path(tmp_path.parent, "emergent-cases-screenshot.png"))  # for a person to look at
    counts = Counter(decode_png(shot.read_bytes())[2])
    for name, colour in [("lost case row", "#ffebe9"), ("failed request row", "#fff1e5"), ("fail cell", "#ffd8d3"),
                         ("early-pass cell", "#b6f2ff")]:
        assert counts[rgb(colour)] > 50, f"no {name} ({colour}) in the screenshot"
