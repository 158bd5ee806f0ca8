# Two commands matter: `make book` and `make test`. Both set up .venv first.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: book test bench execute readers data lint clean pdf lab preview

# Every long step runs under tools/with_progress.py, which passes its output through and
# prints "<step>: still running (N s)" whenever it has been quiet for 8 s.
PROGRESS := $(PYTHON) tools/with_progress.py
# pip prints one line per package it installs (--progress-bar off: no bar redrawn in logs),
# so the set-up is never silent for long.
PIP := PYTHONUNBUFFERED=1 $(BIN)/pip install --disable-pip-version-check --progress-bar off
$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ needed, found " + sys.version'
	@echo "set-up: creating .venv and installing the pinned packages of requirements.txt (first time only; usually 2-3 min, far longer on a busy machine)"
	$(PROGRESS) set-up $(PYTHON) -m venv $(VENV)
	$(PROGRESS) set-up bash -c 'set -o pipefail; $(PIP) -r requirements.txt | { grep --line-buffered -E "^(Collecting|Installing|Successfully)" || true; }'
	$(PIP) --quiet --no-deps -e .
	touch $@

# Every file the book (HTML and PDF) is built from: make book and make pdf do nothing
# when none is newer than their last successful build (an up-to-date Sphinx run still
# takes some 6 s to find that out).
BOOK_INPUTS := $(shell find chapters data src _ext _latex _static -type f -not -path '*/__pycache__/*' -not -name '*.pyc' 2>/dev/null) \
  $(wildcard *.md) references.bib _config.yml _toc.yml requirements.txt

# Drop jupyter-cache records whose inputs (data files a chapter loads,
# requirements.txt, the helper package) changed: jupyter-cache keys on code only.
# Chapters without a valid cache record (new, changed code, or inputs changed: cache_inputs
# drops those records and touches the notebook) execute in parallel first; the stamp in the
# cache skips that step, and its imports, when no chapter is newer than the last fill.
FILLED := _build/.jupyter_cache/.filled
BUILT := _build/html/.built
book: $(BUILT)
$(BUILT): $(STAMP) $(BOOK_INPUTS)
	$(BIN)/python -m netbook.cache_inputs
	mkdir -p _build
	if [ ! -e $(FILLED) ] || [ -n "$$(find chapters -name '*.ipynb' -newer $(FILLED))" ]; then \
	  $(PROGRESS) execution $(BIN)/python -m netbook.execute --fill-cache && touch $(FILLED); fi
	@echo "book: Sphinx reads the changed pages and writes the HTML (usually 20-60 s; a few s when one page changed)"
	PYTHONUNBUFFERED=1 $(PROGRESS) book bash -c \
	  'set -o pipefail; $(BIN)/jupyter-book build . --warningiserror --keep-going 2>&1 | tee _build/build.log'
	touch $@

# The PDF is built first where XeLaTeX is present: the intro links it, and the browser
# tests check that link (tests/test_pdf.py builds it too, and fails under CI=true without it).
# Two workers (pytest-xdist), one browser each; a notebook's cells stay on one worker and
# kernel (--dist loadfile: one file, one worker; loadgroup cannot be used with pytest 9).
# Files go out in collection order, where tests/conftest.py puts the slowest first
# (--no-loadscope-reorder: by default xdist orders them by their number of tests).
TEST_WORKERS ?= 2
test: book lint
	if command -v xelatex >/dev/null; then $(MAKE) --no-print-directory pdf; fi
	@echo "tests: the whole suite, every chapter re-executed by nbval and the browser tests, $(TEST_WORKERS) workers (usually 3-6 min)"
	$(PROGRESS) tests $(BIN)/python -m pytest tests --nbval chapters -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

# The whole book as one PDF through Jupyter Book's LaTeX builder and XeLaTeX (Debian:
# texlive-xetex texlive-latex-extra texlive-latex-recommended texlive-fonts-recommended
# latexmk fonts-freefont-otf xindy), copied beside the HTML as _build/html/book.pdf.
# It builds under _build/pdf (its own Sphinx environment: the LaTeX builder changes
# numbering settings, which would make each build re-read every page after the other),
# sharing the HTML build's jupyter-cache. Dated by the last commit, so the same commit
# gives the same PDF.
# The PDF is remade only when a file it is built from changed (an up-to-date LaTeX build
# still takes some 18 s: make test builds it first, and tests/test_pdf.py runs make pdf again).
PDF := _build/pdf/_build/latex/book.pdf
pdf: $(PDF)
	mkdir -p _build/html
	cp $(PDF) _build/html/book.pdf
	@echo "PDF: $(PDF) ($$(pdfinfo $(PDF) 2>/dev/null | sed -n 's/^Pages: *//p') pages), copied to _build/html/book.pdf"
$(PDF): $(STAMP) $(BOOK_INPUTS)
	$(BIN)/python -m netbook.cache_inputs
	mkdir -p _build/html
	@echo "pdf: the whole book through LaTeX and XeLaTeX (usually 1-2 min; log in _build/pdf.log)"
	SOURCE_DATE_EPOCH="$$(git log -1 --format=%ct 2>/dev/null || date +%s)" $(PROGRESS) pdf bash -c \
	  '$(BIN)/jupyter-book build . --builder pdflatex --path-output _build/pdf --warningiserror \
	  --keep-going > _build/pdf.log 2>&1' || { tail -n 40 _build/pdf.log; echo "make pdf failed: see _build/pdf.log"; exit 1; }
	touch $(PDF)  # latexmk may leave an unchanged PDF's date as it was

# ruff (pinned) lints and checks the formatting of src, tests, chapters (notebooks too), _ext, bench, tools
lint: $(STAMP)
	$(BIN)/ruff check src tests chapters _ext bench tools
	$(BIN)/ruff format --check src tests chapters _ext bench tools

# Regenerate the machine-made tables under data/derived/ from the source texts
# (tests/test_derive.py fails when a committed file differs from what this writes).
data: $(STAMP)
	$(BIN)/python -m netbook.derive

# Re-execute, in parallel, the chapters whose stored outputs are stale (their code, a
# table they load, a netbook module they import or requirements.txt changed since the outputs were
# stored), in place and into the build's cache: the next make book executes nothing.
# make execute ALL=1 re-runs every chapter.
execute: $(STAMP)
	@echo "make execute: re-running the chapters whose code or inputs changed (about 10-60 s a chapter, two at a time)"
	$(PROGRESS) execute $(BIN)/python -m netbook.execute $(if $(ALL),--all)

# Which chapters read a table: make readers TABLE=trial_outcomes
readers: $(STAMP)
	@$(BIN)/python -m netbook.cache_inputs --readers "$(TABLE)"

# JupyterLab (requirements-lab.txt) goes into .venv on first use of make lab only.
LAB_STAMP := $(VENV)/.lab-installed
$(LAB_STAMP): $(STAMP) requirements-lab.txt
	@echo "lab: installing JupyterLab's pinned packages (requirements-lab.txt) into .venv (first time only; about 1 min)"
	$(PROGRESS) lab bash -c 'set -o pipefail; $(PIP) -r requirements-lab.txt | { grep --line-buffered -E "^(Collecting|Installing|Successfully)" || true; }'
	touch $@

# JupyterLab on the chapters with the book's kernel: this .venv's Python, where netbook
# is installed (JUPYTER_PREFER_ENV_PATH: its kernel before any in your home folder).
# Extra options: make lab LAB_ARGS="--no-browser --port=8890" (headless: open the URL it
# prints). As root (a container), JupyterLab refuses to start without --allow-root: added.
LAB_ARGS ?=
LAB_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
lab: $(LAB_STAMP)
	JUPYTER_PREFER_ENV_PATH=1 $(BIN)/jupyter-lab --ServerApp.root_dir="$(CURDIR)" \
	  --LabApp.default_url=/lab/tree/chapters $(LAB_ROOT) $(LAB_ARGS)

# A live preview for authors: serves the book on http://127.0.0.1:$(PREVIEW_PORT)/ and
# rebuilds on save (sphinx-autobuild, requirements-preview.txt, installed into .venv on first
# use), re-executing only a chapter whose code or data changed (netbook/preview.py).
PREVIEW_PORT ?= 8000
PREVIEW_STAMP := $(VENV)/.preview-installed
$(PREVIEW_STAMP): $(STAMP) requirements-preview.txt
	@echo "preview: installing sphinx-autobuild's pinned packages (requirements-preview.txt) into .venv (first time only; about 20 s)"
	$(PROGRESS) preview bash -c 'set -o pipefail; $(PIP) -r requirements-preview.txt | { grep --line-buffered -E "^(Collecting|Installing|Successfully)" || true; }'
	touch $@
preview: $(PREVIEW_STAMP)
	$(BIN)/python -m netbook.preview --port $(PREVIEW_PORT)

# Lighthouse (bench/package-lock.json) installs into bench/node_modules on first use.
bench/node_modules/.package-lock.json: bench/package.json bench/package-lock.json
	npm ci --prefix bench --no-audit --no-fund

# make bench BENCH=loop: only the contributor's loop (the change-a-row recipe, make preview)
BENCH ?=
bench: $(STAMP) $(PREVIEW_STAMP) $(if $(filter loop,$(BENCH)),,bench/node_modules/.package-lock.json)
	@echo "bench: $(if $(BENCH),the contributor's loop only (about 5 min),build, cache, tests, pages and the contributor's loop (about 25 min))"
	BENCH=$(BENCH) $(BIN)/python bench/run_bench.py

clean:
	rm -rf _build
