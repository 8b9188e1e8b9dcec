# The two commands a newcomer types: `make run` and `make test`. Everything else is what they need.
SHELL := /bin/bash
VENV := .venv
PYTHON ?= python3
FLASK := $(VENV)/bin/flask --app web
PYTEST_ARGS ?=

.PHONY: run test setup system-packages python-packages node-packages migrate bench conformance clean

run: setup migrate
	$(FLASK) demo --if-empty
	@echo "打开 http://127.0.0.1:5000 （演示账号见 README.md）"
	$(VENV)/bin/honcho start

# Test files run on every core, a file's tests in one worker (their module fixtures are built once);
# PYTEST_ARGS=-n0 runs them in one process.
test: setup
	$(VENV)/bin/pytest -n auto --dist loadfile $(PYTEST_ARGS)

setup: system-packages python-packages node-packages

system-packages:
	scripts/system-packages

python-packages: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt
	touch $@

node-packages: node_modules/.installed web/static/editor/editor.js web/static/dmn/dmn.js

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The process editor's bundle (bpmn-js Modeler + properties panel), generated after `npm ci`.
web/static/editor/editor.js: node_modules/.installed scripts/build-editor.mjs $(wildcard web/editor_src/*.js)
	node scripts/build-editor.mjs

# The decision table editor's bundle (dmn-js Modeler, Chinese labels), generated after `npm ci`.
web/static/dmn/dmn.js: node_modules/.installed scripts/build-dmn.mjs $(wildcard web/dmn_src/*) web/editor_src/translator.js web/editor_src/http.js
	node scripts/build-dmn.mjs

migrate: python-packages
	mkdir -p var
	$(FLASK) db upgrade

# The benchmark at the city's scale (issue 8), on SQLite and then PostgreSQL (a local server is started if it is
# down; the database is created if missing). The tables go to bench/results.md and the console.
BENCH_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/bench
bench: setup
	$(VENV)/bin/python -m bench --database sqlite --scale full
	pg_isready -h 127.0.0.1 -p 5432 -q || pg_ctlcluster --skip-systemctl-redirect "$$(ls /etc/postgresql | head -n 1)" main start
	for _ in $$(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(VENV)/bin/python -m bench --database postgresql --scale full

# What of other people's BPMN diagrams deploys and starts (issue 15): every .bpmn under DIR through the API on a
# scratch database; a table per folder (files, accepted, started, refused by rule, 5xx). Not part of `make test`.
DIR ?= ../shared/corpus/
conformance: setup
	$(VENV)/bin/python -m tools.conformance $(DIR)

clean:
	rm -rf $(VENV) node_modules var/putuo.db
