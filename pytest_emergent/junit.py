"""The `emergent_*` properties of JUnit XML test cases, completed once the run is compared.

A test case's properties are written as it finishes, before the run is compared with its
baseline; the change (`lit-up`, `regressed`) and the baseline are only known at the end of the
session. So after pytest writes the file, each test case's `emergent_*` properties are replaced
by the full set from the run's final results.
"""

from __future__ import annotations

import os
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from .report.github import junit_properties


def complete_junit(path: Path, document: dict[str, Any], prefix: str | None = None) -> int:
    """Rewrite the `emergent_*` properties in `path` from a run document (docs/json-report.md);
    returns how many test cases changed."""
    headers = {m.get("name"): m for m in document.get("models", [])}
    results = [{"model_header": headers.get(r.get("model")), **r} for r in document.get("results", [])]
    try:
        from _pytest.junitxml import mangle_test_address
        tree = ET.parse(path)
    except (ImportError, OSError, ET.ParseError):
        return 0
    wanted: dict[tuple[str, str], dict[str, Any]] = {}
    for result in results:
        if not result.get("nodeid"):
            continue
        names = mangle_test_address(str(result["nodeid"]))
        classnames = ([prefix] if prefix else []) + names[:-1]
        wanted[(".".join(classnames), names[-1])] = result
    changed = 0
    for case in tree.iter("testcase"):
        result = wanted.get((case.get("classname", ""), case.get("name", "")))
        if result is None:
            continue
        holder = case.find("properties")
        if holder is None:
            holder = ET.Element("properties")
            case.insert(0, holder)
        for old in [p for p in holder.findall("property") if str(p.get("name", "")).startswith("emergent_")]:
            holder.remove(old)
        for name, value in junit_properties(result):
            ET.SubElement(holder, "property", name=name, value=value)
        changed += 1
    if changed:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        os.close(handle)
        tree.write(temporary, encoding="utf-8", xml_declaration=True)
        os.replace(temporary, path)
    return changed
