# Klaxon: `make up` runs the platform locally on the demo organisation, `make test` runs every tier.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUN_STAMP := $(VENV)/.installed-run
STAMP := $(VENV)/.installed-test
ARGS ?=
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION ?= 20

.PHONY: up test lint unit integration infra chaos e2e soak screenshots synth layer bench deploy install system-deps clean

# `make up` installs only what running needs; `make test` adds tests, linters, CDK and Playwright.
# scripts/install.py prints each step, the packages it collects and the time it took.
$(RUN_STAMP): pyproject.toml scripts/install.py
	$(PYTHON) scripts/install.py run
	touch $(RUN_STAMP)

$(STAMP): pyproject.toml scripts/install.py
	$(PYTHON) scripts/install.py test
	touch $(RUN_STAMP) $(STAMP)

install: $(STAMP)

# Real outside programs the e2e tier drives: Debian's Alertmanager, and Debian's Chromium (Playwright).
system-deps:
	@if ! command -v prometheus-alertmanager >/dev/null 2>&1; then \
	  echo "installing prometheus-alertmanager (apt-get)"; \
	  (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus-alertmanager >/dev/null; \
	fi
	@if ! command -v chromium >/dev/null 2>&1; then \
	  echo "installing chromium (apt-get) for the status page browser tests"; \
	  (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

up: $(RUN_STAMP)
	$(VENV)/bin/klaxon up --config examples/acme.yaml --demo-history $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports  # the layering, as contracts in pyproject.toml

unit: $(STAMP)
	$(PY) -m pytest tests/unit -q

integration: $(STAMP)
	$(PY) -m pytest tests/integration -q

infra: $(STAMP)
	$(PY) -m pytest tests/infra -q

# The alert storm while functions are killed at each kill point (tests/chaos/faults.py).
chaos: $(STAMP)
	$(PY) -m pytest tests/chaos -q

e2e: $(STAMP) system-deps
	$(PY) -m pytest tests/e2e -q

# Refreshes docs/statuspage-*.png from the browser tests; `make test` never writes into docs/.
screenshots: $(STAMP) system-deps
	KLAXON_REFRESH_SCREENSHOTS=1 $(PY) -m pytest tests/e2e/test_statuspage_browser.py -q

test: $(STAMP) system-deps lint
	$(PY) -m pytest tests -q

LAYER := build/layer

# Lambda dependencies for arm64 / Python 3.12, from [project.dependencies], with pip (no Docker).
layer: $(STAMP)
	rm -rf $(LAYER) && mkdir -p $(LAYER)
	$(PY) -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > build/layer-requirements.txt
	$(PY) -m pip install --quiet --target $(LAYER)/python --platform manylinux2014_aarch64 --implementation cp \
	  --python-version 3.12 --only-binary=:all: -r build/layer-requirements.txt

# cdk.json names the system python3; the CLI is told to use the venv's, which has aws-cdk-lib.
synth: $(STAMP)
	npx --yes aws-cdk@2 synth --app "$(PY) app.py" --quiet

bench: $(STAMP)
	$(PY) -m bench

# 30 minutes of mixed traffic against `klaxon up`: RSS, CPU and p50/p99 per route each minute, kept in
# bench/results.json as `soak_long`.
soak: $(STAMP)
	SOAK_SECONDS=$${SOAK_SECONDS:-1800} SOAK_RECORD_AS=soak_long $(PY) -m bench.bench_soak

deploy: $(STAMP) layer
	npx --yes aws-cdk@2 deploy --all --app "$(PY) app.py"

clean:
	rm -rf $(VENV) cdk.out build .pytest_cache .mypy_cache .ruff_cache
