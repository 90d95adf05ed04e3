# Meridian — one entry point for building, testing and running the stack.
# Each area of the tree owns its targets in mk/<area>.mk and appends its test target to TEST_TARGETS.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
VENV_STAMP := $(VENV)/.installed-$(shell cat requirements/dev.txt requirements/lambda.txt requirements/tooling.txt requirements/devstack.txt | sha256sum | cut -c1-12)

TEST_TARGETS :=

.PHONY: help venv test clean
help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sort | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

venv: $(VENV_STAMP) ## create the virtual environment with every pinned tool

$(VENV_STAMP): requirements/dev.txt requirements/lambda.txt requirements/tooling.txt requirements/devstack.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

include $(sort $(wildcard mk/*.mk))

test: $(TEST_TARGETS) ## run every test suite (what CI runs)
	@echo "make test: all suites passed ($(TEST_TARGETS))"

clean: ## remove build outputs and caches (keeps the virtual environment)
	rm -rf build .pytest_cache .mypy_cache .ruff_cache .coverage coverage.xml
