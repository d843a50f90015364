# Marquee — two commands: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# Find a Python 3.12+ interpreter: $(PYTHON) if given, then python3.13/3.12 on PATH,
# then pyenv's versions, then plain python3 if it is new enough.
PYTHON ?= $(shell \
	for c in python3.13 python3.12 \
	         $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python 2>/dev/null | sort -rV) \
	         python3; do \
	  p=$$(command -v $$c 2>/dev/null) || continue; \
	  $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; \
	done)

HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install run test lint check-python migrate demo

help:
	@echo "make run    install, migrate, load demo content, serve on http://$(HOST):$(PORT)/"
	@echo "make test   install and run the whole test suite"
	@echo "make lint   ruff"

check-python:
	@if [ -z "$(PYTHON)" ]; then \
	  echo "error: Marquee needs Python 3.12 or newer and none was found." >&2; \
	  echo "       Install one (e.g. 'pyenv install 3.12') or pass PYTHON=/path/to/python3.12." >&2; \
	  exit 1; fi

$(STAMP): pyproject.toml | check-python
	@test -x $(PY) || { echo "Creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	DEBUG=1 $(PY) manage.py migrate --noinput

demo: migrate
	DEBUG=1 $(PY) manage.py load_demo

run: demo
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

lint: install
	$(VENV)/bin/ruff check .

test: install
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)
