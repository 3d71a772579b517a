# Two commands do everything: `make run` and `make test`. See README.md.
VENV     := .venv
PY       := $(VENV)/bin/python
TRAINER  := $(VENV)/bin/trainer
HOST     ?= 127.0.0.1
PORT     ?= 5000

.PHONY: run test lint setup-db clean bench

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip

$(VENV)/.run-installed: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml package.json package-lock.json | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet -e '.[test]'
	npm ci --no-audit --no-fund --silent
	touch $@ $(VENV)/.run-installed

setup-db: $(VENV)/.run-installed
	$(TRAINER) db upgrade
	$(TRAINER) content load
	$(TRAINER) demo

run: setup-db
	@echo ""
	@echo "trainer is starting at http://$(HOST):$(PORT)/ with its background worker"
	@echo "(mail, reminders, scheduled jobs). Ctrl-C stops both. Demo sign-ins are listed above."
	@echo ""
	$(TRAINER) serve --host $(HOST) --port $(PORT) --with-worker

lint: $(VENV)/.test-installed
	$(VENV)/bin/ruff check trainer tests

test: $(VENV)/.test-installed
	bash scripts/system-deps.sh
	$(VENV)/bin/ruff check trainer tests
	$(TRAINER) content check content
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# Seeds SQLite and PostgreSQL (trainer_bench*) with 1M hour entries, measures, writes
# BENCHMARKS.md (about 20 min; see bench/README.md). BENCH_ARGS="--engines sqlite" skips PostgreSQL.
bench: | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet -e '.[test,bench]'
	$(PY) -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules instance .pytest_cache .ruff_cache
