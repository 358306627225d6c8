# The two commands a newcomer needs: `make run` and `make test`. Both create the virtual
# environment from the lock file on first use.
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTHON ?= python3
DB ?= sqlite:///.apiary/examples.db
EXAMPLES := $(wildcard examples/*.yaml)

.PHONY: install run test check lint types pytest lock clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

run: install
	@mkdir -p .apiary
	$(BIN)/apiary validate $(EXAMPLES)
	@for f in $(EXAMPLES); do $(BIN)/apiary describe $$f; echo; done
	$(BIN)/apiary migrate $(EXAMPLES) --db $(DB)

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
