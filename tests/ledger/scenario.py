"""Run documents for ledger and report tests, built by the same code the plugin uses.

`make_run` goes through `report.json_report.build_document`, so a test document has exactly
the layout of a real `--emergent-json` report.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pytest_emergent.outcomes import Status
from pytest_emergent.results import ModelHeader, Result, build_document
from pytest_emergent.scale import format_number

START = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.timezone.utc)


def header(name: str, family: str | None, params: float | None = 135e6, step: float | None = None) -> ModelHeader:
    return ModelHeader(name, "hf", family, ("base",), {"params": params, "tokens": None, "compute": None, "step": step})


def make_run(models: list[ModelHeader], outcomes: dict[tuple[str, str], tuple[str, float | None]], *,
             minutes: int = 0, run_id: str | None = None, declared: dict[str, dict[str, Any]] | None = None,
             threshold: float | None = None, n: int | None = None,
             weights: dict[str, str] | None = None) -> dict[str, Any]:
    """A run document; `outcomes` maps (capability, model) to (status, score).

    `n`: how many cases each score is a pass rate of (None: a single pass/fail observation,
    whose flips are never significant). `weights`: model name → weights fingerprint.
    """
    declared = declared or {}
    results = [
        Result(capability=cap, nodeid=f"tests/test_caps.py::test_{cap.replace('/', '_')}[{model}]", model=model,
               status=Status(status), score=score, threshold=threshold,
               declared={**declared.get(cap, {}), "traits": []}, duration=0.1)
        for (cap, model), (status, score) in outcomes.items()
    ]
    when = START + dt.timedelta(minutes=minutes)
    document = build_document({
        "plugin_version": "0.1.0", "pytest_version": "9", "python_version": "3.11",
        "started": when.isoformat(timespec="seconds"), "finished": when.isoformat(timespec="seconds"),
        "git_commit": None, "strict": False,
    }, {m.name: m for m in models}, results)
    if run_id:
        document["run_id"] = run_id
    if n is not None:
        for result in document["results"]:
            result["n"] = n
    for model in document["models"]:
        if weights and model["name"] in weights:
            model["fingerprint"] = weights[model["name"]]
    return document


# Three checkpoints of one family, evaluated in order, each score a pass rate over 40 cases (so
# that the flips below are significant drops and rises). Expected changes, per checkpoint:
#   arith/add   expected-fail → early-pass (lit-up) → early-pass (unchanged)
#   qa/recall   pass          → pass (unchanged)    → fail (regressed)
#   fmt/json    fail          → fail (unchanged)    → pass (lit-up)
#   code/sort   –             → –                   → fail (new)
CHECKPOINTS = [header(f"tiny-step{s}", "tiny", 135e6, s) for s in (1000, 2000, 3000)]
DECLARED = {"arith/add": {"params": 1e9}}
CASES = 40
STEPS = [
    {"arith/add": ("expected-fail", 0.1), "qa/recall": ("pass", 0.9), "fmt/json": ("fail", 0.2)},
    {"arith/add": ("early-pass", 0.8), "qa/recall": ("pass", 0.9), "fmt/json": ("fail", 0.3)},
    {"arith/add": ("early-pass", 0.85), "qa/recall": ("fail", 0.4), "fmt/json": ("pass", 0.9),
     "code/sort": ("fail", 0.0)},
]
EXPECTED = [
    {"arith/add": "new", "qa/recall": "new", "fmt/json": "new"},
    {"arith/add": "lit-up", "qa/recall": "unchanged", "fmt/json": "unchanged"},
    {"arith/add": "unchanged", "qa/recall": "regressed", "fmt/json": "lit-up", "code/sort": "new"},
]


def checkpoint_runs() -> list[dict[str, Any]]:
    """One run per checkpoint, ten minutes apart, not yet in any ledger."""
    return [make_run([cp], {(cap, cp.name): out for cap, out in step.items()}, minutes=10 * i, declared=DECLARED,
                     n=CASES) for i, (cp, step) in enumerate(zip(CHECKPOINTS, STEPS))]


def changes(document: dict[str, Any]) -> dict[str, str]:
    return {r["capability"]: r["change"] for r in document["results"]}


def sweep_runs() -> list[dict[str, Any]]:
    """Two families at four sizes each, one run per family: for plots and the screenshot test."""
    runs = []
    for i, (family, sizes) in enumerate((("alpha", (70e6, 400e6, 1.4e9, 7e9)), ("beta", (125e6, 350e6, 2.7e9, 13e9)))):
        models = [header(f"{family}-{format_number(n).lower()}", family, n) for n in sizes]
        outcomes: dict[tuple[str, str], tuple[str, float | None]] = {}
        for j, model in enumerate(models):
            meets = model.scale["params"] >= 1e9
            adds = 0.05 + 0.3 * j if family == "alpha" else 0.1 * j
            outcomes[("arith/add", model.name)] = ("pass" if adds >= 0.5 else "expected-fail", adds)
            outcomes[("qa/recall", model.name)] = ("pass" if j >= 1 else "expected-fail" if not meets else "fail", None)
            outcomes[("fmt/json", model.name)] = ("pass" if meets else "expected-fail", 0.2 + 0.2 * j)
        runs.append(make_run(models, outcomes, minutes=i, threshold=0.5,
                             declared={"arith/add": {"params": 1e9}, "qa/recall": {"params": 300e6}}))
    return runs
