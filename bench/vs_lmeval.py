"""pytest-emergent against lm-evaluation-harness on the same model and tasks, in one run.

    .venv/bin/python bench/vs_lmeval.py [--limit 200] [--lmeval-python .venv-bench/bin/python]

Model: SmolLM2-135M-Instruct (the built-in GGUF, dequantised to a float32 safetensors folder,
which both tools load). Tasks: ../shared/bench/lmeval (200 two-digit additions, 3 fixed
few-shot examples): multiple choice over 4 numbers, and greedy generation (16 tokens, stop at a
newline, exact match). lm-eval runs at batch sizes 8 and 16 and its best is kept (batch 1 is far
slower: 0.21 items/s on generation; pass --lmeval-batch-sizes 1,8,16 to see it); model loading
is not timed for either tool. Then a cold and a cached run of the shipped suite through pytest
(each a whole `pytest` process, start-up included).
Prints items/s for each, accuracy for each, and the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TASKS = {"mc": "anchor_arith_mc", "gen": "anchor_arith_gen"}


def data_dir() -> Path:
    for candidate in (ROOT.parent / "shared" / "bench" / "lmeval", Path("/work/shared/bench/lmeval")):
        if candidate.is_dir():
            return candidate
    sys.exit("bench: cannot find shared/bench/lmeval beside the repository")


def model_folder() -> Path:
    """The float32 safetensors copy of the built-in SmolLM2 (made by our loader on first use)."""
    from pytest_emergent.backends.hf.loading import _dequant_dir
    from pytest_emergent.config import locate

    folder = _dequant_dir(locate("smollm2-135m"))
    if not (folder / "config.json").is_file():
        from pytest_emergent.backends import load_backend
        from pytest_emergent.config import builtin_models

        load_backend(builtin_models()["smollm2-135m"]).close()
    return folder


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def contexts(data: Path, kind: str, limit: int) -> tuple[list[str], list[dict]]:
    """The prompts exactly as lm-eval builds them: first_n few-shot, "\\n\\n" between, " " before a target."""
    shots = read(data / f"arith_fewshot_{kind}.jsonl")
    prefix = "".join(f"Q: {d['question']}\nA: {d['choices'][d['label']] if kind == 'mc' else d['answer']}\n\n"
                     for d in shots)
    docs = read(data / f"arith_{kind}.jsonl")[:limit]
    return [f"{prefix}Q: {d['question']}\nA:" for d in docs], docs


def run_ours(folder: Path, data: Path, limit: int) -> dict[str, dict]:
    from pytest_emergent.backends import load_backend
    from pytest_emergent.config import parse_spec_string
    from pytest_emergent.models.model import Model
    from pytest_emergent.scale import Scale

    backend = load_backend(parse_spec_string(f"hf:{folder}"))
    model = Model("smollm2", backend, Scale())
    out = {}
    prompts, docs = contexts(data, "mc", limit)
    started = time.perf_counter()
    picks = model.choose(prompts, [[" " + c for c in d["choices"]] for d in docs])
    seconds = time.perf_counter() - started
    out["mc"] = {"seconds": seconds, "score": sum(p.index == d["label"] for p, d in zip(picks, docs)) / len(docs)}
    prompts, docs = contexts(data, "gen", limit)
    started = time.perf_counter()
    answers = model.generate(prompts, max_new_tokens=16, stop="\n")
    seconds = time.perf_counter() - started
    exact = sum("".join(a.split()) == "".join(d["answer"].split()) for a, d in zip(answers, docs)) / len(docs)
    out["gen"] = {"seconds": seconds, "score": exact}
    backend.close()
    return out


def run_lmeval(python: str, folder: Path, data: Path, limit: int, batch_sizes: list[str]) -> dict[str, dict]:
    include = Path(tempfile.mkdtemp(prefix="lmeval-tasks-"))
    for kind in TASKS:
        text = (data / f"arith_{kind}.yaml.in").read_text().replace("DATA_DIR", str(data))
        (include / f"arith_{kind}.yaml").write_text(text)
    best: dict[str, dict] = {}
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    for kind, task in TASKS.items():
        for size in batch_sizes:
            done = subprocess.run([python, str(ROOT / "bench" / "lmeval_driver.py"), str(folder), str(include), task,
                                   size, str(limit)], capture_output=True, text=True, env=env)
            line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT ")), None)
            if line is None:
                sys.exit(f"lm-eval failed on {task} at batch size {size}:\n{done.stderr[-3000:]}")
            result = json.loads(line.removeprefix("RESULT ")) | {"batch_size": size}
            print(f"  lm-eval {kind:3} batch {size:>4}: {limit / result['seconds']:6.2f} items/s, score {result['score']:.3f}")
            if kind not in best or result["seconds"] < best[kind]["seconds"]:
                best[kind] = result
    shutil.rmtree(include, ignore_errors=True)
    return best


def run_cached() -> tuple[float, float]:
    """The demo's suite (examples/ and capability_specs/ on both built-in models): cold, then the
    median of three cached re-runs. Python writes bytecode as it does by default (a machine-wide
    PYTHONDONTWRITEBYTECODE would make every run recompile pytest-rewritten modules, ~2 s here)."""
    cache = Path(tempfile.mkdtemp(prefix="emergent-cache-bench-"))
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "examples", "capability_specs",
               "--emergent-model", "smollm2-135m", "--emergent-model", "gemma3-270m",
               "--emergent-cache", str(cache), "--emergent-no-ledger"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"HF_HUB_OFFLINE": "1"}
    times = []
    for run in range(4):
        started = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)
        times.append(time.perf_counter() - started)
        summary = (done.stdout.strip().splitlines() or ["(no output)"])[-1]
        print(f"  {'cold' if run == 0 else 'cached'} run: {times[-1]:6.2f} s  {summary}")
        if done.returncode > 1:
            sys.exit(f"bench: the suite run failed (exit {done.returncode}):\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    shutil.rmtree(cache, ignore_errors=True)
    return times[0], statistics.median(times[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=200)
    parser.add_argument("--lmeval-python", default=str(ROOT / ".venv-bench" / "bin" / "python"))
    parser.add_argument("--lmeval-batch-sizes", default="8,16")
    parser.add_argument("--cached-only", action="store_true", help="only the cold-versus-cached re-run")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.cached_only:
        return report_cached()
    data, folder = data_dir(), model_folder()
    print(f"model: SmolLM2-135M-Instruct, float32, {folder}")
    print(f"items: {args.limit} per task; torch threads: {os.cpu_count()} cores")
    ours = run_ours(folder, data, args.limit)
    for kind, result in ours.items():
        print(f"  pytest-emergent {kind:3}: {args.limit / result['seconds']:6.2f} items/s, score {result['score']:.3f}")
    if not Path(args.lmeval_python).exists():
        sys.exit(f"bench: no lm-eval environment at {args.lmeval_python}; create it with `make bench-env`")
    theirs = run_lmeval(args.lmeval_python, folder, data, args.limit, args.lmeval_batch_sizes.split(","))
    # Measured again after lm-eval, keeping the slower of the two: the machine's load may change.
    again = run_ours(folder, data, args.limit)
    for kind, result in again.items():
        print(f"  pytest-emergent {kind:3} (again): {args.limit / result['seconds']:6.2f} items/s")
    ours = {kind: max(ours[kind], again[kind], key=lambda r: r["seconds"]) for kind in ours}
    print()
    print(f"{'task':6} {'lm-eval items/s':>16} {'emergent items/s':>17} {'ratio':>7} {'same accuracy':>14}")
    for kind in TASKS:
        a, b = theirs[kind], ours[kind]
        ratio = a["seconds"] / b["seconds"]
        same = abs(a["score"] - b["score"]) < 1e-9
        print(f"{kind:6} {args.limit / a['seconds']:16.2f} {args.limit / b['seconds']:17.2f} {ratio:6.2f}x "
              f"{str(same) + ' (' + format(b['score'], '.3f') + ')':>14}")
    report_cached()


def report_cached() -> None:
    print("\nthe demo's suite (examples + specs, both built-in models) through pytest, empty response cache, then cached:")
    cold, warm = run_cached()
    print(f"cold {cold:.1f} s, cached {warm:.2f} s (median of 3): {cold / warm:.0f}x faster cached")


if __name__ == "__main__":
    main()
