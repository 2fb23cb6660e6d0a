"""The vllm backend beside the hf backend on the same model, items and prompts, in one process.

    .venv-vllm/bin/python bench/vllm_vs_hf.py [--limit 200] [--model smollm2-135m|FOLDER|HUB_ID]
        [--device auto|cpu|cuda] [--dtype float32|bfloat16] [--batch-size auto|N] [--backends hf,vllm]

Items: ../shared/bench/lmeval (two-digit additions with 3 fixed few-shot examples), as in
bench/vs_lmeval.py: multiple choice over 4 numbers (`model.choose`) and greedy generation (16
tokens, stop at a newline; `model.generate`), each through the Python API in one call. Each
backend is loaded, run and released before the next; loading is not timed. Prints items/s,
accuracy and peak memory per backend (resident memory of this process and its children, sampled;
on CUDA also the GPU memory: what torch allocated for hf, the device memory in use for vLLM,
which reserves `gpu_memory_utilization` of the GPU up front), then how far the two agree.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


class PeakMemory:
    """Peak resident memory of this process tree (psutil, sampled every 0.1 s) and of the GPU."""

    def __init__(self, cuda: bool):
        self.cuda, self.rss, self.gpu = cuda, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        try:
            import psutil
        except ImportError:
            return
        me = psutil.Process()
        while not self._stop.wait(0.1):
            total = 0
            for process in [me, *me.children(recursive=True)]:
                try:
                    total += process.memory_info().rss
                except psutil.Error:
                    pass
            self.rss = max(self.rss, total)
            if self.cuda:
                import torch

                free, whole = torch.cuda.mem_get_info()
                self.gpu = max(self.gpu, whole - free)

    def __enter__(self) -> PeakMemory:
        if self.cuda:
            import torch

            torch.cuda.reset_peak_memory_stats()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def spec_for(backend: str, model: str, args: argparse.Namespace):
    from pytest_emergent.config import builtin_models, parse_spec_string

    builtins = builtin_models()
    spec = replace(builtins[model], backend=backend) if model in builtins else parse_spec_string(f"{backend}:{model}")
    options = {"dtype": args.dtype}
    if backend == "hf":
        options |= {"batch_size": args.batch_size, "device": args.device}
    else:
        options |= {"max_model_len": 2048, "engine_args": json.loads(args.engine_args)}
    return replace(spec, options=options)


def run(backend_name: str, args: argparse.Namespace, data: Path) -> dict:
    from pytest_emergent.model import Model
    from vs_lmeval import contexts

    from pytest_emergent.backends import load_backend
    from pytest_emergent.scale import Scale

    cuda = args.device == "cuda" or (args.device == "auto" and _has_cuda())
    if args.hf_threads and backend_name == "hf":
        import torch

        torch.set_num_threads(args.hf_threads)
    with PeakMemory(cuda) as peak:
        started = time.perf_counter()
        backend = load_backend(spec_for(backend_name, args.model, args))
        loaded = time.perf_counter() - started
        model = Model(args.model, backend, Scale())
        out: dict = {"load_s": loaded}
        prompts, docs = contexts(data, "mc", args.limit)
        started = time.perf_counter()
        picks = model.choose(prompts, [[" " + c for c in d["choices"]] for d in docs])
        seconds = time.perf_counter() - started
        out["mc"] = {"items_per_s": len(docs) / seconds, "accuracy": sum(p.index == d["label"] for p, d in
                                                                           zip(picks, docs)) / len(docs),
                     "picks": [p.index for p in picks], "scores": [list(p.scores) for p in picks]}
        prompts, docs = contexts(data, "gen", args.limit)
        started = time.perf_counter()
        answers = model.generate(prompts, max_new_tokens=16, stop="\n")
        seconds = time.perf_counter() - started
        exact = sum("".join(a.split()) == "".join(d["answer"].split()) for a, d in zip(answers, docs)) / len(docs)
        out["gen"] = {"items_per_s": len(docs) / seconds, "accuracy": exact, "answers": answers}
        if cuda and backend_name == "hf":
            import torch

            out["gpu_allocated_peak"] = torch.cuda.max_memory_allocated()
        for counter in ("engine_calls", "prompt_tokens", "cached_tokens"):
            if hasattr(backend, counter):
                out[counter] = getattr(backend, counter)
        out["info"] = backend.info().details
        backend.close()
    out["rss_peak"], out["gpu_in_use_peak"] = peak.rss, peak.gpu if cuda else None
    return out


def _has_cuda() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return torch.cuda.is_available()


def gib(value: float | None) -> str:
    return "-" if not value else f"{value / 2**30:.2f} GiB"


def main() -> None:
    from vs_lmeval import data_dir

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=200)
    parser.add_argument("--model", default="smollm2-135m", help="a built-in name, a folder or a hub id")
    parser.add_argument("--device", default="auto", help="for hf: auto, cpu or cuda (vLLM picks its own)")
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--batch-size", default="auto", help="for hf: auto (probed on CUDA, 16 on a CPU) or N")
    parser.add_argument("--backends", default="hf,vllm")
    parser.add_argument("--hf-threads", type=int, help="torch threads for hf (vLLM's CPU engine uses one core)")
    parser.add_argument("--engine-args", default="{}", help='for vllm, as JSON: \'{"block_size": 32}\'')
    parser.add_argument("--data", type=Path, help="the lmeval items folder (default ../shared/bench/lmeval)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")
    data = args.data or data_dir()
    print(f"model {args.model}, dtype {args.dtype}, {args.limit} items per task, {os.cpu_count()} CPU cores")
    results: dict[str, dict] = {}
    for name in args.backends.split(","):
        try:
            results[name] = run(name, args, data)
        except Exception as exc:  # one backend that cannot run still leaves the other's figures
            print(f"  {name}: could not run: {type(exc).__name__}: {exc}")
            continue
        r = results[name]
        print(f"  {name:5} multiple choice {r['mc']['items_per_s']:7.2f} items/s (accuracy {r['mc']['accuracy']:.3f}); "
              f"generation {r['gen']['items_per_s']:7.2f} items/s (accuracy {r['gen']['accuracy']:.3f}); "
              f"load {r['load_s']:.1f} s; peak RSS {gib(r['rss_peak'])}; GPU in use {gib(r['gpu_in_use_peak'])}"
              + (f", torch allocated {gib(r['gpu_allocated_peak'])}" if r.get("gpu_allocated_peak") else ""))
        if "cached_tokens" in r:
            print(f"        {r['engine_calls']} engine calls; {r['cached_tokens']} of {r['prompt_tokens']} prompt "
                  "tokens from the prefix cache")
    if {"hf", "vllm"} <= results.keys():
        a, b = results["hf"], results["vllm"]
        same_text = sum(x == y for x, y in zip(a["gen"]["answers"], b["gen"]["answers"]))
        same_pick = sum(x == y for x, y in zip(a["mc"]["picks"], b["mc"]["picks"]))
        gap = max(abs(x - y) for sa, sb in zip(a["mc"]["scores"], b["mc"]["scores"]) for x, y in zip(sa, sb))
        print(f"\nvllm / hf items/s: multiple choice {b['mc']['items_per_s'] / a['mc']['items_per_s']:.2f}x, "
              f"generation {b['gen']['items_per_s'] / a['gen']['items_per_s']:.2f}x")
        print(f"agreement: greedy text identical on {same_text} of {args.limit}; the same choice on {same_pick} of "
              f"{args.limit}; largest log-likelihood gap {gap:.2e} nats")
        for x, y, d in zip(a["gen"]["answers"], b["gen"]["answers"], range(args.limit)):
            if x != y:
                print(f"  item {d}: hf {x!r} vllm {y!r}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
