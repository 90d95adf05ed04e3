# Lambda application: lint, type-check and unit tests.
.PHONY: lint test-unit
TEST_TARGETS += lint test-unit

lint: venv ## ruff and mypy --strict over src/
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/ruff format --check src tests
	$(VENV)/bin/mypy src

test-unit: venv ## unit tests with line coverage of src/
	$(PY) -m pytest tests/unit --cov --cov-report=term-missing --cov-fail-under=90

.PHONY: build
build: venv ## build the deterministic Lambda zips under build/lambda/
	$(PY) scripts/build_lambda.py
