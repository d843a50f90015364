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
# The cache's files, shared by every target on the local database (`make run`, `make serve`,
# the imports and `make manage`), so what a command publishes or withdraws reaches the pages the
# running server keeps; each server's own pages are kept apart (MARQUEE_RELEASE, settings.py).
CACHE_ENV = CACHE_DIR="$${CACHE_DIR:-$(CURDIR)/var/cache-dev}"
# Development settings for every command run on the local database: links in mail and the
# sign-in URL that `make run` prints follow HOST and PORT.
DEV_ENV = DEBUG=1 MARQUEE_SITE_URL="$${MARQUEE_SITE_URL:-http://$(HOST):$(PORT)}" $(CACHE_ENV)

.PHONY: help install run serve test test-fast lint bench check-python migrate demo \
	import-film import-review manage

help:
	@echo "make run    install, migrate, load demo content, serve on http://$(HOST):$(PORT)/"
	@echo "make serve  production-style: DEBUG off, collectstatic, gunicorn and the task worker on http://$(HOST):$(PORT)/"
	@echo "make test   install and run the whole test suite"
	@echo "make test-fast  the suite without browser, server and large-data tests, on every core"
	@echo "make lint   ruff check and ruff format --check"
	@echo "make import-film FILE=x.json      import a film from TMDB's JSON (ARGS=... for more)"
	@echo "make import-review FILE=x.txt     import a review (ARGS='--film slug --author name --publish')"
	@echo "make manage CMD='changepassword admin'  any manage.py command on the development settings"
	@echo "make bench  benchmarks on PostgreSQL at scale 1 (bench/README.md) -> bench/RESULTS.md"

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
	$(DEV_ENV) $(PY) manage.py migrate --noinput

demo: migrate
	$(DEV_ENV) $(PY) manage.py load_demo

run: demo
	$(DEV_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

import-film: migrate
	@test -n "$(FILE)" || { echo "usage: make import-film FILE=path/to/film.tmdb.json" >&2; exit 2; }
	$(DEV_ENV) $(PY) manage.py import_film "$(FILE)" $(ARGS)

import-review: migrate
	@test -n "$(FILE)" || { echo "usage: make import-review FILE=path/to/review.txt ARGS='--publish'" >&2; exit 2; }
	$(DEV_ENV) $(PY) manage.py import_review "$(FILE)" $(ARGS)

manage: install
	@test -n "$(CMD)" || { echo "usage: make manage CMD='changepassword admin'" >&2; exit 2; }
	$(DEV_ENV) $(PY) manage.py $(CMD)

# The production stack on this machine: DEBUG off, hashed static files through WhiteNoise,
# gunicorn with gunicorn.conf.py, JSON logs. Plain HTTP on loopback, so the HTTPS-only settings
# (redirect, Secure cookies, HSTS) are off here and nowhere else. Any variable already set in the
# environment wins; SECRET_KEY is a throwaway one unless given.
SERVE_ENV = DEBUG=0 \
	SECRET_KEY="$${SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')}" \
	ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}" \
	SECURE_SSL_REDIRECT="$${SECURE_SSL_REDIRECT:-0}" \
	SESSION_COOKIE_SECURE="$${SESSION_COOKIE_SECURE:-0}" \
	CSRF_COOKIE_SECURE="$${CSRF_COOKIE_SECURE:-0}" \
	SECURE_HSTS_SECONDS="$${SECURE_HSTS_SECONDS:-0}" \
	SERVE_MEDIA="$${SERVE_MEDIA:-1}" \
	$(CACHE_ENV)

serve: install
	$(SERVE_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	$(SERVE_ENV) $(PY) manage.py migrate --noinput
	@# The task worker (manage.py run_worker) runs beside gunicorn, with the same settings, and
	@# stops with it: Ctrl-C or SIGTERM stops both (README "Background tasks").
	export $(SERVE_ENV) GUNICORN_BIND="$${GUNICORN_BIND:-$(HOST):$(PORT)}"; \
	  $(PY) manage.py run_worker & worker=$$!; \
	  trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	  $(VENV)/bin/gunicorn -c gunicorn.conf.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: install
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

# The inner loop: tests marked `slow` (browsers, nginx/Varnish, gunicorn and other subprocesses,
# large data sets) are left out, and the rest runs on every core (pytest-xdist).
test-fast: install
	$(PY) -m pytest -m "not slow" -n auto $(PYTEST_ARGS)

# Benchmarks (bench/README.md): PostgreSQL and Redis on this machine, nginx and wrk from Debian.
BENCH_ARGS ?=
bench: install
	@command -v nginx >/dev/null && command -v wrk >/dev/null || { \
	  echo "Installing Debian's nginx and wrk for the throughput runs"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light wrk >/dev/null; }
	$(PY) bench/run.py $(BENCH_ARGS)
