# The two commands in the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test install migrate lint clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## Set up, create or upgrade the database (and the keyring on first run), serve on http://$(HOST):$(PORT)
run: $(STAMP)
	$(BIN)/haven migrate
	$(BIN)/haven serve --host $(HOST) --port $(PORT)

## Set up and run the whole test suite (SQLite; PostgreSQL too when HAVEN_TEST_DATABASE_URL is set)
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
