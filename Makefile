# Two commands for a newcomer: `make demo` runs the product, `make test` runs the tests.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint bench clean messages

# The web UI's libraries (htmx, mermaid, chart.js) come from npm, pinned in package-lock.json.
$(STAMP): pyproject.toml package-lock.json
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	npm ci --no-audit --no-fund --loglevel=error
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/channelops demo

test: $(STAMP)
	./scripts/test

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/engine.py

# After changing a UI string: extract them all and update the zh/en catalogs (then translate the new zh entries).
messages: $(STAMP)
	mkdir -p build
	$(BIN)/pybabel extract -F api/locales/babel.cfg -k gettext --no-location --sort-output -o build/messages.pot .
	$(BIN)/pybabel update -i build/messages.pot -d api/locales -D messages --no-fuzzy-matching --width 120

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
