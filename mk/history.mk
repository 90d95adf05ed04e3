# Issue 12: the global-table replication of the devstack and the history check (Jepsen-style).
# test-devstack-dynamodb: the replication/TTL tests and the checker's own tests (no stack needed).
# test-history: a short bounded history run (~40 s) against the RUNNING stack; the stack lane
# (test-stack in mk/devstack.mk) runs it after the e2e suites.
# history: a longer run, HISTORY_CLIENTS clients for HISTORY_SECONDS seconds (default 12 / 120).
.PHONY: test-devstack-dynamodb test-history history
TEST_TARGETS += test-devstack-dynamodb

HISTORY_CLIENTS ?= 12
HISTORY_SECONDS ?= 120
HISTORY_ARGS ?=

test-devstack-dynamodb: venv ## async replication, isolation, LWW, TTL sweeper; the history checker's tests
	$(VENV)/bin/ruff check devstack/dynamodb tests/devstack/dynamodb tests/history
	$(VENV)/bin/ruff format --check devstack/dynamodb tests/devstack/dynamodb tests/history
	$(PY) -m pytest tests/devstack/dynamodb tests/history/test_history_checker.py -q -p no:cacheprovider

test-history: venv ## short history check against the running stack (make up first): 0 anomalies
	$(PY) -m pytest tests/history/test_history_check.py -q -p no:cacheprovider -s

history: venv ## longer history run against the running stack: HISTORY_CLIENTS, HISTORY_SECONDS, HISTORY_ARGS
	$(PY) tests/history/run_history.py --clients $(HISTORY_CLIENTS) --duration $(HISTORY_SECONDS) $(HISTORY_ARGS)
