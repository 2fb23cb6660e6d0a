"""One piece of model work, counted as it goes: requests done of a total, the rate, the time left."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

Clock = Callable[[], float]


def now() -> float:
    """The clock every task reads (tests replace it: progress is asserted by counts, never by wall time)."""
    return time.monotonic()


class Display(Protocol):
    """Where a task shows itself: told of every step, and of the end."""

    def update(self, task: Task) -> None: ...

    def end(self, task: Task, finished: bool) -> None: ...


class Task:
    """`total` requests to one model (`label`). Requests answered from the response cache count as
    done but not in the rate: they cost nothing, and would make the time left look shorter than it is.
    Time spent loading the model (`pause`/`resume`) is left out of the rate too."""

    def __init__(self, label: str, total: int, display: Display | None = None, clock: Clock | None = None):
        self.label, self.total, self.display = label, max(0, total), display
        self.clock = clock or now
        self.done = self.cached = 0
        self.started = self.clock()
        self.paused_seconds = 0.0
        self._paused_at: float | None = None

    def advance(self, n: int = 1, *, cached: bool = False) -> None:
        n = max(0, min(n, self.total - self.done))  # a backend that counts twice never passes the total
        if not n:
            return
        self.done += n
        if cached:
            self.cached += n
        if self.display is not None:
            self.display.update(self)

    def reach(self, done: int) -> None:
        """At least `done` requests are answered (what a backend that does not count has done)."""
        self.advance(done - self.done)

    def pause(self) -> None:
        if self._paused_at is None:
            self._paused_at = self.clock()

    def resume(self) -> None:
        if self._paused_at is not None:
            self.paused_seconds += self.clock() - self._paused_at
            self._paused_at = None

    def end(self, finished: bool) -> None:
        self.resume()
        if self.display is not None:
            self.display.end(self, finished)

    # -- what it shows -----------------------------------------------------------------------
    @property
    def wall(self) -> float:
        """Seconds since the task started, loading included."""
        return self.clock() - self.started

    @property
    def working(self) -> float:
        """Seconds of work: since the start, without the pauses."""
        paused = self.paused_seconds + (self.clock() - self._paused_at if self._paused_at is not None else 0.0)
        return max(0.0, self.wall - paused)

    @property
    def rate(self) -> float | None:
        """Requests computed per second (cached ones left out); None before the first."""
        worked, seconds = self.done - self.cached, self.working
        return worked / seconds if worked > 0 and seconds > 0 else None

    @property
    def eta(self) -> float | None:
        """Seconds left at the rate so far; None while there is no rate."""
        rate = self.rate
        return (self.total - self.done) / rate if rate else None

    def text(self) -> str:
        """`smollm2-135m: 340/1200 requests, 12.3/s, ETA 1m10s`."""
        parts = [f"{self.label}: {self.done}/{self.total} requests"]
        if self.rate is not None:
            parts.append(rate_text(self.rate))
        if self.eta is not None:
            parts.append(f"ETA {duration(self.eta)}")
        return ", ".join(parts)

    def summary(self, finished: bool) -> str:
        """The end line: `smollm2-135m: 1200 requests in 1m32s (13.0/s)`; a task cut short says where it stopped."""
        if not finished:
            return f"{self.label}: stopped at {self.done}/{self.total} requests after {duration(self.wall)}"
        noun = "request" if self.total == 1 else "requests"
        extras = [rate_text(self.rate)] if self.rate is not None else []
        if self.cached:
            extras.append(f"{self.cached} from the cache")
        return f"{self.label}: {self.total} {noun} in {duration(self.wall)}" + (f" ({', '.join(extras)})" if extras else "")


def rate_text(rate: float) -> str:
    return f"{rate:.1f}/s" if rate >= 1 else f"{rate * 60:.1f}/min"


def duration(seconds: float) -> str:
    """`45s`, `1m10s`, `2h05m`: as precise as a person waiting needs."""
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds // 60 % 60:02d}m"
