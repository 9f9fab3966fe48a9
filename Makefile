# Quick start: `make run` serves the app, its worker and scheduler on SQLite; `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# One stamp per lock file, named after its checksum: a changed lock reinstalls.
RUN_STAMP := $(VENV)/.installed-run-$(shell cksum < requirements.lock | cut -d' ' -f1)
DEV_STAMP := $(VENV)/.installed-dev-$(shell cksum < requirements-dev.lock | cut -d' ' -f1)
PIP := $(BIN)/pip install --quiet --disable-pip-version-check
FLASK := $(BIN)/flask --app booking

.PHONY: install install-dev run test lock benchmark benchmark-notifications

$(VENV)/pyvenv.cfg:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required, found " + sys.version)'
	$(PYTHON) -m venv $(VENV)

# What the app needs to run (requirements.lock, as in the Docker image).
$(RUN_STAMP): requirements.lock | $(VENV)/pyvenv.cfg
	$(PIP) -r requirements.lock
	rm -f $(VENV)/.installed-run-*
	touch $@

# The same plus the test tools (pytest, ruff, playwright...), at the same versions.
$(DEV_STAMP): requirements-dev.lock $(RUN_STAMP)
	$(PIP) -r requirements-dev.lock
	rm -f $(VENV)/.installed-dev-*
	touch $@

install: $(RUN_STAMP)

install-dev: $(DEV_STAMP)

run: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	$(BIN)/honcho start --procfile Procfile

# Two workers (pytest-xdist), one per core of the CI machine; `make test PYTEST_ARGS=` runs in one process.
# The browser tests keep a screenshot of each staff page they check in test-artifacts/screenshots/ (not in git).
PYTEST_ARGS ?= -n 2

test: install-dev
	$(BIN)/ruff check booking worker tests benchmarks migrations
	$(BIN)/mypy
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The benchmarks (PostgreSQL and Redis on this machine; see benchmarks/README.md).
benchmark: install-dev
	$(BIN)/python benchmarks/booking.py
	$(BIN)/python benchmarks/notifications.py
	$(BIN)/python benchmarks/staff.py
	$(BIN)/python benchmarks/course.py
	$(BIN)/python benchmarks/plans.py
	$(BIN)/python benchmarks/waitlist.py
	$(BIN)/python benchmarks/waitlist_claims.py
	$(BIN)/python benchmarks/waitlist_offering.py
	$(BIN)/python benchmarks/waitlist_latency.py

benchmark-notifications: install-dev
	$(BIN)/python benchmarks/notifications.py

# Re-pin every dependency after editing pyproject.toml (needs uv: pip install uv).
# requirements.lock is what the app runs on (the Docker image); requirements-dev.lock
# adds the test tools at the same versions (`make run` installs the first, `make test` both).
lock:
	uv pip compile pyproject.toml --python-version 3.11 --no-header -o requirements.lock
	uv pip compile pyproject.toml --extra dev -c requirements.lock --python-version 3.11 --no-header -o requirements-dev.lock
