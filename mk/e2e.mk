# End-to-end suites (tests/e2e) and the smoke script. Both talk to an ALREADY running stack:
# `make up` (devstack) first, or point them at AWS (see docs/testing-guide.md).
.PHONY: smoke test-e2e test-e2e-support
TEST_TARGETS += test-e2e-support

E2E_PYTEST_ARGS ?=

test-e2e-support: venv ## self-tests of the e2e helpers (token forging, target loading); no stack needed
	$(PY) -m pytest tests/e2e/selftest -p no:cacheprovider -q

smoke: venv ## smoke test of the running stack: ✔/✘ per step, non-zero exit on failure
	$(PY) scripts/smoke.py

test-e2e: venv ## end-to-end suites against the running stack (.devstack/stack.json or E2E_TERRAFORM_OUTPUTS)
	$(PY) -m pytest tests/e2e -p no:cacheprovider $(E2E_PYTEST_ARGS)
