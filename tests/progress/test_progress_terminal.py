"""The current task on the terminal: a live line on a terminal, occasional lines in a log, the ends
under -q, nothing under -qq; never more drawings than the throttle allows."""

from __future__ import annotations

import pytest

from pytest_emergent.progress import PREFIX, Task, TerminalProgress, mode_for


def run(display: TerminalProgress, clock, total: int = 1000, seconds: float = 300.0, step: int = 1,
        finish: bool = True) -> Task:
    """`total` requests, `step` at a time, evenly over `seconds` of the progress clock."""
    task = Task("smollm2-135m", total, display)
    for done in range(step, total + 1, step):
        clock.seconds = seconds * done / total
        task.advance(step)
    task.end(finish)
    return task


@pytest.mark.parametrize(("verbosity", "tty", "mode"), [
    (0, True, "live"), (1, True, "live"), (0, False, "lines"), (2, False, "lines"),
    (-1, True, "ends"), (-1, False, "ends"), (-2, True, "off"), (-3, False, "off"),
])
def test_the_mode_follows_the_verbosity_and_whether_output_is_a_terminal(verbosity, tty, mode):
    assert mode_for(verbosity, tty) == mode


def test_without_a_terminal_a_log_gets_a_line_every_tenth_but_at_most_every_30_seconds_then_the_end(clock, screen_of):
    screen = screen_of("lines")
    run(TerminalProgress(screen), clock, total=1000, seconds=300.0)
    assert screen.writes == []
    progress, end = screen.lines[:-1], screen.lines[-1]
    assert 5 <= len(progress) <= 11
    assert progress[0].startswith("smollm2-135m: 7/1000 requests, 3.3/s, ETA ")
    assert all("/1000 requests" in line for line in progress)
    assert end == "smollm2-135m: 1000 requests in 5m00s (3.3/s)"


def test_in_a_log_a_fast_task_still_prints_no_more_than_one_line_every_30_seconds(clock, screen_of):
    screen = screen_of("lines")
    run(TerminalProgress(screen), clock, total=100_000, seconds=95.0)
    assert len(screen.lines) == 1 + 3 + 1  # after 2 s, at 32 s, 62 s, 92 s; the end


def test_on_a_terminal_one_line_is_rewritten_at_most_four_times_a_second_and_the_end_takes_its_place(clock,
                                                                                                   screen_of):
    screen = screen_of("live")
    run(TerminalProgress(screen), clock, total=10_000, seconds=60.0)
    drawings = [w for w in screen.writes if w.strip()]
    assert 200 <= len(drawings) <= 60 * 4 + 1  # 10,000 steps, bounded by the throttle
    assert all(w.startswith("\r" + PREFIX + "smollm2-135m: ") for w in drawings)
    assert screen.events[-2:] == [("write", "\r" + " " * len(drawings[-1].rstrip()[1:]) + "\r"),
                                  ("line", "smollm2-135m: 10000 requests in 1m00s (166.7/s)")]


def test_the_live_line_never_wraps_and_a_shorter_line_covers_a_longer_one(clock, screen_of):
    screen = screen_of("live", width=40)
    display = TerminalProgress(screen)
    task = Task("a-model-with-a-rather-long-name", 10_000, display)
    clock.seconds = 3.0
    task.advance(1)
    assert len(screen.writes[-1]) == 40  # "\r" and 39 characters
    display._draw("short")
    assert screen.writes[-1] == "\r" + PREFIX + "short" + " " * (39 - len(PREFIX + "short"))


def test_a_line_of_the_plugin_erases_the_live_line_first_and_the_next_step_draws_it_again(clock, screen_of):
    screen = screen_of("live")
    display = TerminalProgress(screen)
    task = Task("m", 100, display)
    clock.seconds = 3.0
    task.advance(1)
    display.line("loading model judge (hf)")
    clock.seconds = 4.0
    task.advance(1)
    kinds = [kind for kind, _ in screen.events]
    assert kinds == ["write", "write", "line", "write"]
    assert screen.events[1][1].strip() == "" and screen.events[2][1] == "loading model judge (hf)"


def test_under_q_only_the_first_line_and_the_end_are_printed(clock, screen_of):
    screen = screen_of("ends")
    run(TerminalProgress(screen), clock)
    assert len(screen.lines) == 2 and screen.writes == []
    assert "/1000 requests" in screen.lines[0] and screen.lines[1].startswith("smollm2-135m: 1000 requests in")


def test_under_qq_nothing_is_printed(clock, screen_of):
    screen = screen_of("off")
    run(TerminalProgress(screen), clock)
    assert screen.events == []


@pytest.mark.parametrize("mode", ["live", "lines", "ends"])
def test_a_task_that_ends_within_two_seconds_prints_nothing(clock, screen_of, mode):
    screen = screen_of(mode)
    run(TerminalProgress(screen), clock, total=500, seconds=1.9)
    assert screen.events == []


def test_a_long_task_counted_only_at_its_end_still_gets_its_end_line(clock, screen_of):
    screen = screen_of("lines")
    task = Task("m", 200, TerminalProgress(screen))
    clock.seconds = 40.0
    task.reach(200)
    task.end(True)
    assert screen.lines == ["m: 200 requests in 40s (5.0/s)"]


def test_a_task_cut_short_says_where_it_stopped(clock, screen_of):
    screen = screen_of("lines")
    run(TerminalProgress(screen), clock, total=100, seconds=50.0, step=100, finish=False)
    assert screen.lines[-1] == "smollm2-135m: stopped at 100/100 requests after 50s"
