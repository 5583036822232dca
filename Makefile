# Klaxon: `make up` runs the platform locally on the demo organisation, `make test` runs every tier.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
ARGS ?=
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION ?= 20

.PHONY: up test lint unit integration infra e2e synth bench deploy install system-deps clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Real outside programs the e2e tier drives: Debian's Alertmanager.
system-deps:
	@if ! command -v prometheus-alertmanager >/dev/null 2>&1; then \
	  echo "installing prometheus-alertmanager (apt-get)"; \
	  (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus-alertmanager >/dev/null; \
	fi

up: $(STAMP)
	$(VENV)/bin/klaxon up --config examples/acme.yaml $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

unit: $(STAMP)
	$(PY) -m pytest tests/unit -q

integration: $(STAMP)
	$(PY) -m pytest tests/integration -q

infra: $(STAMP)
	$(PY) -m pytest tests/infra -q

e2e: $(STAMP) system-deps
	$(PY) -m pytest tests/e2e -q

test: $(STAMP) system-deps lint
	$(PY) -m pytest tests -q

synth: $(STAMP)
	$(VENV)/bin/cdk-synth

bench: $(STAMP)
	$(PY) -m bench

deploy: $(STAMP)
	npx --yes aws-cdk@2 deploy --all

clean:
	rm -rf $(VENV) cdk.out .pytest_cache .mypy_cache .ruff_cache
