from __future__ import annotations

import pytest

from pytest_emergent.progress import task as task_module


class Clock:
    """The progress clock, moved by hand: progress is asserted by counts, never by wall time."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self) -> float:
        return self.seconds


class Screen:
    """A terminal that keeps what it was given: whole lines, and raw writes of the live line."""

    def __init__(self, mode: str = "lines", width: int = 100):
        self._mode, self._width = mode, width
        self.lines: list[str] = []
        self.writes: list[str] = []
        self.events: list[tuple[str, str]] = []

    def mode(self) -> str:
        return self._mode

    def width(self) -> int:
        return self._width

    def line(self, text: str) -> None:
        self.lines.append(text)
        self.events.append(("line", text))

    def overwrite(self, text: str) -> None:
        self.writes.append(text)
        self.events.append(("write", text))


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(task_module, "now", clock)
    return clock


@pytest.fixture
def screen_of():
    return Screen
