"""Text screenshots of what a user reads, at 80 and 120 columns: the demo's matrix, `emergent
history` and `emergent forecast`, on the demo's ledger and on the public OPT/BLOOM lm-eval results.

    .venv/bin/python bench/screenshots.py [--out docs/screenshots]

Run `make demo` first: the matrix comes from a re-run of the demo's suite, answered by its
response cache (seconds) and recorded in a scratch ledger, not the demo's.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EMERGENT = [sys.executable, "-m", "pytest_emergent.cli"]
DATA = ROOT.parent / "shared" / "data" / "lm-eval-results"


def run(command: list[str], width: int, cwd: Path = ROOT) -> str:
    env = {**os.environ, "COLUMNS": str(width), "HF_HUB_OFFLINE": "1", "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    shown = ["emergent", *command[3:]] if command[:3] == EMERGENT else ["pytest", *command[3:]]
    return f"$ {' '.join(shown)}\n{done.stdout}{done.stderr}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="emergent-shots-"))
    demo_ledger = Path(".emergent")  # relative to ROOT, where the commands run
    public = scratch / "public"
    if DATA.is_dir():
        subprocess.run([*EMERGENT, "import", str(DATA / "opt"), str(DATA / "bloom"), "--tau", "0.25",
                        "--ledger", str(public)], check=True, capture_output=True)
    for width in (80, 120):
        matrix = run([sys.executable, "-m", "pytest", "examples", "capability_specs", "-p", "no:cacheprovider", "-q",
                      "--emergent-model", "smollm2-135m", "--emergent-model", "gemma3-270m",
                      f"--emergent-ledger={scratch / f'ledger-{width}'}"], width)
        matrix = matrix[matrix.index("=" * 10):] if "=" * 10 in matrix else matrix  # from the report on
        (out / f"matrix-{width}.txt").write_text(matrix)
        shots = [run([*EMERGENT, "history", "--ledger", str(demo_ledger)], width),
                 run([*EMERGENT, "forecast", "--ledger", str(demo_ledger)], width)]
        if public.is_dir():
            shots += [run([*EMERGENT, "history", "lm-eval/arc*", "--last", "5", "--ledger", str(public)], width),
                      run([*EMERGENT, "forecast", "--ledger", str(public)], width)]
        (out / f"history-forecast-{width}.txt").write_text("\n".join(shots).replace(str(scratch), "$TMP"))
        longest = max(len(line) for f in (f"matrix-{width}.txt", f"history-forecast-{width}.txt")
                      for line in (out / f).read_text().splitlines())
        print(f"{width} columns: widest line {longest}")
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
