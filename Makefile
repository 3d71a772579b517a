# Two commands do everything: `make run` and `make test`. See README.md.
VENV     := .venv
PY       := $(VENV)/bin/python
TRAINER  := $(VENV)/bin/trainer
HOST     ?= 127.0.0.1
PORT     ?= 5000

.PHONY: run test lint setup-db clean bench lock

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip

# Dependencies come from the lock files (exact versions with their hashes; `make lock`
# refreshes them from pyproject.toml), then the package itself without resolving anything.
$(VENV)/.run-installed: pyproject.toml requirements/run.txt | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet --require-hashes -r requirements/run.txt
	$(VENV)/bin/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml requirements/test.txt package.json package-lock.json | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet --require-hashes -r requirements/test.txt
	$(VENV)/bin/pip install --quiet --no-deps -e .
	npm ci --no-audit --no-fund --silent
	touch $@ $(VENV)/.run-installed

LOCK := --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links

# Re-resolve the lock files after changing dependencies in pyproject.toml (or to take
# upgrades: add --upgrade). Commit both files; CI installs exactly what they say.
lock: | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet pip-tools
	$(VENV)/bin/pip-compile $(LOCK) -o requirements/run.txt pyproject.toml
	$(VENV)/bin/pip-compile $(LOCK) --extra test --extra bench -c requirements/run.txt \
		-o requirements/test.txt pyproject.toml

# Links in e-mails and QR codes point where `make run` serves, unless TRAINER_BASE_URL says
# otherwise (set only for these commands: the tests configure their own)
BASE_URL := $(or $(TRAINER_BASE_URL),http://$(HOST):$(PORT))

setup-db: $(VENV)/.run-installed
	$(TRAINER) db upgrade
	$(TRAINER) content load
	TRAINER_BASE_URL=$(BASE_URL) $(TRAINER) demo

run: setup-db
	@echo ""
	@echo "trainer is starting at http://$(HOST):$(PORT)/ with its background worker"
	@echo "(mail, reminders, scheduled jobs). Ctrl-C stops both. Demo sign-ins are listed above."
	@echo ""
	TRAINER_BASE_URL=$(BASE_URL) TRAINER_WEBHOOKS_ALLOW_LOOPBACK=1 \
		$(TRAINER) serve --host $(HOST) --port $(PORT) --with-worker

lint: $(VENV)/.test-installed
	$(VENV)/bin/ruff check trainer tests bench
	$(VENV)/bin/ruff format --check trainer tests bench
	$(VENV)/bin/mypy

test: $(VENV)/.test-installed
	bash scripts/system-deps.sh
	$(VENV)/bin/ruff check trainer tests bench
	$(VENV)/bin/ruff format --check trainer tests bench
	$(VENV)/bin/mypy
	$(TRAINER) content check content
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# Seeds SQLite and PostgreSQL (trainer_bench*) with 1M hour entries, measures, writes
# BENCHMARKS.md (about 20 min; see bench/README.md). BENCH_ARGS="--engines sqlite" skips PostgreSQL.
bench: $(VENV)/.test-installed
	bash scripts/system-deps.sh
	command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } \
		|| echo "wrk is missing (apt-get install wrk): the bare-Flask comparison will be skipped"
	$(PY) -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules instance .pytest_cache .ruff_cache
