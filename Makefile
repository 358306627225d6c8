# The two commands a newcomer needs: `make run` and `make test`. Both create the virtual
# environment from the lock file on first use.
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTHON ?= python3
DB ?= sqlite:///.apiary/examples.db
HOST ?= 127.0.0.1
PORT ?= 8000
EXAMPLES := $(wildcard examples/*.yaml)

.PHONY: install run test check lint types pytest lock clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

# Serve the example apps on SQLite at http://127.0.0.1:8000, with a sample user (and a fresh
# token) for every role of every app.
run: install
	@mkdir -p .apiary
	$(BIN)/apiary validate $(EXAMPLES)
	$(BIN)/apiary migrate $(EXAMPLES) --db $(DB)
	$(BIN)/apiary users sample $(EXAMPLES) --db $(DB) | tee .apiary/tokens.txt
	@echo "Tokens saved in .apiary/tokens.txt. Try:"
	@echo "  curl -H \"Authorization: Bearer \$$(awk '/admin@helpdesk/ {print \$$3}' .apiary/tokens.txt)\" http://127.0.0.1:8000/api/helpdesk/Ticket"
	$(BIN)/apiary serve $(EXAMPLES) --db $(DB) --host $(HOST) --port $(PORT)

test: check pytest

check: lint types

lint: install
	$(BIN)/ruff check apiary tests $(wildcard bench)

types: install
	$(BIN)/mypy

pytest: install
	$(BIN)/pytest -q

# Re-resolve dependencies after editing pyproject.toml (needs network access to PyPI).
lock: install
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --quiet \
		-o requirements-dev.lock

clean:
	rm -rf $(VENV) .apiary .pytest_cache .mypy_cache .ruff_cache
