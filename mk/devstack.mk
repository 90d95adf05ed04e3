# Devstack (issue 4): the local AWS emulator, its gap fillers and the stack orchestration.
# `make up` / `make down` / `make logs` / `make stack-plan`; tests: test-devstack, test-stack.
.PHONY: up down logs devstack-status stack-plan lint-devstack test-devstack test-stack

DEVSTACK := $(PY) -m devstack.cli

up: venv build ## start the emulator and apply infra/ to it (writes .devstack/stack.json)
	$(DEVSTACK) up

down: venv ## destroy the local stack and stop every devstack process
	$(DEVSTACK) down

logs: ## follow the emulator and Lambda logs
	$(DEVSTACK) logs

devstack-status: venv ## is the emulator running, and what does stack.json say
	$(DEVSTACK) status

stack-plan: venv ## terraform plan against the devstack; exit 0 = no changes
	$(DEVSTACK) plan

lint-devstack: venv ## ruff (emulator side; devstack/runtime lints itself) and mypy --strict over devstack/
	$(VENV)/bin/ruff check devstack tests/devstack/emulator tests/devstack/conftest.py --exclude devstack/runtime
	$(VENV)/bin/ruff format --check devstack tests/devstack/emulator tests/devstack/conftest.py --exclude devstack/runtime
	$(VENV)/bin/mypy devstack

test-devstack: lint-devstack ## emulator-side tests: fillers, middleware, faults (no Terraform)
	$(PY) -m pytest tests/devstack/emulator -q -p no:cacheprovider

# The whole stack end to end: up -> smoke -> e2e -> plan shows no change -> down -> nothing left.
# `down` always runs (trap), and any failure makes the target fail.
test-stack: venv build ## make up, smoke and e2e tests, plan check, make down (CI)
	@# Skip (saying why) only while a part the stack needs has not been merged into this tree.
	@if [ ! -f infra/main.tf ] || [ ! -f devstack/runtime/apigateway.py ] || [ ! -f devstack/runtime/lambda_workers.py ]; then \
	  echo "test-stack: SKIPPED: infra/ or the devstack runtimes are not in this tree yet"; exit 0; fi; \
	trap '$(DEVSTACK) down' EXIT; \
	$(DEVSTACK) up; \
	if $(MAKE) -n smoke >/dev/null 2>&1; then $(MAKE) smoke; fi; \
	if [ -d tests/e2e ]; then $(PY) -m pytest tests/e2e -q -p no:cacheprovider; fi; \
	$(DEVSTACK) plan || { echo "test-stack: terraform plan shows changes after make up"; exit 1; }; \
	trap - EXIT; \
	$(DEVSTACK) down

TEST_TARGETS += test-devstack test-stack
