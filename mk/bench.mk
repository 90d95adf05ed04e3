# Performance benchmarks (issue 7): `make bench` measures and writes docs/benchmarks.md;
# `make test-bench` (part of `make test`) lints the bench and smoke-runs it with tiny counts:
# it checks that the bench works and what the report holds, never the timings.
.PHONY: bench test-bench bench-devstack
TEST_TARGETS += test-bench

BENCH_ARGS ?=

bench: venv build ## measure cold start, warm overhead, packages, DynamoDB calls, devstack → docs/benchmarks.md
	$(PY) -m bench $(BENCH_ARGS)

test-bench: venv build ## bench: ruff, mypy --strict, unit tests of the fake and a quick smoke run
	$(VENV)/bin/ruff check bench tests/bench
	$(VENV)/bin/ruff format --check bench tests/bench
	$(VENV)/bin/mypy --strict bench
	$(PY) -m pytest tests/bench -q -p no:cacheprovider

bench-devstack: venv ## devstack throughput against the running stack (8 clients x 20 s per route; DEVSTACK_BENCH_ARGS)
	$(PY) -m bench.devstack_throughput $(DEVSTACK_BENCH_ARGS)
