# wijkstudie: the two commands of the README.
#   make reproduce   run every notebook that changed (all, the first time), write every figure (into figures/) and
#                    the report site (build/site/index.html); FORCE=1 runs them all
#   make site        write the report site again from the last complete run (only whole runs are published)
#   make lab         JupyterLab from .venv, with the settings below passed on to every notebook
#   make test        run the test suite, notebooks and browser checks included (what CI runs), on the mirror of
#                    WIJKSTUDIE_MIRROR or of the project file (tests/helpers.py finds it as the package does)
#   make test-fast   the library tests alone, for every edit (no notebooks, browser or slow tests)
#   make lint        ruff: lint and format check (CI runs it)
# Both create and fill .venv when it is missing or older than pyproject.toml.
#
# Settings (README, Settings; `.venv/bin/wijkstudie config` shows them): the package reads ws.settings, the
# WIJKSTUDIE_* variables and the project file (wijkstudie.toml, or [tool.wijkstudie] in pyproject.toml), and nothing
# else: it chooses no folder from a git checkout. This repository's folders are set in [tool.wijkstudie] of
# pyproject.toml: data/ (the cache), figures/ and build/; without a project file the figures and build folders are
# those of the folder a program started in, and the cache the user cache folder. make adds one convenience for a
# fresh clone: when neither WIJKSTUDIE_MIRROR nor a project file here names a mirror, and a mirror of the
# publishers' files lies beside the repository (../shared/data, with its MANIFEST.md), make passes it on as
# WIJKSTUDIE_MIRROR. Write `mirror = "../shared/data"` (with the three folders) into a wijkstudie.toml (git-ignored)
# to have JupyterLab, the CLI and plain Python see it too; otherwise files are downloaded from the publishers.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

MIRROR_IN_PROJECT_FILE := $(shell grep -Eqs '^[[:space:]]*mirror[[:space:]]*=' wijkstudie.toml pyproject.toml && echo yes)
ifeq ($(origin WIJKSTUDIE_MIRROR)$(MIRROR_IN_PROJECT_FILE), undefined)
  ifneq ($(wildcard ../shared/data/MANIFEST.md),)
    export WIJKSTUDIE_MIRROR := $(abspath ../shared/data)
  endif
endif
export MPLBACKEND := Agg

.PHONY: reproduce site lab test test-fast lint format benchmark clean-data

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[all]'
	touch $(STAMP)

reproduce: $(STAMP)
	$(BIN)/python -m wijkstudie reproduce $(if $(FORCE),--force)

site: $(STAMP)
	$(BIN)/python -m wijkstudie site

lab: $(STAMP)
	$(BIN)/python -m wijkstudie lab $(LAB_OPTIONS)

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile

test-fast: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile tests -m "not network and not browser and not slow"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

benchmark: $(STAMP)
	$(BIN)/python benchmarks/bench_load.py
	$(BIN)/python benchmarks/bench_synthetic.py
	$(BIN)/python benchmarks/bench_harmonise.py
	$(BIN)/python benchmarks/bench_reproduce.py

clean-data:
	rm -rf data/raw data/processed
