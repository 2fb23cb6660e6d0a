"""Every regression the ledger calls on the public OPT and BLOOM lm-eval results is a significant drop.

Data: `../shared/data/lm-eval-results` (lm-evaluation-harness ≤ 0.3 results files of OPT 125M–66B and
BLOOM 560M–7B1, every task with its `acc_stderr`). For each threshold, every file is imported into
a fresh ledger with `emergent import --threshold T`, smallest model first, so each size is
compared with the next smaller one of its family.

Printed, per threshold and correction (Holm, as `emergent import` decides; none, the same runs
re-decided without a correction, to show calls the family-wise control holds back): every pass → fail flip between consecutive sizes with both scores, their
standard errors, z = (before − after) / √(se₁² + se₂²), the change the ledger called and its
adjusted p-value; then the counts, and what the old rule (every flip is a regression) would have
called. The check at the end: every `regressed` is a drop with adjusted p ≤ α. The standard error
is the result's `stderr` where the import keeps it, else the `<metric>_stderr` of its metrics.

Run: .venv/bin/python bench/lmeval_regressions.py [DATA_DIR] [--thresholds 0.3 0.4 0.5 0.6] [--alpha 0.05]
     [--corrections holm bh none]
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import io
import math
import sys
import tempfile
from pathlib import Path

from pytest_emergent.cli import main as emergent
from pytest_emergent.ledger import Ledger, assign_changes
from pytest_emergent.ledger.evidence import result_stderr
from pytest_emergent.ledger.imports.common import params_from_name
from pytest_emergent.significance import CORRECTIONS

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "lm-eval-results"


def files_by_size(folder: Path) -> list[Path]:
    files = sorted(folder.glob("*/*.json"), key=lambda p: (p.parent.name, params_from_name(p.stem) or math.inf))
    return [f for f in files if f.parent.name in ("opt", "bloom")]


def flips(runs: list[dict]) -> list[dict]:
    """Every result whose status flipped against its baseline, with what the comparison needs."""
    out = []
    by_run = {run["run_id"]: run for run in runs}
    for run in runs:
        for result in run["results"]:
            base = result.get("baseline")
            if not base or base["status"] == result["status"]:
                continue
            before = next(r for r in by_run[base["run_id"]]["results"] if r["capability"] == result["capability"])
            se_before, se_now = result_stderr(before), result_stderr(result)
            z = (before["score"] - result["score"]) / math.hypot(se_before, se_now) if se_before and se_now else None
            out.append({"task": result["capability"].removeprefix("lm-eval/"), "family": run["models"][0]["family"],
                        "from": base["model"], "to": result["model"], "before": before["score"], "after": result["score"],
                        "se_before": se_before, "se_after": se_now, "z": z, "change": result["change"],
                        "drop": base["status"] == "pass",
                        "p_adjusted": (result.get("significance") or {}).get("p_adjusted")})
    return out


def redecided(runs: list[dict], alpha: float, correction: str) -> list[dict]:
    """The same runs with their changes decided again under another correction."""
    copies = copy.deepcopy(runs)
    for run in copies:
        assign_changes(run, [r for r in copies if r is not run], alpha=alpha, correction=correction)
    return copies


def report(threshold: float, correction: str, rows: list[dict], alpha: float) -> bool:
    drops = [r for r in rows if r["drop"]]
    rises = [r for r in rows if not r["drop"]]
    print(f"\n== threshold {threshold:g}, correction {correction}: {len(drops)} pass → fail flips, "
          f"{len(rises)} fail → pass flips")
    print(f"{'task':40} {'sizes':22} {'before':>14} {'after':>14} {'z':>6}  change        adj. p")
    for r in sorted(drops, key=lambda r: (r["change"] != "regressed", -(r["z"] or 0))):
        sizes = f"{r['from']}→{r['to'].split('-', 1)[-1]}"
        p = "-" if r["p_adjusted"] is None else f"{r['p_adjusted']:.2g}"
        print(f"{r['task'][:40]:40} {sizes:22} {r['before']:.3f}±{r['se_before']:.3f} {r['after']:.3f}±"
              f"{r['se_after']:.3f} {r['z']:6.2f}  {r['change']:13} {p}")
    regressed = [r for r in drops if r["change"] == "regressed"]
    noise = [r for r in drops if r["change"] == "within-noise"]
    small = [r for r in drops if r["z"] is not None and r["z"] < 2]
    lit = sum(r["change"] == "lit-up" for r in rises)
    print(f"old rule (every flip): {len(drops)} regressed, {len(rises)} lit up; of the drops {len(small)} are under two "
          f"standard errors of the difference")
    print(f"evidence rule: {len(regressed)} regressed, {len(noise)} within noise; {lit} lit up, "
          f"{sum(r['change'] == 'within-noise' for r in rises)} rises within noise")
    bad = [r for r in regressed if r["p_adjusted"] is None or r["p_adjusted"] > alpha or r["z"] is None or r["z"] <= 0]
    for r in bad:
        print(f"NOT SIGNIFICANT but regressed: {r}")
    if regressed:
        print(f"smallest z among the regressions: {min(r['z'] for r in regressed):.2f}")
    return not bad


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", type=Path, default=DATA)
    parser.add_argument("--thresholds", nargs="+", type=float, default=[0.3, 0.4, 0.5, 0.6])
    parser.add_argument("--alpha", type=float, default=0.05)
    parser.add_argument("--corrections", nargs="+", choices=CORRECTIONS, default=["holm", "none"],
                        help="holm: as `emergent import` decides; the others re-decide the same runs")
    args = parser.parse_args(argv)
    files = files_by_size(args.data)
    if not files:
        print(f"no OPT or BLOOM lm-eval files under {args.data}", file=sys.stderr)
        return 2
    print(f"{len(files)} files: " + ", ".join(f.stem for f in files))
    ok = True
    for threshold in args.thresholds:
        with tempfile.TemporaryDirectory() as ledger:
            with contextlib.redirect_stdout(io.StringIO()):
                emergent(["import", *map(str, files), "--threshold", str(threshold), "--ledger", ledger])
            runs = Ledger(ledger).runs()
            for correction in args.corrections:
                decided = runs if correction == "holm" and args.alpha == 0.05 else \
                    redecided(runs, args.alpha, correction)
                ok &= report(threshold, correction, flips(decided), args.alpha)
    print("\nevery regression called is a significant drop" if ok else "\nSOME REGRESSIONS ARE NOT SIGNIFICANT")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
