PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint templates clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/qianfen-xl demo --out demo-output

test: $(STAMP)
	$(BIN)/ruff check qianfen_xl schemas tests benchmarks
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check qianfen_xl schemas tests benchmarks

templates: $(STAMP)
	$(BIN)/qianfen-xl templates --out workbook_templates --xlsm
	$(BIN)/python -m qianfen_xl.excel.vba macros

clean:
	rm -rf $(VENV) demo-output .pytest_cache
