"""Four checkpoints of one family, one run each, with a known forecast and a known inversion.

Pass rates over 200 cases at 100M, 300M, 1B and 3B (threshold 0.5), with the mean
log-probability of the target where a check records one:

| capability       | 100M  | 300M  | 1B    | 3B    | what it shows                                    |
|------------------|-------|-------|-------|-------|--------------------------------------------------|
| `copy/echo`      | 0.9   | 0.95  | 0.97  | 0.99  | passing from the smallest size                   |
| `arith/multiply` | 0.1   | 0.3   | 0.6   | 0.8   | passes at 1B, before its prerequisite arith/add  |
| `arith/add`      | 0.03  | 0.1   | 0.3   | 0.75  | crosses between 1B and 3B: forecast from 3 sizes |
| `logic/chain`    | 0.01  | 0.03  | 0.08  | 0.2   | still rising at 3B: forecast from all 4 sizes    |
| `fmt/json`       | 0.1   | 0.12  | 0.09  | 0.11  | a plateau: no crossing predicted                 |
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ledger.scenario import START, header

from pytest_emergent.outcomes import Status
from pytest_emergent.results import Result, build_document

SIZES = (100e6, 300e6, 1e9, 3e9)
CHECKPOINTS = [header(f"pico-{name}", "pico", size) for name, size in zip(("100m", "300m", "1b", "3b"), SIZES)]
CASES = 200
THRESHOLD = 0.5
RATES = {
    "copy/echo": (0.9, 0.95, 0.97, 0.99),
    "arith/multiply": (0.1, 0.3, 0.6, 0.8),
    "arith/add": (0.03, 0.1, 0.3, 0.75),
    "logic/chain": (0.01, 0.03, 0.08, 0.2),
    "fmt/json": (0.1, 0.12, 0.09, 0.11),
}
LOGPROB = {
    "copy/echo": (-0.4, -0.3, -0.2, -0.1),
    "arith/add": (-3.6, -2.7, -1.8, -0.9),
    "logic/chain": (-5.0, -4.3, -3.6, -2.9),
    "fmt/json": (-2.0, -2.05, -1.98, -2.02),
}
REQUIRES = {"arith/multiply": ["arith/add"]}
DECLARED = {"arith/add": {"params": 1e9}}


def result(capability: str, i: int) -> Result:
    model, rate = CHECKPOINTS[i], RATES[capability][i]
    meets = model.scale["params"] >= DECLARED.get(capability, {}).get("params", 0.0)
    passed = rate >= THRESHOLD
    status = (Status.PASS if passed else Status.FAIL) if meets else (Status.EARLY_PASS if passed else Status.EXPECTED_FAIL)
    metrics: dict[str, Any] = {"cases": CASES, "passed": round(rate * CASES)}
    if capability in LOGPROB:
        metrics["target_logprob"] = LOGPROB[capability][i]
    declared: dict[str, Any] = {**DECLARED.get(capability, {}), "traits": []}
    if capability in REQUIRES:
        declared["requires_capabilities"] = REQUIRES[capability]
    return Result(capability=capability, nodeid=f"caps.yaml::{capability}[{model.name}]", model=model.name,
                  status=status, score=rate, threshold=THRESHOLD, metrics=metrics, declared=declared, duration=0.1)


def checkpoint_run(i: int) -> dict[str, Any]:
    """The run of checkpoint `i` alone (0: 100M … 3: 3B), ten minutes after the one before."""
    when = (START + dt.timedelta(minutes=10 * i)).isoformat(timespec="seconds")
    model = CHECKPOINTS[i]
    return build_document({"plugin_version": "0.1.0", "pytest_version": "9", "python_version": "3.11",
                           "started": when, "finished": when, "git_commit": None, "strict": False},
                          {model.name: model}, [result(cap, i) for cap in RATES])


def runs(count: int = 4) -> list[dict[str, Any]]:
    """The first `count` checkpoint runs, oldest first, not yet in any ledger."""
    return [checkpoint_run(i) for i in range(count)]
