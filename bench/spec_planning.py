"""Planned vs one-at-a-time: 500 generated cases of one spec on SmolLM2.

Planned: the spec's requests deduplicated and sent as whole lists, the backend batching them by
length (what spec items do); one-at-a-time: each case's prompt through `model.generate(prompt)`, one call per case.
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
  description: two-digit addition, 3-shot, in the Q/A framing
  formats: [qa]
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
    parser.add_argument("--sample", type=int, default=60,
                        help="time one-at-a-time on this many requests spread evenly and extrapolate (0: all)")
    args = parser.parse_args()

    from pytest_emergent.capabilities.specs import load_specs
    from pytest_emergent.capabilities.specs.planner import PlanStats, ask
    from pytest_emergent.capabilities.specs.queries import queries
    from pytest_emergent.config import builtin_models
    from pytest_emergent.models.pool import ModelPool

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.yaml"
        path.write_text(SPEC.format(count=args.cases))
        spec = load_specs(path, "bench.yaml")[0]
    model = ModelPool([builtin_models()[args.model]]).get(args.model)
    found = queries(model, spec, "qa")
    generate = [q.generate for q in found]
    score = [q.target for q in found]
    print(f"{args.model}: {len(found)} cases -> {len(generate)} generations + {len(score)} target log-likelihoods")
    ask(model, generate[:4] + score[:4], PlanStats())  # warm-up

    stats = PlanStats()
    started = time.perf_counter()
    answers = ask(model, generate + score, stats)
    planned_s = time.perf_counter() - started
    print(f"planned:        {planned_s:8.1f} s  ({stats.distinct} distinct requests in {stats.calls} Model calls)")

    picked = range(len(found)) if not args.sample else \
        sorted({round(k * (len(found) - 1) / max(1, args.sample - 1)) for k in range(args.sample)})
    same = 0
    started = time.perf_counter()
    for i in picked:  # one request per call, as a loop over model.generate / model.loglikelihood does
        text = model.backend.generate([generate[i]])[0]
        logprob = model.backend.loglikelihood([score[i]])[0].logprob
        same += text == answers[generate[i]] and abs(logprob - answers[score[i]].logprob) < 1e-3
    single_s = (time.perf_counter() - started) * len(found) / len(picked)
    how = "measured" if len(picked) == len(found) else f"measured on {len(picked)} cases, scaled to {len(found)}"
    print(f"one at a time:  {single_s:8.1f} s  ({how})")
    print(f"speed-up: {single_s / planned_s:.2f}x   (same answers on {same}/{len(picked)} compared cases)")


if __name__ == "__main__":
    main()
