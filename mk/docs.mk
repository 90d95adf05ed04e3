# Documentation: architecture diagram, workflow lint, docs consistency checks (tests/docs).
# requirements/docs.txt goes into the main venv through its own stamp, so requirements/dev.txt
# (shared) stays untouched and a change to docs.txt reinstalls only these pins.
DOCS_STAMP := $(VENV)/.docs-installed-$(shell cat requirements/docs.txt | sha256sum | cut -c1-12)

.PHONY: docs-deps graphviz diagram test-docs
TEST_TARGETS += test-docs

$(DOCS_STAMP): requirements/docs.txt $(VENV_STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check --no-compile -r requirements/docs.txt
	@rm -f $(VENV)/.docs-installed-*
	@touch $@

docs-deps: venv $(DOCS_STAMP) ## install the docs tooling (diagrams, actionlint) into the venv

# Graphviz is a system package: installed with apt-get when we are root, otherwise explained.
# Never fails by itself: `diagram` needs `dot` and says so; tests/docs skip only the render check.
graphviz: ## install Graphviz `dot` (apt-get, when root) or print how to
	@if command -v dot >/dev/null 2>&1; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Graphviz (apt-get install -y graphviz)"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get install -y -q graphviz >/dev/null 2>&1 \
	    || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q graphviz >/dev/null 2>&1; } \
	    || echo "WARNING: apt-get install graphviz failed; the diagram render check will be skipped"; \
	else \
	  echo "Graphviz 'dot' is missing. Install it: sudo apt-get install -y graphviz (Debian/Ubuntu)," \
	       "brew install graphviz (macOS)"; \
	fi

diagram: docs-deps graphviz ## re-render docs/diagrams/architecture.png from docs/diagrams/architecture.py
	@command -v dot >/dev/null 2>&1 || { echo "Graphviz 'dot' is required for 'make diagram'"; exit 1; }
	$(PY) docs/diagrams/architecture.py

test-docs: docs-deps graphviz ## docs checks: workflow lint, make targets, diagram vs Terraform
	$(VENV)/bin/ruff check docs/diagrams tests/docs
	$(VENV)/bin/ruff format --check docs/diagrams tests/docs
	$(VENV)/bin/mypy --strict docs/diagrams/architecture.py
	$(PY) -m pytest tests/docs -q
