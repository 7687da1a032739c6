# The two commands of the README's quick start: `make demo` and `make test`.
# Both create .venv and install everything they need on a fresh machine.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
NODE_DIR   := tests/interchange/node
NODE_STAMP := $(NODE_DIR)/node_modules/.installed-stamp

.PHONY: demo test lint typecheck unit system-deps diagrams invoice-sample bench bench-quick bench-readme clean

$(STAMP): pyproject.toml tests/plugin_pkg/pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip install --quiet -e tests/plugin_pkg
	@touch $(STAMP)

system-deps:
	@scripts/system-deps.sh

# xstate for the interchange tests, exactly as package-lock.json pins it (node and npm come from
# system-deps, which runs first).
$(NODE_STAMP): $(NODE_DIR)/package.json $(NODE_DIR)/package-lock.json | system-deps
	cd $(NODE_DIR) && npm ci --no-audit --no-fund
	@touch $(NODE_STAMP)

demo: $(STAMP)
	$(BIN)/missionflow demo

test: $(STAMP) system-deps $(NODE_STAMP) lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP) $(NODE_STAMP)
	$(BIN)/pytest --cov --cov-report=term --cov-fail-under=$$(cat .coverage-floor)

diagrams: $(STAMP)
	$(BIN)/missionflow diagram --all -o diagrams
	$(BIN)/python scripts/sync_readme_diagram.py

invoice-sample: $(STAMP) system-deps
	$(BIN)/python scripts/render_sample_invoice.py

bench: $(STAMP) system-deps
	$(BIN)/python bench/run.py

bench-quick: $(STAMP) system-deps
	$(BIN)/python bench/run.py --quick

bench-readme: $(STAMP)
	$(BIN)/python bench/readme.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage dist build
