# Two commands matter: `make book` and `make test`. Both set up .venv first.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: book test bench execute data lint clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ needed, found " + sys.version'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

# Drop jupyter-cache records whose inputs (data files a chapter loads,
# requirements.txt, the helper package) changed: jupyter-cache keys on code only.
book: $(STAMP)
	$(BIN)/python -m netbook.cache_inputs
	mkdir -p _build
	$(BIN)/jupyter-book build . --warningiserror --keep-going 2>&1 | tee _build/build.log

test: book lint
	$(BIN)/python -m pytest tests --nbval chapters

# ruff (pinned) lints and checks the formatting of src, tests, chapters (notebooks too), _ext, bench
lint: $(STAMP)
	$(BIN)/ruff check src tests chapters _ext bench
	$(BIN)/ruff format --check src tests chapters _ext bench

# Regenerate the machine-made tables under data/derived/ from the source texts
# (tests/test_derive.py fails when a committed file differs from what this writes).
data: $(STAMP)
	$(BIN)/python -m netbook.derive

# Re-execute every chapter in place, storing fresh outputs (after changing data or code;
# nbval in make test fails until the stored outputs match a fresh run).
execute: $(STAMP)
	$(BIN)/python -m netbook.execute chapters/*.ipynb

bench: $(STAMP)
	$(BIN)/python bench/run_bench.py

clean:
	rm -rf _build
