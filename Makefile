# Thin wrappers: dev.py does the work (and creates .venv on first use).
PYTHON ?= python3

.PHONY: run test ci lint vendor

run:    ## README command (a): migrate, demo data, web + worker + beat on http://127.0.0.1:8000/
	$(PYTHON) dev.py up

test:   ## README command (b): the whole test suite
	$(PYTHON) dev.py test

ci:     ## what CI runs: embedded default, then PostgreSQL + Redis, then the browser tests
	bash .ci/run

lint:   ## ruff check
	$(PYTHON) dev.py lint

vendor: ## refresh static/vendor/ from the npm registry
	bash scripts/vendor_static.sh
