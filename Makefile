# Everything builds from nothing: `make test` on a new machine creates the
# virtual environments it needs and reuses them while they are up to date.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BQEMU_VENV := .venv-bqemu
BQEMU_STAMP := $(BQEMU_VENV)/.installed

.PHONY: run test bench screenshots clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/dataset-tui

# The static checks run first and fail fast: lint, types, then the layer
# contracts (configured in pyproject.toml), then the tests.
test: $(STAMP) $(BQEMU_STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q

BENCHES := bench/store.py bench/warehouse.py bench/startup.py bench/materialize.py bench/stats.py bench/scale.py

bench: $(STAMP)
	@for b in $(BENCHES); do echo "== $$b"; $(BIN)/python $$b || exit 1; done

screenshots: $(STAMP)
	$(BIN)/python scripts/screenshots.py

# The BigQuery emulator lives in its own environment: it pins its own sqlglot
# and duckdb and pulls ~600 MB that the app does not need (see tests/emulator.py).
$(BQEMU_STAMP): scripts/install-bqemulator.sh
	bash scripts/install-bqemulator.sh $(BQEMU_VENV)
	touch $(BQEMU_STAMP)

clean:
	rm -rf $(VENV) $(BQEMU_VENV) .pytest_cache
