"""Planned vs one-at-a-time: 500 generated cases of one spec on SmolLM2.

Planned: the spec's requests deduplicated and sent in length-sorted batches (what spec items
do); one-at-a-time: each case's prompt through `model.generate(prompt)`, one call per case.
Both go through the public Model/backend API of the same loaded model; the ratio is printed.

    .venv/bin/python bench/spec_planning.py [--cases 500] [--model smollm2-135m]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

SPEC = """
- id: bench/add-2d
  description: two-digit addition, 3-shot, in two framings (raw and qa) that share prompts' cases
  formats: [qa, raw]
  prompt: "What is {{{{ a }}}} + {{{{ b }}}}?"
  generate:
    a: {{integers: [10, 99]}}
    b: {{integers: [10, 99]}}
  count: {count}
  seed: 2023
  shots: 3
  expected: "{{{{ a + b }}}}"
  check: number
  max_new_tokens: 4
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--model", default="smollm2-135m")
    args = parser.parse_args()

    from pytest_emergent.config import builtin_specs
    from pytest_emergent.pool import ModelPool
    from pytest_emergent.specs import load_specs
    from pytest_emergent.specs.planner import PlanStats, run_requests
    from pytest_emergent.specs.prompts import queries

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.yaml"
        path.write_text(SPEC.format(count=args.cases))
        spec = load_specs(path, "bench.yaml")[0]
    model = ModelPool([builtin_specs()[args.model]]).get(args.model)
    work = [q.generate for f in spec.formats for q in queries(model, spec, f)]
    # Twice the cases' requests reach the planner: the item of each framing, and the few-shot
    # framings repeat prompts across items (as a suite with several specs on one model does).
    print(f"{args.model}: {len(spec.rendered[spec.formats[0]])} cases × {len(spec.formats)} formats = "
          f"{len(work)} generation requests, {len(set(work))} distinct")
    run_requests(model, work[:8], [])  # warm-up

    stats = PlanStats()
    started = time.perf_counter()
    planned, _ = run_requests(model, work, [], stats)
    planned_s = time.perf_counter() - started
    print(f"planned:          {planned_s:7.1f} s  ({stats.distinct} distinct requests in {stats.batches} batches)")

    started = time.perf_counter()
    single = {}
    for request in work:  # one request at a time, as a loop over model.generate(prompt) issues them
        single[request] = model.backend.generate([request])[0]
    single_s = time.perf_counter() - started
    print(f"one at a time:    {single_s:7.1f} s  ({len(work)} calls)")
    same = sum(planned[r] == single[r] for r in set(work))
    print(f"speed-up: {single_s / planned_s:.2f}×   (answers identical for {same}/{len(set(work))} distinct requests)")


if __name__ == "__main__":
    main()
