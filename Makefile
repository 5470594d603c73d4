# The two commands of the README: `make up` runs the product with demo data, `make test` runs every test.
# Each sets itself up (virtual environment, dependencies) and is safe to run again.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: up test install schema lint clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

up: $(STAMP)
	$(BIN)/agentops up

test: lint
	$(BIN)/python -m pytest

# Style and formatting (ruff), and the layers as import contracts (import-linter); both set in pyproject.toml.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

schema: $(STAMP)
	$(BIN)/agentops schema export

clean:
	rm -rf $(VENV) .agentops
