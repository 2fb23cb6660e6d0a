"""JUnit XML completed once the run is compared: every `emergent_*` property, and regressions as failures.

A test case's properties are written as it finishes, before the run is compared with its
baseline; the change and the baseline are only known at the end of the session. So after
pytest writes the file, each test case's `emergent_*` properties are replaced by the full set
from the run's final results, and a regressed case below its declared scale (which pytest
wrote as a skipped xfail) becomes a `<failure>`: a regression fails the run whatever the scale,
and test-report tools must show it. Values are made well-formed XML (`report.escape.xml`).
"""

from __future__ import annotations

import os
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from .report.escape import xml
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
    for suite in tree.iter("testsuite"):
        for case in suite.findall("testcase"):
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
                ET.SubElement(holder, "property", name=name, value=xml(value))
            if result.get("change") == "regressed":
                _as_failure(suite, case, result)
            changed += 1
    if changed:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        os.close(handle)
        tree.write(temporary, encoding="utf-8", xml_declaration=True)
        os.replace(temporary, path)
    return changed


def _count(suite: ET.Element, name: str, delta: int) -> None:
    if suite.get(name) is not None:
        suite.set(name, str(max(0, int(suite.get(name) or 0) + delta)))


def _as_failure(suite: ET.Element, case: ET.Element, result: dict[str, Any]) -> None:
    """A regressed case is a failure in JUnit, even where pytest showed it as an expected failure."""
    if case.find("failure") is not None or case.find("error") is not None:
        return
    skipped = case.find("skipped")
    if skipped is not None:
        case.remove(skipped)
        _count(suite, "skipped", -1)
    base = result.get("baseline") or {}
    failure = ET.SubElement(case, "failure", message=xml(
        f"regressed: {result.get('capability')} on {result.get('model')} fails now and passed on "
        f"{base.get('model')} (run {base.get('run_id')})"))
    failure.text = xml(result.get("change_note") or "")
    _count(suite, "failures", 1)
