# Thin wrappers around scripts/dev, which does the work (see README.md).
# Pass pytest arguments with ARGS, e.g. make test ARGS="-k health -x".
ARGS ?=

.PHONY: run test lint setup es-start es-stop es-status

run:
	./scripts/dev run

test:
	./scripts/dev test $(ARGS)

lint:
	./scripts/dev lint

setup:
	./scripts/dev setup

es-start: setup
	.venv/bin/aiposts-es start

es-stop: setup
	.venv/bin/aiposts-es stop

es-status: setup
	.venv/bin/aiposts-es status
