# Two set-up commands: `make demo` and `make test`. Everything the tests need is installed here, from
# the lock files in requirements/ (every package pinned with its hashes); `make lock` regenerates them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint install lock system-packages browser-packages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The locked packages only (pip refuses any package, or file, whose hash is not in the lock), then
# Tunnelview itself without its dependencies, built by the locked hatchling.
$(STAMP): pyproject.toml requirements/dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# After changing a dependency in pyproject.toml: `make lock`, then commit requirements/. It keeps every
# pin it can and adds or changes only what pyproject.toml now asks for, so it is safe to rerun (after a
# merge, rerun it rather than merging the lock files by hand). `make lock LOCK_ARGS=--upgrade` moves
# every package to its newest release. One universal lock for Python 3.11+ on every platform, so the
# image (docs/deployment.md) installs the same versions as the tests. main.txt is the runtime (what
# the image installs), constrained by dev.txt so both pin the same versions; chromium.txt what the image
# adds with --build-arg WITH_CHROMIUM=1 (playwright, for TUNNELVIEW_PDF_RENDERER=chromium).
LOCK_FLAGS := --generate-hashes --universal --python-version 3.11 --custom-compile-command "make lock" --quiet

$(BIN)/uv: | $(BIN)/python
	$(BIN)/pip install --quiet "uv>=0.9"

lock: $(BIN)/uv
	$(BIN)/uv pip compile pyproject.toml requirements/build.in --extra dev $(LOCK_FLAGS) $(LOCK_ARGS) \
		-o requirements/dev.txt
	$(BIN)/uv pip compile pyproject.toml requirements/build.in --constraint requirements/dev.txt \
		$(LOCK_FLAGS) -o requirements/main.txt
	$(BIN)/uv pip compile requirements/chromium.in --constraint requirements/dev.txt \
		$(LOCK_FLAGS) -o requirements/chromium.txt

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
