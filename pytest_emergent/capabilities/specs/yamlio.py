"""Safe YAML reading that remembers where each key and item came from.

Errors in a spec should point at a line; `yaml.safe_load` forgets lines, so mappings and
sequences are built as small dict/list subclasses carrying them. Aliases may share a node many
times over (a "billion laughs" file); a document whose values, counted through its aliases,
exceed MAX_VALUES is refused before anything walks it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

MAX_VALUES = 1_000_000


class SpecError(Exception):
    """A broken spec file: names the file, the entry, the field and what was expected."""

    def __init__(self, file: str, message: str, *, entry: str | None = None, field: str | None = None,
                 line: int | None = None):
        self.file, self.entry, self.field, self.line, self.message = file, entry, field, line, message
        super().__init__(self.render())

    def render(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        parts = [where]
        if self.entry:
            parts.append(f"entry {self.entry!r}")
        if self.field:
            parts.append(f"field {self.field!r}")
        return ": ".join(parts) + f": {self.message}"


class MarkedMap(dict):
    """A mapping that knows its own line and the line of each key (1-based)."""

    line: int | None = None

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.lines: dict[Any, int] = {}


class MarkedList(list):
    """A sequence that knows its own line and the line of each item (1-based)."""

    line: int | None = None

    def __init__(self, *args: Any):
        super().__init__(*args)
        self.lines: list[int] = []


class _Loader(yaml.SafeLoader):
    """SafeLoader building MarkedMap/MarkedList and refusing duplicate keys."""


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> MarkedMap:
    loader.flatten_mapping(node)
    out = MarkedMap()
    out.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(None, None, "a mapping key must be a plain value",
                                                    key_node.start_mark) from None
        if key in out:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = key_node.start_mark.line + 1
    return out


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> MarkedList:
    out = MarkedList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.lines = [child.start_mark.line + 1 for child in node.value]
    return out


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """How many values `node` holds once every alias is followed (each shared node counted once per use)."""
    known = sizes.get(id(node))
    if known is not None:
        return known
    sizes[id(node)] = 1  # a node that contains itself counts once; YAML's recursive aliases end here
    if isinstance(node, yaml.SequenceNode):
        size = 1 + sum(_expanded_size(child, sizes) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        size = 1 + sum(_expanded_size(k, sizes) + _expanded_size(v, sizes) for k, v in node.value)
    else:
        size = 1
    sizes[id(node)] = size
    return size


def _parse(text: str) -> Any:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        size = _expanded_size(node, {})
        if size > MAX_VALUES:
            raise yaml.YAMLError(f"its aliases expand to {size:,} values, more than {MAX_VALUES:,}; write the values "
                                 "out, or keep large data in a data: file")
        return loader.construct_document(node)
    finally:
        loader.dispose()


def load_yaml(path: Path, shown: str) -> Any:
    """Parse one YAML file safely; a syntax error becomes a SpecError with its line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(shown, f"cannot read the file: {exc}") from None
    try:
        return _parse(text)  # _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise SpecError(shown, f"invalid YAML: {problem}", line=mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise SpecError(shown, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise SpecError(shown, "invalid YAML: nested too deeply to be read") from None


def line_of(container: Any, key: Any = None) -> int | None:
    """The line of `key` in a marked container, else of the container itself."""
    lines = getattr(container, "lines", None)
    if key is not None and lines is not None:
        if isinstance(lines, dict) and key in lines:
            return lines[key]
        if isinstance(lines, list) and isinstance(key, int) and 0 <= key < len(lines):
            return lines[key]
    return getattr(container, "line", None)
