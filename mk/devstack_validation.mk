# AWS's API validation in the devstack (devstack/validation): lint, type-check, tests that send each
# configuration AWS refuses through boto3 to an emulator.
.PHONY: test-devstack-validation
TEST_TARGETS += test-devstack-validation

test-devstack-validation: venv ## devstack AWS API validation: ruff, mypy --strict and its tests
	$(VENV)/bin/ruff check devstack/validation tests/devstack/validation
	$(VENV)/bin/ruff format --check devstack/validation tests/devstack/validation
	$(VENV)/bin/mypy --strict devstack/validation
	$(PY) -m pytest tests/devstack/validation -q -p no:cacheprovider
