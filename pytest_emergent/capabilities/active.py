"""The pytest session running in this process, for the functions tests call at module level.

`record_score`, `record_case` and `draw` cannot be handed the session (a test calls them like
any function, `draw` even while its module is imported), so they find it here. The session
(the plugin's state object) enters when pytest configures it and leaves when pytest is done
with it; pytester's in-process runs nest one session inside another, so this is a stack.
Everything else the session owns hangs off that one object.
"""

from __future__ import annotations

from typing import Any

_running: list[Any] = []


def enter(session: Any) -> None:
    _running.append(session)


def leave(session: Any) -> None:
    if session in _running:
        _running.remove(session)


def session() -> Any | None:
    """The innermost running session, or None outside pytest."""
    return _running[-1] if _running else None
