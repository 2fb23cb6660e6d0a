"""Model output and capability ids are untrusted text: each report format gets its own escaping.

An output can hold anything a model writes: markup, backticks, control characters, a newline
followed by `::error::`. Every writer passes such text through the function for its format:

- `terminal`: control and format characters shown as escapes, on one line (`ledger.show.visible`);
- `html`: markup escaped, control characters (but newlines and tabs) shown as escapes;
- `markdown`: for a table cell: no markup, no line break, no code span to break out of;
- `xml`: characters XML 1.0 forbids (ESC and the other C0 controls) written as `#x1B`, as pytest's
  own JUnit writer does, so the file stays well-formed.
"""

from __future__ import annotations

import html as _html
import re
import unicodedata
from typing import Any

from ..ledger.show import visible

_HIDDEN = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_MARKDOWN = re.compile(r"([\\`*_\[\]|~])")


def terminal(text: Any, limit: int | None = 300) -> str:
    return visible(text, limit)


def _show_controls(text: str, keep: str = "\n\t") -> str:
    out = []
    for char in text:
        if char not in keep and unicodedata.category(char) in _HIDDEN:
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(char)
    return "".join(out)


def html(text: Any) -> str:
    """Text for an HTML element or attribute: markup escaped, control characters visible."""
    return _html.escape(_show_controls("" if text is None else str(text)), quote=True)


def markdown(text: Any) -> str:
    """Text for a Markdown table cell: markup characters escaped, `<` and `&` as entities, one line."""
    flat = _show_controls("" if text is None else str(text), keep="").replace("\\x0a", " ").replace("\\x0d", " ")
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN.sub(r"\\\1", flat)


def markdown_code(text: Any) -> str:
    """An id shown as code in Markdown: an HTML code element, so no backtick in it can end the span."""
    return f"<code>{markdown(text)}</code>"


def xml(text: Any) -> str:
    """Text that XML 1.0 accepts: forbidden characters written as `#xNN`."""
    return _XML_ILLEGAL.sub(lambda m: f"#x{ord(m.group()):02X}", "" if text is None else str(text))
