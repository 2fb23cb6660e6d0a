"""Replayed checkpoint pairs with known per-case pass probabilities, judged by the ledger.

Each pair is a baseline checkpoint (step 1000) and the next one (step 2000), each a run whose
capabilities have `n` cases drawn with a known pass probability. Equal probabilities make every
regression a false one; a lower probability after makes every regression a true one. How the
evidence reaches the ledger is the `mode`: `paired` (both runs grade the same case ids: exact
McNemar), `unpaired` (different case ids: Fisher's exact test), `stderr` (no cases, a score with
its standard error and n, as an lm-eval import has: z test).

`bench/significance_simulation.py` prints the rates over more settings.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

from ledger.scenario import header, make_run

from pytest_emergent.ledger import assign_changes, regressions

BEFORE, AFTER = header("sim-step1000", "sim", 1e9, 1000), header("sim-step2000", "sim", 1e9, 2000)


def case(case_id: str, passed: bool) -> dict[str, Any]:
    return {"id": case_id, "passed": passed, "prompt": f"prompt of {case_id}", "output": "yes" if passed else "no",
            "expected": ["yes"], "choices": None, "scores": None, "metrics": {}, "detail": ""}


def graded_run(model, verdicts: dict[str, list[bool]], *, threshold: float = 0.5, minutes: int = 0,
               ids: str = "case", mode: str = "paired", fingerprint: str | None = None,
               weights: dict[str, str] | None = None) -> dict[str, Any]:
    """One run of `model`: per capability, its cases' verdicts; the status is the pass rate against `threshold`."""
    rates = {cap: sum(flags) / len(flags) for cap, flags in verdicts.items()}
    document = make_run([model], {(cap, model.name): ("pass" if rate >= threshold else "fail", rate)
                                  for cap, rate in rates.items()}, minutes=minutes, threshold=threshold, weights=weights)
    for result in document["results"]:
        flags = verdicts[result["capability"]]
        if fingerprint is not None:
            result["fingerprint"] = fingerprint
        if mode == "stderr":
            rate = rates[result["capability"]]
            result["n"], result["stderr"] = len(flags), math.sqrt(rate * (1 - rate) / (len(flags) - 1))
        else:
            result["cases"] = [case(f"{ids}-{i}", ok) for i, ok in enumerate(flags)]
    return document


@dataclass(frozen=True)
class Rates:
    pairs: int
    runs_with_a_regression: float  # share of pairs whose second run has at least one `regressed`
    flipped: float  # share of (pair, capability) whose status flipped pass → fail
    first_regressed: float  # share of pairs in which capability 0 is called regressed


def simulate(p_before: list[float], p_after: list[float], *, n: int = 50, pairs: int = 1000, threshold: float = 0.5,
             mode: str = "paired", correction: str = "holm", alpha: float = 0.05, seed: int = 0) -> Rates:
    """Judge `pairs` checkpoint pairs; capability i passes each case with p_before[i], then p_after[i]."""
    rng = random.Random(seed)
    with_regression = flips = first = 0
    for _ in range(pairs):
        runs = []
        for step, (model, probabilities) in enumerate(((BEFORE, p_before), (AFTER, p_after))):
            verdicts = {f"cap/{i}": [rng.random() < p for _ in range(n)] for i, p in enumerate(probabilities)}
            ids = "case" if mode == "paired" else f"run{step}-case"
            runs.append(graded_run(model, verdicts, threshold=threshold, minutes=step, ids=ids, mode=mode))
        before, after = runs
        assign_changes(before, [], alpha=alpha, correction=correction)
        assign_changes(after, [before], alpha=alpha, correction=correction)
        called = {r["capability"] for r in regressions(after)}
        with_regression += bool(called)
        first += "cap/0" in called
        flips += sum(1 for r in after["results"] if r["baseline"] and r["baseline"]["status"] == "pass"
                     and r["status"] == "fail")
    return Rates(pairs, with_regression / pairs, flips / (pairs * len(p_before)), first / pairs)
