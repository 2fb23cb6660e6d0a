"""The terminal matrix fits the terminal: short unique ids, compact cells, model columns in blocks."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pytest_emergent.outcomes import Status
from pytest_emergent.report.terminal import matrix_lines, write_section
from pytest_emergent.results import ModelHeader, Result
from pytest_emergent.textfit import render, short_ids, shorten, width_of, wrap


def test_short_ids_are_the_shortest_tail_no_other_id_shows():
    ids = ["examples/test_essay.py::test_qa", "other/test_essay.py::test_qa", "a/test_b.py::test_sum[3-digit]",
           "a/test_b.py::TestX::test_y", "essay/qa-frequent-fact", "x/test_z.py::essay/qa-frequent-fact"]
    shown = short_ids(ids)
    assert shown["a/test_b.py::test_sum[3-digit]"] == "test_sum[3-digit]"
    assert shown["a/test_b.py::TestX::test_y"] == "test_y"
    # the same test name in two files named alike: the folder is needed
    assert shown["examples/test_essay.py::test_qa"] == "examples/test_essay.py::test_qa"
    assert shown["other/test_essay.py::test_qa"] == "other/test_essay.py::test_qa"
    # a YAML id is shown whole; a Python test that would look the same keeps its file
    assert shown["essay/qa-frequent-fact"] == "essay/qa-frequent-fact"
    assert shown["x/test_z.py::essay/qa-frequent-fact"] == "test_z.py::essay/qa-frequent-fact"
    assert len(set(shown.values())) == len(ids)


def test_a_parameter_with_colons_is_never_cut_inside():
    assert short_ids(["t/test_a.py::test_x[a::b]"]) == {"t/test_a.py::test_x[a::b]": "test_x[a::b]"}


def test_shorten_keeps_both_ends_and_the_width():
    text = "examples/test_essay.py::test_a_very_long_capability_name"
    for width in (5, 12, 20, 40):
        short = shorten(text, width)
        assert width_of(short) == width and "…" in short
        assert short.startswith(text[:2]) and short.endswith(text[-2:])
    assert shorten("short", 20) == "short"
    assert width_of(shorten("模型能力测试模型能力测试", 9)) <= 9  # wide characters count twice


def test_columns_that_do_not_fit_go_in_blocks_under_the_same_labels():
    header = [("capability", [f"model-{i}" for i in range(6)])]
    rows = [("arith/add", ["pass 1.00"] * 6), ("qa/fact", ["expected-fail"] * 6)]
    blocks = render(header, rows, width=50)
    assert len(blocks) > 1
    for block in blocks:
        assert all(width_of(line) <= 50 for line in block)
        assert [line.split()[0] for line in block] == ["capability", "arith/add", "qa/fact"]
    shown = " ".join(" ".join(block) for block in blocks)
    assert all(f"model-{i}" in shown for i in range(6))


def _result(capability: str, model: str, status: Status, score: float | None = None) -> Result:
    return Result(capability, capability, model, status, score=score, n=20,
                  interval=None if score is None else (max(0.0, score - 0.2), min(1.0, score + 0.1)))


MODELS = {name: ModelHeader(name=name, backend="hf", family="pythia", traits=(), scale={"params": params})
          for name, params in (("pythia-70m", 7e7), ("pythia-160m", 1.6e8), ("pythia-410m", 4.1e8),
                               ("pythia-1b", 1e9), ("pythia-1.4b", 1.4e9), ("pythia-2.8b", 2.8e9))}
CAPS = ["tests/capabilities/test_arithmetic.py::test_three_digit_sums[4-options]", "essay/qa-frequent-fact",
        "essay/instruction-following-with-a-long-name", "tests/capabilities/test_code.py::test_fizzbuzz"]


def _matrix(width: int | None, changes=None) -> list[str]:
    results = [_result(c, m, Status.PASS if i % 2 else Status.EXPECTED_FAIL, 0.5 + 0.05 * i)
               for c in CAPS for i, m in enumerate(MODELS)]
    return [text for text, _ in matrix_lines(MODELS, results, changes, width)]


@pytest.mark.parametrize("width", [80, 120])
def test_the_matrix_fits_its_width_and_loses_no_cell(width):
    lines = _matrix(width, {(CAPS[0], "pythia-1b"): "lit-up", (CAPS[1], "pythia-2.8b"): "regressed"})
    assert max(width_of(line) for line in lines) <= width
    text = "\n".join(lines)
    for name in MODELS:
        assert name in text
    assert "test_three_digit_sums[4-options]" in text and "tests/capabilities" not in text
    cells = sum(line.count("pass") + line.count("xfail") + line.count("expected-fail") for line in lines
                if not line.startswith(("capability", "xfail =", "±")))
    assert cells == len(CAPS) * len(MODELS)
    assert "▲" in text and "▼" in text and "▲ lit up" in text and "▼ regressed" in text  # marks and their legend


def test_a_wide_terminal_shows_whole_cells_with_their_error_bars():
    lines = _matrix(None)
    text = "\n".join(lines)
    assert "expected-fail 0.50 ±0.20" in text
    assert "±: the wider side of the score's 95% interval" in text
    assert "xfail =" not in text  # no abbreviations, no legend for them


def test_a_narrow_terminal_abbreviates_and_says_so():
    lines = _matrix(80)
    assert any(line.startswith("xfail = expected-fail") for line in lines)
    assert not any("expected-fail 0.50" in line for line in lines)


def test_wrap_breaks_at_spaces_with_a_hanging_indent_and_keeps_every_word():
    text = "  essay/qa-deep-learning-revolution on smollm2-135m: needs params ≥ 7B; model has 135M; needs trait instruct"
    lines = wrap(text, 40)
    assert lines[0].startswith("  essay/") and all(line.startswith("    ") for line in lines[1:])
    assert all(width_of(line) <= 40 for line in lines[1:])
    assert " ".join(line.strip() for line in lines) == text.strip()
    assert wrap("  " + "x" * 50 + " end", 20) == ["  " + "x" * 50, "    end"]  # an id longer than a line stays whole
    assert wrap(text, None) == [text]


class _Terminal:
    """What write_section uses of pytest's terminal reporter."""

    def __init__(self, width: int):
        self._tw = type("TW", (), {"fullwidth": width})()
        self.lines: list[str] = []

    def write_sep(self, sep: str, title: str) -> None:
        self.lines.append(f"{sep * 3} {title} {sep * 3}")

    def write_line(self, text: str, **markup) -> None:
        self.lines.append(text)


def test_early_passes_under_the_matrix_wrap_at_the_terminal_width():
    reason = "needs params ≥ 1.3B; model has 70M; needs trait instruct; model has base"
    results = [replace(_result(c, "pythia-70m", Status.EARLY_PASS, 0.9), reason=reason) for c in CAPS[1:3]]
    tr = _Terminal(60)
    write_section(tr, MODELS, results, {})
    early = tr.lines[tr.lines.index("early passes (capability works below its declared scale):") + 1:-1]
    assert all(width_of(line) <= 60 for line in early) and len(early) > 2
    starts = [i for i, line in enumerate(early) if not line.startswith("    ")]
    assert len(starts) == 2 and all(early[i].startswith("  ") for i in starts)
    entries = [" ".join(line.strip() for line in early[a:b]) for a, b in zip(starts, starts[1:] + [len(early)])]
    assert sorted(entries) == sorted(f"{c} on pythia-70m: {reason}" for c in CAPS[1:3])  # no word lost
    assert tr.lines[-1].startswith("emergent: 2 early-pass")  # the summary stays one line
