PY ?= .venv/bin/python

.PHONY: install test lint bench audit

install:
	python3 -m venv .venv && .venv/bin/pip install -e '.[dev]'

test:
	$(PY) -m pytest

lint:
	.venv/bin/ruff check verify tests bench scripts
	.venv/bin/lint-imports
	.venv/bin/mypy verify

bench:
	$(PY) bench/encoder_choice.py

audit:
	.venv/bin/verify audit
