"""Runs one lm-evaluation-harness task inside the bench environment and prints its timing as JSON.

Called by bench/vs_lmeval.py with the bench venv's Python; the model load is not timed.
"""

from __future__ import annotations

import json
import sys
import time


def main() -> None:
    folder, include, task, batch_size, limit = sys.argv[1:6]
    from lm_eval import simple_evaluate
    from lm_eval.models.huggingface import HFLM
    from lm_eval.tasks import TaskManager

    lm = HFLM(pretrained=folder, batch_size=batch_size if batch_size == "auto" else int(batch_size),
              device="cpu", dtype="float32")
    manager = TaskManager(include_path=include)
    started = time.perf_counter()
    out = simple_evaluate(model=lm, tasks=[task], task_manager=manager, limit=int(limit), log_samples=False,
                          use_cache=None)
    seconds = time.perf_counter() - started
    metrics = out["results"][task]
    score = metrics.get("acc,none", metrics.get("exact_match,none"))
    print("RESULT " + json.dumps({"seconds": seconds, "score": score, "n": int(limit)}))


if __name__ == "__main__":
    main()
