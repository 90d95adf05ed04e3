# End-to-end suites (tests/e2e) and the smoke script. Both talk to an ALREADY running stack:
# `make up` (devstack) first, or point them at AWS (see docs/testing-guide.md).
.PHONY: smoke test-e2e test-e2e-support browser
TEST_TARGETS += test-e2e-support

E2E_PYTEST_ARGS ?=

test-e2e-support: venv ## self-tests of the e2e helpers (token forging, target loading); no stack needed
	$(PY) -m pytest tests/e2e/selftest -p no:cacheprovider -q

smoke: venv ## smoke test of the running stack: ✔/✘ per step, non-zero exit on failure
	$(PY) scripts/smoke.py

test-e2e: venv ## end-to-end suites against the running stack (.devstack/stack.json or E2E_TERRAFORM_OUTPUTS)
	$(PY) -m pytest tests/e2e -p no:cacheprovider $(E2E_PYTEST_ARGS)

# The CORS suite drives a real cross-origin fetch() in headless Chromium. A Debian package: installed
# with apt-get when we are root (CI), otherwise explained; without it only that one case is skipped.
browser: ## install headless Chromium for the CORS e2e case (apt-get, when root) or print how to
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
	   || command -v google-chrome >/dev/null 2>&1 || [ -n "$${CHROMIUM:-}" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Chromium (apt-get install -y chromium)"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get install -y -q chromium >/dev/null 2>&1 \
	    || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1; } \
	    || echo "WARNING: apt-get install chromium failed; the browser CORS case will be skipped"; \
	else \
	  echo "Chromium is missing: sudo apt-get install -y chromium (Debian/Ubuntu), brew install --cask chromium (macOS)," \
	       "or CHROMIUM=/path/to/chrome; the browser CORS case is skipped without it"; \
	fi
