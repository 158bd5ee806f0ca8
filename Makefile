# Two commands matter: `make book` and `make test`. Both set up .venv first.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: book test bench execute clean

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

# Two workers (pytest-xdist), one browser each; a notebook's cells stay on one worker and
# kernel (--dist loadfile: one file, one worker; loadgroup cannot be used with pytest 9).
TEST_WORKERS ?= 2
test: book
	$(BIN)/python -m pytest tests --nbval chapters -n $(TEST_WORKERS) --dist loadfile

# Re-execute every chapter in place, storing fresh outputs (after changing data or code;
# nbval in make test fails until the stored outputs match a fresh run).
execute: $(STAMP)
	$(BIN)/python -m netbook.execute chapters/*.ipynb

# Lighthouse (bench/package-lock.json) installs into bench/node_modules on first use.
bench/node_modules/.package-lock.json: bench/package.json bench/package-lock.json
	npm ci --prefix bench --no-audit --no-fund

bench: $(STAMP) bench/node_modules/.package-lock.json
	$(BIN)/python bench/run_bench.py

clean:
	rm -rf _build
