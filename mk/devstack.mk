# Devstack (issue 4): the local AWS emulator, its gap fillers and the stack orchestration.
# `make up` / `make down` / `make logs` / `make stack-plan`; tests: test-devstack, test-stack.
.PHONY: up down logs devstack-status stack-plan lint-devstack test-devstack test-stack

DEVSTACK := $(PY) -m devstack.cli

up: venv build ## start the emulator, apply infra/ to it, print the URLs, run the smoke journey
	$(DEVSTACK) up
	$(PY) scripts/smoke.py

down: venv ## destroy the local stack and stop every devstack process
	$(DEVSTACK) down

logs: ## follow the emulator and Lambda logs
	$(DEVSTACK) logs

devstack-status: venv ## is the emulator running, and what does stack.json say
	$(DEVSTACK) status

stack-plan: venv ## terraform plan against the devstack; exit 0 = no changes
	$(DEVSTACK) plan

lint-devstack: venv ## ruff (emulator side; devstack/runtime lints itself) and mypy --strict over devstack/
	$(VENV)/bin/ruff check devstack tests/devstack/emulator tests/devstack/iam tests/devstack/edge tests/devstack/eventsources tests/devstack/conftest.py --exclude devstack/runtime
	$(VENV)/bin/ruff format --check devstack tests/devstack/emulator tests/devstack/iam tests/devstack/edge tests/devstack/eventsources tests/devstack/conftest.py --exclude devstack/runtime
	$(VENV)/bin/mypy devstack

test-devstack: lint-devstack ## emulator-side tests: fillers, middleware, faults, IAM, the local edge, event sources (no Terraform)
	$(PY) -m pytest tests/devstack/emulator tests/devstack/iam tests/devstack/edge tests/devstack/eventsources -q -p no:cacheprovider

# The whole stack end to end: up -> smoke -> e2e (whose lifecycle suite checks that terraform plan
# shows no change after apply) -> down -> nothing left. `down` always runs (trap), and any failure
# makes the target fail.
test-stack: venv build browser ## make up with smoke, the e2e suites (incl. plan check), make down (CI)
	@trap '$(DEVSTACK) down' EXIT; \
	$(DEVSTACK) up; \
	$(PY) scripts/smoke.py; \
	$(MAKE) --no-print-directory test-e2e; \
	$(MAKE) --no-print-directory test-history; \
	$(MAKE) --no-print-directory test-load; \
	trap - EXIT; \
	$(DEVSTACK) down

TEST_TARGETS += test-devstack
TEST_TARGETS_LAST += test-stack
