"""How often the ledger calls a false regression, and how often it catches a true one.

Replays checkpoint pairs through `assign_changes` (the simulation of `tests/ledger/simulation.py`):
per pair a baseline checkpoint and the next one, each with `k` capabilities of `n` cases whose
outcomes are drawn independently with a known pass probability; the threshold is 0.5.

- False regressions: both checkpoints pass each case with probability 0.5 (right at the threshold,
  where statuses flip most). Printed: the share of runs with at least one `regressed` (the
  family-wise error the correction controls), and the share of results whose status flipped.
- Power: one capability drops from 0.65 to 0.35 (a drop of 0.3 across the threshold), the
  others (if any) stay at 0.5. Printed: the share of pairs in which it is called `regressed`.

Each for the three ways evidence reaches the ledger (paired cases: exact McNemar; different case
ids: Fisher; score, stderr and n only: z test) and the corrections. Seeded; about a minute.

Run: .venv/bin/python bench/significance_simulation.py [--pairs 1000]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from ledger.simulation import simulate  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=1000)
    args = parser.parse_args(argv)
    print(f"{args.pairs} checkpoint pairs per row, threshold 0.5, α = 0.05")
    print(f"{'mode':9} {'correction':10} {'n':>4} {'k':>3}  {'false-regression runs':>21}  {'flipped':>7}  "
          f"{'0.65→0.35 caught':>16}")
    for mode in ("paired", "unpaired", "stderr"):
        for correction in ("holm", "bh", "none"):
            for n, k in ((20, 5), (50, 1), (50, 5), (200, 5)):
                null = simulate([0.5] * k, [0.5] * k, n=n, pairs=args.pairs, mode=mode, correction=correction, seed=11)
                drop = simulate([0.65] + [0.5] * (k - 1), [0.35] + [0.5] * (k - 1), n=n, pairs=args.pairs, mode=mode,
                                correction=correction, seed=12)
                print(f"{mode:9} {correction:10} {n:4} {k:3}  {null.runs_with_a_regression:21.3f}  {null.flipped:7.3f}  "
                      f"{drop.first_regressed:16.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
