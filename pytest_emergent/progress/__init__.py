"""What the user sees of long model work while tests run, past pytest's output capture.

Model work (a model's YAML items planned together, a long list asked by a Python test) is a
`Task`: requests done of a total, the rate, the time left. Backends count requests as their
batches finish with `advance(n)`; they import nothing of the plugin. The plugin shows the
current task on the terminal (`TerminalProgress`); the libraries' own progress bars, which
would land in a test's captured output, are turned off while a model loads (`quiet_library_bars`).
"""

from __future__ import annotations

from .bars import quiet_library_bars
from .current import Display, advance, current, paused, say, speaking, track
from .task import Task
from .terminal import PREFIX, TerminalProgress, mode_for

__all__ = ["PREFIX", "Display", "Task", "TerminalProgress", "advance", "current", "mode_for", "paused",
           "quiet_library_bars", "say", "speaking", "track"]
