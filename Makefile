# Pasar's commands. Each creates or reuses the virtualenv in .venv and installs what it needs.
#   make run    the demo shop at http://127.0.0.1:8000 (SQLite, demo catalogue, zero config)
#   make test   the test suite (SQLite; set DATABASE_URL and REDIS_URL for PostgreSQL and Redis)
#   make lint   ruff (lint and format) and mypy
#   make worker a Celery worker (needs CELERY_BROKER_URL)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format worker venv dev-venv messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the requirements change.
$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

venv: $(VENV)/.installed
dev-venv: $(VENV)/.installed-dev

run: venv
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py search_reindex
	$(BIN)/python manage.py recommendations train --if-stale
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: dev-venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: dev-venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

format: dev-venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

worker: venv
	$(BIN)/celery -A shop worker --loglevel=INFO

messages: dev-venv
	$(BIN)/python manage.py makemessages -l id --ignore=.venv --ignore=var
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf var
