# Two commands for a newcomer: `make demo` runs the product, `make test` runs the tests.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: install install-dev demo test lint bench clean messages

# What the product needs: the runtime dependencies, and the web UI's libraries (htmx, mermaid,
# chart.js) from npm, pinned in package-lock.json. `make demo` installs only this.
$(STAMP): pyproject.toml package-lock.json
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	npm ci --no-audit --no-fund --loglevel=error
	touch $(STAMP)

# The test tools on top (pytest, playwright, schemathesis, ruff, mypy...): `make test` adds them.
$(DEV_STAMP): $(STAMP)
	$(BIN)/pip install -q -e '.[dev]'
	touch $(DEV_STAMP)

install: $(STAMP)

install-dev: $(DEV_STAMP)

# DEMO_ARGS: options for `channelops demo`, e.g. make demo DEMO_ARGS="--port 8080"
DEMO_ARGS ?=

demo: $(STAMP)
	$(BIN)/channelops demo $(DEMO_ARGS)

test: $(DEV_STAMP)
	./scripts/test

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(DEV_STAMP)
	$(BIN)/python bench/engine.py

# After changing a UI string: extract them all and update the zh/en catalogs (then translate the new zh entries).
messages: $(DEV_STAMP)
	$(BIN)/python scripts/messages.py

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
