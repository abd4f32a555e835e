# wijkstudie: the two commands of the README.
#   make reproduce   run every notebook that changed (all, the first time), write every figure (into figures/) and
#                    the report site (build/site/index.html); FORCE=1 runs them all
#   make site        write the report site again from the last run
#   make test        run the test suite, notebooks and browser checks included (what CI runs)
#   make test-fast   the library tests alone, for every edit (no notebooks, browser or slow tests)
#   make lint        ruff: lint and format check (CI runs it)
# Both create and fill .venv when it is missing or older than pyproject.toml.
#
# Data: when WIJKSTUDIE_MIRROR is not set and a mirror of the publishers' files lies beside the checkout
# (../shared/data, with its MANIFEST.md), it is used; otherwise files are downloaded from the publishers.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

ifeq ($(origin WIJKSTUDIE_MIRROR), undefined)
  ifneq ($(wildcard ../shared/data/MANIFEST.md),)
    export WIJKSTUDIE_MIRROR := $(abspath ../shared/data)
  endif
endif
export MPLBACKEND := Agg

.PHONY: reproduce site test test-fast lint format benchmark clean-data

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[all]'
	touch $(STAMP)

reproduce: $(STAMP)
	$(BIN)/python -m wijkstudie.reproduce $(if $(FORCE),--force)

site: $(STAMP)
	$(BIN)/python -m wijkstudie.reproduce.site

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
