"""A task counts requests done of a total; its rate leaves out cached answers and loading."""

from __future__ import annotations

from pytest_emergent.progress import Task, advance, current, paused, track
from pytest_emergent.progress.task import duration


def test_a_task_shows_requests_done_of_the_total_the_rate_and_the_time_left(clock):
    task = Task("smollm2-135m", 1200)
    clock.seconds = 20.0
    task.advance(246)
    assert task.text() == "smollm2-135m: 246/1200 requests, 12.3/s, ETA 1m18s"


def test_before_the_first_answer_there_is_no_rate_and_no_time_left(clock):
    task = Task("m", 10)
    clock.seconds = 5.0
    assert task.text() == "m: 0/10 requests"


def test_answers_from_the_cache_count_as_done_but_not_in_the_rate(clock):
    task = Task("m", 100)
    task.advance(50, cached=True)
    clock.seconds = 10.0
    task.advance(10)
    assert (task.done, task.rate, task.eta) == (60, 1.0, 40.0)


def test_time_spent_loading_the_model_is_left_out_of_the_rate(clock):
    task = Task("m", 100)
    task.pause()
    clock.seconds = 60.0
    task.resume()
    clock.seconds = 70.0
    task.advance(20)
    assert task.rate == 2.0 and task.wall == 70.0


def test_a_backend_that_counts_twice_never_passes_the_total(clock):
    task = Task("m", 10)
    task.advance(8)
    task.advance(8)
    task.reach(10)
    assert task.done == 10


def test_the_end_line_gives_the_total_the_time_and_the_rate_or_where_it_stopped(clock):
    task = Task("m", 1200)
    clock.seconds = 92.0
    task.advance(600, cached=True)
    assert task.summary(finished=False) == "m: stopped at 600/1200 requests after 1m32s"
    task.advance(600)
    assert task.summary(finished=True) == "m: 1200 requests in 1m32s (6.5/s, 600 from the cache)"


def test_durations_read_as_a_person_waiting_needs_them():
    assert [duration(s) for s in (0.4, 45, 70, 3600 + 300)] == ["0s", "45s", "1m10s", "1h05m"]


def test_calls_inside_an_open_task_count_into_it():
    with track("m", 30) as outer:
        with track("m", 10) as inner:
            advance(10)
        assert inner is outer and current() is outer
    assert outer.done == 10 and current() is None


def test_fewer_requests_than_asked_for_make_no_task_and_counting_outside_a_task_does_nothing():
    with track("m", 3, least=32) as task:
        advance(3)
        assert task is None and current() is None
    with paused():
        advance(1)


def test_a_task_cut_short_ends_unfinished():
    ended = []

    class Display:
        def update(self, task):
            pass

        def end(self, task, finished):
            ended.append(finished)

    try:
        with track("m", 5, Display()):
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        pass
    with track("m", 5, Display()):
        pass
    assert ended == [False, True]
