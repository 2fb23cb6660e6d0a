"""The hooks module stays light: `pytest --version` and plain runs never import torch."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys, pytest
code = pytest.main({args!r})
print("HEAVY:" + ",".join(m for m in ("torch", "transformers") if m in sys.modules))
"""


def heavy_modules(args: list[str], cwd) -> str:
    out = subprocess.run([sys.executable, "-c", PROBE.format(args=args)], capture_output=True, text=True, cwd=cwd,
                         timeout=120)
    line = next(line for line in out.stdout.splitlines() if line.startswith("HEAVY:"))
    return line.removeprefix("HEAVY:")


def test_pytest_version_does_not_import_torch(tmp_path):
    assert heavy_modules(["--version"], tmp_path) == ""


def test_a_run_without_capabilities_does_not_import_torch(tmp_path):
    (tmp_path / "test_plain.py").write_text("def test_plain():\n    assert True\n")
    assert heavy_modules(["-q", "-p", "no:cacheprovider"], tmp_path) == ""


def test_the_plugin_is_registered_under_its_entry_point_name(tmp_path):
    out = subprocess.run([sys.executable, "-m", "pytest", "--help"], capture_output=True, text=True, cwd=tmp_path,
                         timeout=120)
    assert "--emergent-model" in out.stdout and "emergent_tiers" in out.stdout
