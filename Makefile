# Two entry points for people: `make demo` and `make test`. Everything else is reached through them.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
HOST   ?= 127.0.0.1

.PHONY: demo test lint docs bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.app: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.app

## Install dutycare, load the canonical scenario into a fresh local database and serve the web UI
## (make demo PORT=8001 HOST=0.0.0.0 to serve elsewhere).
demo: $(VENV)/.app
	$(BIN)/dutycare demo --port $(PORT) --host $(HOST)

## Install the test tools and run every check: lint, import rules, types, generated docs, the whole test suite.
test: $(VENV)/.test lint
	$(BIN)/python -m dutycare.docgen --check
	$(BIN)/pytest -q -n 2

lint: $(VENV)/.test
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/lint-imports
	$(BIN)/mypy

## Regenerate the documents that come from the code.
docs: $(VENV)/.test
	$(BIN)/python -m dutycare.docgen

## Run the benchmark suite (prints figures and ratios; slow).
bench: $(VENV)/.test
	$(BIN)/python benchmarks/run_all.py
