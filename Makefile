PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c

.PHONY: demo test lint typecheck templates clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,xlsm]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/qianfen-xl demo --out demo-output

test: lint typecheck
	$(BIN)/python -m pytest -q

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
