# The two commands a newcomer types: `make run` and `make test`. Everything else is what they need.
SHELL := /bin/bash
VENV := .venv
PYTHON ?= python3
FLASK := $(VENV)/bin/flask --app web
PYTEST_ARGS ?=

.PHONY: run test setup system-packages python-packages node-packages migrate bench clean

run: setup migrate
	$(FLASK) demo --if-empty
	@echo "打开 http://127.0.0.1:5000 （演示账号见 README.md）"
	$(VENV)/bin/honcho start

test: setup
	$(VENV)/bin/pytest $(PYTEST_ARGS)

setup: system-packages python-packages node-packages

system-packages:
	scripts/system-packages

python-packages: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt
	touch $@

node-packages: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

migrate: python-packages
	mkdir -p var
	$(FLASK) db upgrade

clean:
	rm -rf $(VENV) node_modules var/putuo.db
