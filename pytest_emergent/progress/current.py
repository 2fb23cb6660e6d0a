"""The task running now, and the voice of the session, for code below the plugin.

A backend counts its batches with `advance(n)` and a loader tells the user what it does with
`say(message)`, without knowing of pytest: the plugin (through the Model and the pool) sets what
they reach. Both are context variables, so one task counts one call stack; a backend's worker
threads do not count, the thread that gathers their answers does.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from .task import Display, Task

__all__ = ["Display", "advance", "current", "paused", "say", "speaking", "track"]

_task: ContextVar[Task | None] = ContextVar("pytest_emergent_task", default=None)
_speaker: ContextVar[Callable[[str], None] | None] = ContextVar("pytest_emergent_speaker", default=None)


def current() -> Task | None:
    return _task.get()


@contextmanager
def track(label: str, total: int, display: Display | None = None, *, least: int = 1) -> Iterator[Task | None]:
    """A task of `total` requests while the block runs; calls inside an open task count into it
    (the planner's task holds both of its Model calls). Fewer than `least` requests: no task."""
    outer = _task.get()
    if outer is not None:
        yield outer
        return
    if total < least:
        yield None
        return
    task = Task(label, total, display)
    token = _task.set(task)
    finished = False
    try:
        yield task
        finished = True
    finally:
        _task.reset(token)
        task.end(finished)


def advance(n: int = 1, *, cached: bool = False) -> None:
    """`n` more requests of the current task are answered (`cached`: from the response cache)."""
    task = _task.get()
    if task is not None:
        task.advance(n, cached=cached)


@contextmanager
def paused() -> Iterator[None]:
    """The block (loading a model) is not work on requests: it is left out of the rate."""
    task = _task.get()
    if task is not None:
        task.pause()
    try:
        yield
    finally:
        if task is not None:
            task.resume()


def say(message: str) -> None:
    """A line for the user: through the session's terminal when a model loads under the plugin,
    else on stderr (the command line, a script)."""
    speaker = _speaker.get()
    if speaker is not None:
        speaker(message)
    else:
        print(f"[pytest-emergent] {message}", file=sys.stderr, flush=True)


@contextmanager
def speaking(to: Callable[[str], None]) -> Iterator[None]:
    """`say` inside the block goes to `to`."""
    token = _speaker.set(to)
    try:
        yield
    finally:
        _speaker.reset(token)
