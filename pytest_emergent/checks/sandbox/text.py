"""The code's output is untrusted text: control characters are escaped before anyone sees it.

A raw ESC rewrites the terminal, a carriage return hides what came before it, a bidi override
reorders what a reviewer reads, and a newline inside a one-line reason starts a line that CI
(GitHub Actions' `::` commands) may act on.
"""

from __future__ import annotations

import re

# C0 and C1 controls (tab and newline are handled by the caller), DEL, zero-width and bidi marks,
# line and paragraph separators, the byte-order mark.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
_LINE_BREAKS = re.compile("[\t\n]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_output(text: str) -> str:
    """Several lines of output: newlines and tabs kept, every other control character escaped."""
    return _UNSAFE.sub(_escape, text)


def escape_line(text: str) -> str:
    """A one-line reason: newlines and tabs escaped too."""
    return _LINE_BREAKS.sub(_escape, escape_output(text))


def decode(data: bytes) -> str:
    return escape_output(data.decode("utf-8", "replace"))
