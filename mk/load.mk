# Issue 15: the load test (Locust) against the RUNNING stack (`make up` first), like `make history`.
# load:        the full run (~1 minute): sweep + main phase, reconciliation, docs/load.md and
#              docs/load-latency.png; exit 1 on any 5xx (other than 429/503 with Retry-After),
#              REGION_NOT_WRITABLE or reconciliation failure, never on a timing.
# load-aws:    the same against the deployment of `terraform -chdir=infra output` (docs/load.md).
# test-load:   a short run (~20 s, few users, no sweep, nothing written under docs/) in the stack
#              lane (test-stack in mk/devstack.mk): the tool runs and the reconciliation passes.
# test-load-unit: lint, mypy --strict and the reconciliation/report unit tests (no stack needed).
.PHONY: load-deps load load-aws test-load test-load-unit lint-load
TEST_TARGETS += test-load-unit

LOAD_USERS ?= 8
LOAD_DURATION ?= 20
LOAD_RATE ?= 2
LOAD_SWEEP ?= 2,4,8,16,32
LOAD_SWEEP_RATE ?= 8
LOAD_STEP ?= 6
LOAD_ARGS ?=
LOAD_STAMP := $(VENV)/.load-installed-$(shell cat requirements/load.txt | sha256sum | cut -c1-12)

load-deps: $(LOAD_STAMP) ## install Locust and matplotlib (requirements/load.txt) into the venv

$(LOAD_STAMP): requirements/load.txt $(VENV_STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check --no-compile -r requirements/load.txt
	@rm -f $(VENV)/.load-installed-*
	@touch $@

lint-load: load-deps ## ruff and mypy --strict over load/ and tests/load
	$(VENV)/bin/ruff check load tests/load
	$(VENV)/bin/ruff format --check load tests/load
	MYPYPATH=src:tests/e2e $(VENV)/bin/mypy --strict --follow-imports=silent load

test-load-unit: lint-load ## reconciliation, report and classification unit tests (fake data)
	$(PY) -m pytest tests/load -q -p no:cacheprovider

load: load-deps ## load test of the running stack (~1 min): docs/load.md + docs/load-latency.png
	$(PY) -m load.run --users $(LOAD_USERS) --duration $(LOAD_DURATION) --rate $(LOAD_RATE) \
	  --sweep "$(LOAD_SWEEP)" --sweep-rate $(LOAD_SWEEP_RATE) --step $(LOAD_STEP) $(LOAD_ARGS)

load-aws: load-deps ## the load test against AWS (terraform outputs of infra/; see docs/load.md)
	$(PY) -m load.run --target aws --users $(LOAD_USERS) --duration $(LOAD_DURATION) \
	  --rate $(LOAD_RATE) --sweep "$(LOAD_SWEEP)" --sweep-rate $(LOAD_SWEEP_RATE) --step $(LOAD_STEP) $(LOAD_ARGS)

test-load: load-deps ## short load run against the running stack (~20 s): tool + reconciliation
	$(PY) -m load.run --users 4 --duration 8 --rate 2 --sweep "" --no-docs
