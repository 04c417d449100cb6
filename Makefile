# Two commands a newcomer needs: `make demo` and `make test`. Both create the virtual environment.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Build the demo workspace (SQLite, local Slack server, demo data) and run the tour, offline.
demo: install
	$(BIN)/csbot demo

## Lint, then run the whole suite (SQLite and PostgreSQL at 127.0.0.1:5432).
test: install lint
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install
	$(BIN)/python -m bench.health

clean:
	rm -rf $(VENV) csbot.db csbot.db-* demo-data bench/.cache
