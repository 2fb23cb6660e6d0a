from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def spec_file(pytester: pytest.Pytester):
    """Write capability_specs/<name>.yaml in the pytester folder."""

    def write(name: str, text: str) -> Path:
        path = pytester.path / "capability_specs" / f"{name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write
