"""Run model-written Python in a separate process with a time limit (a full sandbox comes with specs)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    ok: bool
    error: str


def run_python(source: str, *, timeout: float = 10.0) -> Outcome:
    """Run `source` with `python -I` in an empty temporary folder; a timeout counts as a failure."""
    with tempfile.TemporaryDirectory(prefix="emergent-code-") as folder:
        path = os.path.join(folder, "candidate.py")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(source)
        try:
            done = subprocess.run([sys.executable, "-I", path], cwd=folder, capture_output=True, text=True,
                                  timeout=timeout, env={"PATH": os.environ.get("PATH", "")})
        except subprocess.TimeoutExpired:
            return Outcome(False, f"timed out after {timeout:g} s")
    if done.returncode != 0:
        return Outcome(False, (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1])
    return Outcome(True, "")
