"""How long `emergent forecast` takes on a ledger of 400 series (issue 14: under 5 s here).

The ledger is built the way users build theirs: lm-evaluation-harness results files (the ≤0.3
layout of ../shared/data/lm-eval-results), one per model, imported with `emergent import
--threshold 0.5`. Five families of six sizes (125M to 13B) each answer 80 tasks: 400 series of
(family, task), 2,400 results. Each task's accuracy follows a logistic curve in log10(params)
above a chance floor (0, 1/4 or 1/2), with a midpoint, slope and sample count drawn from a fixed
seed and binomial noise on top, so the series mix plateaus, crossings, passing and noisy ones,
as a real sweep does.

Timed: the `emergent` command in a fresh process (what a user waits for: Python start-up,
imports, reading the ledger, fitting, printing), the median of `--repeat` runs, for each of the
command lines given by `--variant` (default: the plain command).

    .venv/bin/python bench/forecast_speed.py [--repeat 3] [--keep DIR] [--variant='' --variant='--json' ...]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
FAMILIES = ("alpha", "bravo", "charlie", "delta", "echo")
SIZES = ("125m", "350m", "1.3b", "2.7b", "6.7b", "13b")
TASKS = 80


def size_of(text: str) -> float:
    return float(text[:-1]) * {"m": 1e6, "b": 1e9}[text[-1]]


def write_files(folder: Path, seed: int = 14) -> list[Path]:
    """One old-layout lm-eval results file per (family, size); returns their paths."""
    rng = np.random.default_rng(seed)
    paths = []
    for family in FAMILIES:
        curves = [(rng.choice([0.0, 0.25, 0.5]), rng.uniform(8.0, 12.5), rng.uniform(0.8, 4.0),
                   int(rng.choice([300, 1000, 3000]))) for _ in range(TASKS)]
        for size in SIZES:
            x = math.log10(size_of(size))
            results = {}
            for t, (chance, midpoint, slope, n) in enumerate(curves):
                rate = chance + (1 - chance) / (1 + math.exp(-slope * (x - midpoint) * math.log(10) / 2))
                acc = rng.binomial(n, rate) / n
                results[f"task_{t:02d}"] = {"acc": acc, "acc_stderr": math.sqrt(max(acc * (1 - acc), 1e-4) / (n - 1))}
            data = {"results": results, "versions": dict.fromkeys(results, 0),
                    "config": {"model": "hf-causal", "model_args": f"pretrained=bench/{family}-{size}",
                               "num_fewshot": 0}}
            path = folder / f"{family}-{size}.json"
            path.write_text(json.dumps(data))
            paths.append(path)
    return paths


def emergent(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "pytest_emergent.cli", *args], capture_output=True, text=True,
                          env=env, timeout=600)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="build the ledger in this folder and keep it")
    parser.add_argument("--variant", action="append", default=[], metavar="ARGS",
                        help="extra arguments of one timed command line, quoted ('--json'); repeatable")
    args = parser.parse_args()
    variants = [shlex.split(v) for v in args.variant] or [[]]
    with tempfile.TemporaryDirectory() as scratch:
        root = args.keep or Path(scratch)
        files, ledger = root / "files", root / "ledger"
        files.mkdir(parents=True, exist_ok=True)
        paths = write_files(files)
        done = emergent("import", *map(str, paths), "--threshold", "0.5", "--ledger", str(ledger))
        if done.returncode != 0:
            sys.exit(f"import failed:\n{done.stderr}")
        print(f"ledger: {len(paths)} imported runs, {len(FAMILIES)} families × {TASKS} tasks = "
              f"{len(FAMILIES) * TASKS} series ({ledger})")
        for extra in variants:
            times, out = [], None
            for _ in range(args.repeat):
                started = time.perf_counter()
                out = emergent("forecast", "--ledger", str(ledger), *extra)
                times.append(time.perf_counter() - started)
                if out.returncode != 0:
                    sys.exit(f"forecast failed:\n{out.stderr}")
            assert out is not None
            shown = " ".join(["emergent forecast", *extra])
            print(f"{shown}: median {statistics.median(times):.2f} s over {args.repeat} runs "
                  f"(min {min(times):.2f}, max {max(times):.2f}); {len(out.stdout.splitlines())} lines, "
                  f"widest {max(map(len, out.stdout.splitlines()), default=0)} columns")


if __name__ == "__main__":
    main()
