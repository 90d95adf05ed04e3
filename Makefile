# Meridian — one entry point for building, testing and running the stack.
# Each area of the tree owns its targets in mk/<area>.mk and appends its test target to TEST_TARGETS.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# The functions run on Lambda's python3.13, so the virtual environment (lint, mypy, unit tests,
# devstack) uses Python 3.13 when it is installed: python3.13 on PATH, else a pyenv 3.13 (whose
# shim only answers once activated), else python3 with a warning. `make PYTHON=...` overrides.
LAMBDA_PYTHON := 3.13
PYTHON_CANDIDATES := python$(LAMBDA_PYTHON) $(sort $(wildcard $(HOME)/.pyenv/versions/$(LAMBDA_PYTHON).*/bin/python$(LAMBDA_PYTHON))) python3
ifeq ($(origin PYTHON),undefined)
PYTHON := $(firstword $(foreach candidate,$(PYTHON_CANDIDATES),$(shell $(candidate) -c 'import sys; print(sys.executable)' 2>/dev/null)))
endif
PYTHON_VERSION := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
VENV ?= .venv
PY := $(VENV)/bin/python
# Every pinned list (dev.txt pulls in the others with -r): any change reinstalls, and so does
# another Python version (the stamp names it).
REQUIREMENTS := $(sort $(wildcard requirements/*.txt))
VENV_STAMP := $(VENV)/.installed-py$(PYTHON_VERSION)-$(shell cat $(REQUIREMENTS) | sha256sum | cut -c1-12)

TEST_TARGETS :=
# Suites that need the whole stack up (the long pole, ~10 minutes) are listed first so that, with
# two jobs at once, one slot runs the stack while the other runs every quick suite and the
# Terraform checks.
TEST_TARGETS_LAST :=
# `make test` runs three suites at a time on the 2-core machines: each suite is mostly one process
# and the stack suite waits on the emulator's own process, so a third job keeps both cores busy.
# TEST_JOBS=1 runs them one after another, in a readable order.
TEST_JOBS ?= 3

.PHONY: help venv test clean
help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sort | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

venv: $(VENV_STAMP) ## create the virtual environment with every pinned tool

# --no-compile: pip would byte-compile every module of every package (moto, botocore, ...: 86 CPU s
# for a fresh install instead of 32, measured at load ~12); Python compiles and caches what an
# import needs on first use (https://pip.pypa.io/en/stable/cli/pip_install/#cmdoption-no-compile).
$(VENV_STAMP): $(REQUIREMENTS)
	@test -n "$(PYTHON_VERSION)" || { echo "make: no Python found (tried $(PYTHON_CANDIDATES)); install Python $(LAMBDA_PYTHON)" >&2; exit 1; }
	@if [ "$(PYTHON_VERSION)" != "$(LAMBDA_PYTHON)" ]; then \
	  echo "make: WARNING: Python $(LAMBDA_PYTHON) (the Lambda runtime) not found; using $(PYTHON) ($(PYTHON_VERSION)). The code targets $(LAMBDA_PYTHON): install python$(LAMBDA_PYTHON), or expect failures." >&2; \
	else echo "make: virtual environment on Python $(PYTHON_VERSION) ($(PYTHON)), the Lambda runtime's version"; fi
	@if [ -x $(PY) ] && [ "$$($(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])')" != "$(PYTHON_VERSION)" ]; then \
	  echo "make: recreating $(VENV) on Python $(PYTHON_VERSION)"; $(PYTHON) -m venv --clear $(VENV); fi
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --no-compile --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check --no-compile -r requirements/dev.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

include $(sort $(wildcard mk/*.mk))

# The prerequisites the suites share are made first, on their own. GNU make starts a ready job that
# finds no free slot later, first come first served: with the venv and the zips still pending, every
# quick suite queued up behind them and test-stack, whose prerequisites finished last, waited
# ~7.5 minutes for a slot (CI run F). Once they are made, the second make takes them as they are
# (-o, "do not remake": https://www.gnu.org/software/make/manual/make.html#Options-Summary) and
# the first goal, test-stack, starts at once. -o is not passed on to sub-makes.
# The checkov venv, the docs and load tools and terraform init need no zips: they use the second
# core while the venv installs and the zips build.
TEST_PREREQUISITES := venv build browser tf-init $(CHECKOV_STAMP) docs-deps load-deps

# Beside the stack lane, the longest suites go first (the zips' build proof ~150 CPU s in one
# process; the unit tests, 45 CPU s but 6-10 minutes of wall at load ~10; the Terraform files
# ~400 CPU s in 12 targets), so that the quick ones fill in at the end instead of a long one
# starting last. test-unit comes before test-infra: make starts every file of test-infra before it
# reaches the next goal (with test-unit after it, it started 15 minutes in).
TEST_LONGEST_FIRST := test-build test-unit test-infra

test: ## run every test suite (what CI runs), TEST_JOBS (3) at a time; each suite's output in one block
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory -j$(TEST_JOBS) --output-sync=target $(TEST_PREREQUISITES); \
	$(MAKE) --no-print-directory -j$(TEST_JOBS) --output-sync=target $(addprefix -o ,$(TEST_PREREQUISITES)) \
	  $(TEST_TARGETS_LAST) $(filter $(TEST_TARGETS),$(TEST_LONGEST_FIRST)) $(filter-out $(TEST_LONGEST_FIRST),$(TEST_TARGETS)); \
	echo "make test: all suites passed in $$(( $$(date +%s) - start )) s ($(TEST_TARGETS_LAST) $(TEST_TARGETS))"

clean: ## remove build outputs and caches (keeps the virtual environment)
	rm -rf build .pytest_cache .mypy_cache .ruff_cache .coverage coverage.xml
