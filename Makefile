# Two set-up commands: `make demo` and `make test`. Everything the tests need is installed here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint install system-packages browser-packages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Debian packages: WeasyPrint's libraries (PDF reports); Chromium too for the browser tests.
system-packages:
	bash scripts/system-packages.sh

browser-packages:
	bash scripts/system-packages.sh --with-browser

demo: $(STAMP) system-packages
	TUNNELVIEW_DEV_MODE=1 $(BIN)/tunnelview db upgrade
	TUNNELVIEW_DEV_MODE=1 $(BIN)/tunnelview demo --serve

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# One pytest-xdist worker per core (TEST_WORKERS=2 to choose), each with its own databases; the browser
# tests share one worker. `pytest -m "not browser and not pdf"` leaves out the slowest for a quick run.
TEST_WORKERS ?= auto

test: lint browser-packages
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup

clean:
	rm -rf $(VENV) tunnelview.db
