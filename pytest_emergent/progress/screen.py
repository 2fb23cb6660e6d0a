"""pytest's terminal reporter as a `Screen`: written with the output capture suspended, so the
plugin's lines reach the terminal and never a test's captured output."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from .terminal import PREFIX, mode_for


class ReporterScreen:
    """The terminal of a pytest session (`config`); nothing on a pytest-xdist worker, whose
    output no one sees (the controller shows its results)."""

    def __init__(self, config: Any, worker: bool):
        self.config, self.worker = config, worker

    def _reporter(self) -> Any:
        return None if self.worker else self.config.pluginmanager.getplugin("terminalreporter")

    @contextmanager
    def _uncaptured(self) -> Iterator[Any]:
        reporter = self._reporter()
        capman = self.config.pluginmanager.getplugin("capturemanager")
        with capman.global_and_fixture_disabled() if capman is not None else nullcontext():
            reporter.ensure_newline()  # not at the end of a line of pytest's progress dots
            yield reporter

    def mode(self) -> str:
        reporter = self._reporter()
        if reporter is None:
            return "off"
        return mode_for(int(self.config.get_verbosity()), bool(reporter.isatty()))

    def width(self) -> int:
        reporter = self._reporter()
        return int(getattr(getattr(reporter, "_tw", None), "fullwidth", 80))

    def line(self, text: str) -> None:
        if self._reporter() is not None:
            with self._uncaptured() as reporter:
                reporter.write_line(PREFIX + text)

    def overwrite(self, text: str) -> None:
        if self._reporter() is not None:
            with self._uncaptured() as reporter:
                reporter.write(text, flush=True)
