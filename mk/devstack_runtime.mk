# Devstack runtimes (API Gateway REST runtime, Lambda workers): lint, type-check, tests.
.PHONY: test-devstack-runtime
TEST_TARGETS += test-devstack-runtime

test-devstack-runtime: venv ## devstack runtimes: ruff, mypy --strict and their tests
	$(VENV)/bin/ruff check devstack/runtime tests/devstack/runtime
	$(VENV)/bin/ruff format --check devstack/runtime tests/devstack/runtime
	$(VENV)/bin/mypy --strict devstack/runtime
	$(PY) -m pytest tests/devstack/runtime -q -p no:cacheprovider --cov=devstack/runtime --cov-report=term:skip-covered
