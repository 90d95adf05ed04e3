# Lambda application: lint, type-check, unit tests and the deterministic zips.
.PHONY: lint test-unit test-build build
TEST_TARGETS += lint test-unit test-build

lint: venv ## ruff and mypy --strict over src/
	$(VENV)/bin/ruff check src tests scripts/build_lambda.py
	$(VENV)/bin/ruff format --check src tests scripts/build_lambda.py
	$(VENV)/bin/mypy --python-version 3.10 src  # the oldest lambda_runtime the build supports

test-unit: venv ## unit tests (moto in-process) with line coverage of src/ >= 90 %
	$(PY) -m pytest tests/unit -m "not build" --cov --cov-report=term-missing --cov-fail-under=90

# After `build`: the suite's first build then reuses its installed trees and a copy of its zips
# (unchanged inputs are not zipped again), and the two never write build/ at the same time under
# make -j. The suite never writes build/lambda: Terraform reads it beside it (make up, tf-test-*).
test-build: venv build ## build the zips twice: identical SHA-256, <= 5 MiB, handlers run from them
	$(PY) -m pytest tests/unit -m build

# The runtime the zips are built for; it must equal the environment's lambda_runtime (the plan
# checks build/lambda/build.json), e.g. `make build LAMBDA_RUNTIME=python3.11`.
LAMBDA_RUNTIME ?= python3.13

build: venv ## build the deterministic Lambda zips under build/lambda/ for LAMBDA_RUNTIME (default python3.13)
	$(PY) scripts/build_lambda.py --runtime $(LAMBDA_RUNTIME)
