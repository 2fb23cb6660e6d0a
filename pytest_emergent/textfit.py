"""Plain-text tables that fit a terminal: a label column, then value columns in blocks.

A table too wide for its terminal is cut into blocks of value columns, each printed under the
same label column; labels longer than the room left are shortened in the middle, so both the
start (the family, the file) and the end (the case, the parameter) of an id stay readable.
"""

from __future__ import annotations

import shutil
import unicodedata

GAP = 2  # spaces between columns
MIN_LABEL = 16  # a label column is never shortened below this


def width_of(text: str) -> int:
    """Columns `text` takes on a terminal (wide characters count twice, combining marks not at all)."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - width_of(text))


def shorten(text: str, width: int) -> str:
    """`text` in at most `width` columns: its middle replaced by "…" when it is longer."""
    if width_of(text) <= width:
        return text
    if width <= 1:
        return "…"[:width]
    keep = width - 1
    head, tail = text[: (keep + 1) // 2], text[len(text) - keep // 2:] if keep // 2 else ""
    while width_of(head) + width_of(tail) > keep and (head or tail):  # wide characters
        head, tail = (head[:-1], tail) if width_of(head) >= width_of(tail) else (head, tail[1:])
    return f"{head}…{tail}"


def wrap(text: str, width: int | None, indent: str = "    ") -> list[str]:
    """`text` as lines of at most `width` columns, broken at spaces; lines after the first start
    with `indent`. A word longer than a line stays whole (ids and paths are not cut)."""
    if width is None or width_of(text) <= width:
        return [text]
    lead = text[: len(text) - len(text.lstrip(" "))]
    lines: list[str] = []
    line = lead
    for word in text[len(lead):].split(" "):
        if not word:
            continue
        joined = f"{line} {word}" if line.strip() else f"{line}{word}"
        if width_of(joined) <= width or not line.strip():
            line = joined
        else:
            lines.append(line)
            line = f"{indent}{word}"
    lines.append(line)
    return lines


def terminal_width(default: int = 80) -> int:
    """The terminal's columns (COLUMNS wins, as for every program); `default` when unknown."""
    return shutil.get_terminal_size((default, 24)).columns


def fits(label_width: int, widths: list[int], width: int | None) -> bool:
    return width is None or label_width + sum(GAP + w for w in widths) <= width


def blocks(label_width: int, widths: list[int], width: int | None) -> list[list[int]]:
    """Value columns, in order, packed into blocks that fit beside the label column (one at least)."""
    if width is None:
        return [list(range(len(widths)))] if widths else []
    out: list[list[int]] = []
    used = label_width
    for i, w in enumerate(widths):
        if out and used + GAP + w <= width:
            out[-1].append(i)
            used += GAP + w
        else:
            out.append([i])
            used = label_width + GAP + w
    return out


def _label_room(label_width: int, widths: list[int], width: int) -> int:
    """The widest label column (up to `label_width`) that needs no more blocks than the narrowest
    allowed one: shortening labels is worth it only where it saves a block."""
    narrowest = max(MIN_LABEL, min(label_width, width // 3))
    if label_width + GAP + max(widths) > width:
        label_width = max(narrowest, width - GAP - max(widths))
    fewest = len(blocks(min(narrowest, label_width), widths, width))
    while label_width > narrowest and len(blocks(label_width, widths, width)) > fewest:
        label_width -= 1
    return label_width


def render(header: list[tuple[str, list[str]]], rows: list[tuple[str, list[str]]], width: int | None,
           rule: bool = False) -> list[list[str]]:
    """The table as blocks of lines: `header` and `rows` are (label, values) with one value per
    column. Labels are shortened if the widest column would not fit beside them; columns go in
    blocks. `rule` draws a line under the header. Lines carry no trailing spaces."""
    count = len(header[0][1]) if header else len(rows[0][1]) if rows else 0
    every = [*header, *rows]
    widths = [max((width_of(values[i]) for _, values in every), default=0) for i in range(count)]
    label_width = max((width_of(label) for label, _ in every), default=0)
    if width is not None and widths:
        label_width = _label_room(label_width, widths, width)
    out = []
    for block in blocks(label_width, widths, width):
        lines = []
        for label, values in every:
            cells = [pad(shorten(label, label_width), label_width), *(pad(values[i], widths[i]) for i in block)]
            lines.append((" " * GAP).join(cells).rstrip())
        if rule and header:
            lines.insert(len(header), "-" * max(width_of(line) for line in lines))
        out.append(lines)
    return out


def _suffixes(ident: str) -> list[str]:
    """Shorter to longer tails of a Python test id, cut after a "::" or a "/" of its path; an id
    without "::" (a YAML capability, an imported series) is only itself."""
    if "::" not in ident:
        return [ident]
    path, _, rest = ident.partition("::")
    cuts = [len(path) + 2 + i + 2 for i in range(len(rest)) if rest.startswith("::", i)]  # inside the test part
    cuts = sorted(set(cuts), reverse=True) + [len(path) + 2]
    cuts += [i + 1 for i in range(len(path) - 1, -1, -1) if path[i] == "/"]
    tails = [ident[cut:] for cut in cuts if "[" not in ident[:cut] or ident.index("[") > cut]
    return [*dict.fromkeys(t for t in tails if t), ident]


def short_ids(idents: list[str]) -> dict[str, str]:
    """Each id's shortest tail that no other id shows: `test_essay.py::test_qa[x]` is `test_qa[x]`,
    unless another file has a `test_qa[x]` too."""
    options = {ident: _suffixes(ident) for ident in dict.fromkeys(idents)}
    level = dict.fromkeys(options, 0)
    while True:
        shown: dict[str, list[str]] = {}
        for ident, tails in options.items():
            shown.setdefault(tails[level[ident]], []).append(ident)
        bumped = False
        for same in shown.values():
            if len(same) > 1:
                for ident in same:
                    if level[ident] < len(options[ident]) - 1:
                        level[ident] += 1
                        bumped = True
        if not bumped:
            return {ident: tails[level[ident]] for ident, tails in options.items()}
