PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c

.PHONY: demo test test-quick lint typecheck templates clean
# pytest-xdist: one worker per core ("auto"), each test module whole on one worker (its
# module fixtures built once); the demo year and the other shared fixtures are built once
# for all workers (tests/conftest.py: shared).
WORKERS ?= auto
PYTEST := $(BIN)/python -m pytest -q -n $(WORKERS) --dist loadfile

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,xlsm]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/qianfen-xl demo --out demo-output

test: lint typecheck
	$(PYTEST)

# Without the tests that recalculate or print in LibreOffice and gnumeric (marked so):
# quicker while developing; `make test` runs them all.
test-quick: $(STAMP)
	$(PYTEST) -m "not libreoffice and not gnumeric"

# ruff, and the import contracts of pyproject.toml (layers; scoring without I/O).
lint: $(STAMP)
	$(BIN)/ruff check qianfen_xl schemas tests benchmarks
	$(BIN)/lint-imports

# mypy --strict on the package as it is installed: schemas/ is qianfen_xl.schemas, so the
# check runs on a copy laid out that way (messages name the files as they are here).
typecheck: $(STAMP)
	rm -rf build/typecheck && mkdir -p build/typecheck
	cp -R qianfen_xl build/typecheck/qianfen_xl && cp -R schemas build/typecheck/qianfen_xl/schemas
	cd build/typecheck && ../../$(BIN)/mypy --config-file ../../pyproject.toml \
	  --cache-dir ../mypy-cache qianfen_xl | sed 's#^qianfen_xl/schemas/#schemas/#'

templates: $(STAMP)
	$(BIN)/qianfen-xl templates --out workbook_templates --xlsm
	$(BIN)/python -m qianfen_xl.excel.vba macros

clean:
	rm -rf $(VENV) demo-output .pytest_cache build
