"""What the bench reads from inside a run: the plan's own figures and the batches the hf backend gets.

As a pytest plugin (`-p spec_probe`, with bench/ on PYTHONPATH) it writes, at the end of the
session, a JSON file named by $BENCH_PROBE_OUT with, per model:

- `work_seconds`: the wall time of `plan_model` (framing every case and asking the model: what
  the Python API's timed calls do too), which the plugin does not report on its own;
- `ask_seconds`, `requested`, `distinct`, `calls`: the plan's `PlanStats` (the model calls alone);
- `plan_seconds`: the plugin's own plan time, which items' durations share (with the model's
  loading when the plan is what loads it);

and the batches the hf backend ran. `count_batches()` alone records those batches for an
in-process run (the Python API bench).
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

_BATCHES: dict[str, list[Any]] = {}
_WORK: dict[str, float] = {}


def count_batches() -> dict[str, list[Any]]:
    """Record every batch the decoder-only hf backend runs, from now on in this process:
    `generate`: rows per greedy batch; `score`: [distinct contexts, rows] per scoring batch.
    Installed once; later calls give the same lists."""
    from pytest_emergent.backends.hf import causal

    seen = _BATCHES
    if seen:
        return seen
    seen.update(generate=[], score=[])
    greedy, score_batch = causal.greedy, causal.score_batch

    def counted_greedy(model, rows, *args, **kwargs):
        seen["generate"].append(len(rows))
        return greedy(model, rows, *args, **kwargs)

    def counted_score(model, pairs, batch, *args, **kwargs):
        seen["score"].append([len(batch), sum(len(members) for _, members in batch)])
        return score_batch(model, pairs, batch, *args, **kwargs)

    causal.greedy, causal.score_batch = counted_greedy, counted_score
    return seen


def pytest_configure(config: Any) -> None:
    from pytest_emergent.capabilities.specs import items

    count_batches()
    plan_model = items.plan_model

    def timed_plan_model(model, work):
        started = time.perf_counter()
        try:
            return plan_model(model, work)
        finally:
            _WORK[model.name] = _WORK.get(model.name, 0.0) + time.perf_counter() - started

    items.plan_model = timed_plan_model


def pytest_sessionfinish(session: Any) -> None:
    from pytest_emergent.stash import STATE_KEY

    out = os.environ.get("BENCH_PROBE_OUT")
    state = session.config.stash.get(STATE_KEY, None)
    if not out or state is None:
        return
    plans = {name: {"work_seconds": _WORK.get(name), "ask_seconds": plan.stats.seconds, "plan_seconds": plan.seconds,
                    "requested": plan.stats.requested, "distinct": plan.stats.distinct, "calls": plan.stats.calls,
                    "error": plan.error}
             for name, plan in state.plans.items()}
    with open(out, "w") as handle:
        json.dump({"plans": plans, "batches": _BATCHES}, handle)
