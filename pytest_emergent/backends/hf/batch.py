"""`batch_size: auto`: the largest batch that fits on the device.

On CUDA, batches of the longest sequence the run will see are tried, doubling until memory
runs out, then halved for headroom; a CPU has no such wall (a larger batch only trades latency),
so there `auto` is a fixed 16, where throughput on small models levels off.
"""

from __future__ import annotations

from collections.abc import Callable

CPU_AUTO = 16
MAX_BATCH = 512


def is_out_of_memory(exc: BaseException) -> bool:
    return "out of memory" in str(exc).lower() or type(exc).__name__ == "OutOfMemoryError"


def largest_fitting(trial: Callable[[int], None], *, start: int = 1, limit: int = MAX_BATCH) -> int:
    """Double the batch until `trial(size)` runs out of memory; return half the first size that failed."""
    size, fitted = start, 0
    while size <= limit:
        try:
            trial(size)
        except Exception as exc:  # only memory errors end the search; others are real errors
            if not is_out_of_memory(exc):
                raise
            break
        fitted = size
        size *= 2
    return max(1, fitted // 2 if fitted >= 2 and size <= limit else fitted)


def auto_batch_size(model, device: str, length: int = 512) -> int:
    """Probe the device with a dummy batch of `length` tokens; CPU_AUTO on a CPU."""
    if not str(device).startswith("cuda"):
        return CPU_AUTO
    import torch

    def trial(size: int) -> None:
        ids = torch.zeros((size, length), dtype=torch.long, device=device)
        with torch.inference_mode():
            model(input_ids=ids, logits_to_keep=1)
        torch.cuda.synchronize()

    try:
        return largest_fitting(trial)
    finally:
        torch.cuda.empty_cache()
