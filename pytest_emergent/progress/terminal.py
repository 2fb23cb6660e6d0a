"""The current task on pytest's terminal: one line rewritten in place, or a few plain lines.

| mode | when | what |
|---|---|---|
| `live` | a terminal, default verbosity or `-v` | one line rewritten in place, at most 4 times a second; at the end, the end line in its place |
| `lines` | output to a file or a CI log | a line when the task has run 2 s, then one each 10% of the requests but at most one every 30 s; the end line |
| `ends` | `-q` | the first line (total, rate, time left) and the end line |
| `off` | `-qq`, a pytest-xdist worker, no terminal | nothing |

A task that ends within 2 s shows nothing (a cached re-run stays as quiet as before). The live
line is erased before any other line of the plugin is written, and the task always ends with a
whole line, so pytest never writes after half a line of ours.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .task import Task

PREFIX = "[pytest-emergent] "
DELAY = 2.0  # seconds a task runs before it shows
REDRAW = 0.25  # seconds between two drawings of the live line
SHARE = 0.10  # without a terminal: a line each 10% of the requests...
SPACING = 30.0  # ...and no more often than every 30 s


def mode_for(verbosity: int, tty: bool) -> str:
    """`live`, `lines`, `ends` or `off` (see the table above)."""
    if verbosity <= -2:
        return "off"
    if verbosity == -1:
        return "ends"
    return "live" if tty else "lines"


class Screen(Protocol):
    """pytest's terminal, written past the output capture."""

    def mode(self) -> str: ...

    def width(self) -> int: ...

    def line(self, text: str) -> None:
        """`PREFIX + text` on a line of its own."""

    def overwrite(self, text: str) -> None:
        """Raw text at the cursor, no newline (the live line), on a line pytest is not writing on."""


@dataclass
class _Shown:
    at: float  # the task's clock when it was last shown
    done: int  # its requests done then


class TerminalProgress:
    """A `Display` for tasks on a Screen."""

    def __init__(self, screen: Screen):
        self.screen = screen
        self._shown: dict[int, _Shown] = {}
        self._live = 0  # the width of the live line on screen; 0 when there is none

    def update(self, task: Task) -> None:
        mode = self.screen.mode()
        if mode == "off" or task.done >= task.total or task.wall < DELAY:
            return  # the end line follows at once
        now, shown = task.clock(), self._shown.get(id(task))
        if mode == "live":
            if shown is not None and now - shown.at < REDRAW:
                return
            self._draw(task.text())
        elif shown is None:
            self.line(task.text())
        elif mode == "lines" and task.done - shown.done >= SHARE * task.total and now - shown.at >= SPACING:
            self.line(task.text())
        else:
            return
        self._shown[id(task)] = _Shown(now, task.done)

    def end(self, task: Task, finished: bool) -> None:
        shown = self._shown.pop(id(task), None)
        if self.screen.mode() != "off" and (shown is not None or task.wall >= DELAY):
            self.line(task.summary(finished))
        else:
            self.clear()

    def line(self, text: str) -> None:
        """A line of the plugin: the live line gives way to it (and comes back at the next step)."""
        self.clear()
        self.screen.line(text)

    def clear(self) -> None:
        if self._live:
            self.screen.overwrite("\r" + " " * self._live + "\r")
            self._live = 0

    def _draw(self, text: str) -> None:
        text = (PREFIX + text)[: max(20, self.screen.width() - 1)]  # a wrapped line cannot be rewritten
        self.screen.overwrite("\r" + text + " " * max(0, self._live - len(text)))
        self._live = len(text)
