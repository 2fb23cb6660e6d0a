"""pytest-emergent against lm-evaluation-harness on the same model and tasks, in one run.

    .venv/bin/python bench/vs_lmeval.py [--limit 200] [--lmeval-python .venv-bench/bin/python]

Model: SmolLM2-135M-Instruct (the built-in GGUF, dequantised to a float32 safetensors folder,
which both tools load). Tasks: ../shared/bench/lmeval (200 two-digit additions, 3 fixed
few-shot examples): multiple choice over 4 numbers, and greedy generation (16 tokens, stop at a
newline, exact match). lm-eval runs at batch sizes 8 and 16 and its best is kept (batch 1 is far
slower: 0.21 items/s on generation; pass --lmeval-batch-sizes 1,8,16 to see it); model loading
is not timed for any tool. pytest-emergent runs twice: through its Python API (`Model.choose`,
`Model.generate`, in this process) and as YAML capability specs over the same items (a `pytest`
process per task on a temporary spec folder, empty response cache, no ledger; timed by the spec
plan's own work, framing and asking, read by bench/spec_probe.py; the whole process's time is
printed beside it). The recorded requests of the YAML run are checked against lm-eval's prompts.
Then a cold and a cached run of the shipped suite through pytest (each a whole `pytest` process,
start-up included).
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

from lmeval_specs import run_yaml  # noqa: E402 - bench/ is the script's folder

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
    from spec_probe import count_batches

    seen = count_batches()
    for values in seen.values():
        values.clear()
    prompts, docs = contexts(data, "mc", limit)
    started = time.perf_counter()
    picks = model.choose(prompts, [[" " + c for c in d["choices"]] for d in docs])
    seconds = time.perf_counter() - started
    out["mc"] = {"seconds": seconds, "score": sum(p.index == d["label"] for p, d in zip(picks, docs)) / len(docs),
                 "batches": {k: v[:] for k, v in seen.items()}}
    for values in seen.values():
        values.clear()
    prompts, docs = contexts(data, "gen", limit)
    started = time.perf_counter()
    answers = model.generate(prompts, max_new_tokens=16, stop="\n")
    seconds = time.perf_counter() - started
    exact = sum("".join(a.split()) == "".join(d["answer"].split()) for a, d in zip(answers, docs)) / len(docs)
    out["gen"] = {"seconds": seconds, "score": exact, "batches": {k: v[:] for k, v in seen.items()}}
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


def batches(seen: dict[str, list]) -> str:
    """The batches the hf backend ran, briefly: rows per generation batch, contexts/rows per scoring batch."""
    def runs(values: list[str]) -> str:
        out: list[list] = []
        for value in values:
            if out and out[-1][0] == value:
                out[-1][1] += 1
            else:
                out.append([value, 1])
        return " ".join(v if n == 1 else f"{v}×{n}" for v, n in out)
    parts = []
    if seen["generate"]:
        parts.append(f"generate rows {runs([str(n) for n in seen['generate']])}")
    if seen["score"]:
        parts.append(f"score contexts/rows {runs([f'{c}/{r}' for c, r in seen['score']])}")
    return "; ".join(parts) or "none"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=200)
    parser.add_argument("--lmeval-python", default=str(ROOT / ".venv-bench" / "bin" / "python"))
    parser.add_argument("--lmeval-batch-sizes", default="8,16")
    parser.add_argument("--cached-only", action="store_true", help="only the cold-versus-cached re-run")
    parser.add_argument("--no-lmeval", action="store_true", help="the Python API and the YAML specs only")
    parser.add_argument("--no-suite", action="store_true", help="leave out the cold-versus-cached re-run")
    parser.add_argument("--threads", type=int, default=0,
                        help="torch threads of every tool (OMP_NUM_THREADS; default: torch's own, one per core). "
                             "On a busy machine 1 keeps the tools from stalling on each other's cores")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.threads:
        os.environ["OMP_NUM_THREADS"] = str(args.threads)  # read by torch at start, here and in every subprocess
    if args.cached_only:
        return report_cached()
    if not args.no_lmeval and not Path(args.lmeval_python).exists():
        sys.exit(f"bench: no lm-eval environment at {args.lmeval_python}; create it with `make bench-env`")
    data, folder = data_dir(), model_folder()
    print(f"model: SmolLM2-135M-Instruct, float32, {folder}")
    import torch

    torch.set_num_threads(args.threads or torch.get_num_threads())
    print(f"items: {args.limit} per task; {os.cpu_count()} cores, {torch.get_num_threads()} torch threads; "
          f"load average {load()} at the start")
    ours, yaml = measure(folder, data, args.limit, "")
    theirs = {}
    if not args.no_lmeval:
        theirs = run_lmeval(args.lmeval_python, folder, data, args.limit, args.lmeval_batch_sizes.split(","))
        # Measured again after lm-eval, keeping the slower of each: the machine's load may change.
        again, yaml_again = measure(folder, data, args.limit, " (again)")
        ours = {kind: max(ours[kind], again[kind], key=lambda r: r["seconds"]) for kind in ours}
        yaml = {kind: max(yaml[kind], yaml_again[kind], key=lambda r: r["seconds"]) for kind in yaml}
    print(f"load average {load()} at the end")
    print()
    print("items/s: model work (loading excluded); ratio: lm-eval's seconds at its best batch size / ours")
    print(f"{'task':5} {'lm-eval':>13} {'Python API':>16} {'YAML spec':>16}  same accuracy (lm-eval / Python / YAML)")
    for kind in TASKS:
        a, b, c = theirs.get(kind), ours[kind], yaml[kind]
        base = f"{args.limit / a['seconds']:7.2f} (b{a['batch_size']:>2})" if a else f"{'-':>13}"
        cells = [f"{args.limit / r['seconds']:7.2f} {a['seconds'] / r['seconds'] if a else 0:6.2f}x"
                 if a else f"{args.limit / r['seconds']:7.2f} {'-':>7}" for r in (b, c)]
        scores = [r["score"] for r in ((a,) if a else ()) + (b, c)]
        same = "yes" if max(scores) - min(scores) < 1e-9 else "NO"
        print(f"{kind:5} {base:>13} {cells[0]:>16} {cells[1]:>16}  {same} ({' / '.join(f'{x:.3f}' for x in scores)})")
    if not args.no_suite:
        report_cached()


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def measure(folder: Path, data: Path, limit: int, note: str) -> tuple[dict[str, dict], dict[str, dict]]:
    """The Python API, then the YAML specs, on the same items; prints what each did."""
    ours = run_ours(folder, data, limit)
    for kind, result in ours.items():
        print(f"  Python API {kind:3}{note}: {limit / result['seconds']:6.2f} items/s, score {result['score']:.3f}; "
              f"{batches(result['batches'])}")
    yaml = run_yaml(folder, data, limit, {kind: contexts(data, kind, limit) for kind in TASKS})
    for kind, result in yaml.items():
        plan = result["plan"]
        print(f"  YAML spec  {kind:3}{note}: {limit / result['seconds']:6.2f} items/s ({result['seconds']:.1f} s framing "
              f"and asking, {plan['ask_seconds']:.1f} s of it asking; the plugin's plan time {plan['plan_seconds']:.1f} s; "
              f"whole pytest process {result['process']:.1f} s), score {result['score']:.3f}")
        print(f"      prompts: {result['prompts'] or 'the same as lm-eval' + chr(39) + 's'}; {plan['requested']} requests, "
              f"{plan['distinct']} distinct, {plan['calls']} Model calls; {batches(result['batches'])}")
        if kind == "gen" and abs(result["lmeval_score"] - result["score"]) > 1e-9:
            print(f"      graded as lm-eval grades (all whitespace removed): {result['lmeval_score']:.3f}")
    return ours, yaml


def report_cached() -> None:
    print("\nthe demo's suite (examples + specs, both built-in models) through pytest, empty response cache, then cached:")
    cold, warm = run_cached()
    print(f"cold {cold:.1f} s, cached {warm:.2f} s (median of 3): {cold / warm:.0f}x faster cached")


if __name__ == "__main__":
    main()
