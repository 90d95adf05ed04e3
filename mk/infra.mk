# Terraform platform (infra/): formatting, validation, plan-level tests, checkov, README docs.
.PHONY: test-infra tf-test-prod tf-test-local tf-test-account tf-init tf-fmt tf-validate tf-test tf-lock checkov docs docs-check
TEST_TARGETS += test-infra

# Every terraform run starts the AWS provider once per provider configuration and walk (the root
# module has four, so a `terraform test` run starts it eight times), and each start builds the
# provider's whole schema: most of a run's CPU is the Go garbage collector during those starts.
# GOGC=400 (collect when the heap has grown 4x instead of 2x: https://pkg.go.dev/runtime#hdr-Environment_Variables)
# cut a root test run from ~20 to ~17 s of CPU for ~480 instead of ~320 MB per provider process.
TF_GOGC ?= $(or $(GOGC),400)
TF := GOGC=$(TF_GOGC) scripts/terraform.sh
TF_ROOT := infra
# Every module, nested ones (modules/<name>/modules/<sub>) included, has its own lock file
# (tf-lock); infra/account is the account-wide root module (applied once per account and Region,
# see the deployment guide).
TF_MODULES := $(sort $(wildcard infra/modules/*) $(wildcard infra/modules/*/modules/*)) infra/account
# The two root modules are what gets initialised and validated. `terraform validate` of infra/
# loads and validates the whole module tree it calls (every module under infra/modules is called
# from infra/main.tf, a test in tests/infra keeps it so), and every terraform test plan includes
# an implied validation (https://developer.hashicorp.com/terraform/cli/commands/validate). A
# separate init + validate per module cost ~7 s of CPU each (10 modules: ~70 s) and proved nothing
# more.
TF_ROOTS := $(TF_ROOT) infra/account
# Platforms whose provider hashes the lock files record (users' laptops and CI runners).
TF_LOCK_PLATFORMS := linux_amd64 linux_arm64 darwin_amd64 darwin_arm64
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed-$(shell sha256sum requirements/infra.txt | cut -c1-12)

# Every step is a prerequisite of its own, so that `make -j` (as `make test` runs) checks them side
# by side: terraform test runs the runs of one file in order, but the files are independent plans.
TF_TEST_SUITES := $(sort $(basename $(basename $(notdir $(wildcard $(TF_ROOT)/tests/*.tftest.hcl)))))
TF_TEST_TARGETS := $(addprefix tf-test-,$(TF_TEST_SUITES)) tf-test-prod tf-test-local tf-test-account

# No separate tf-validate: every run of every terraform test file starts with a validate walk of
# the whole configuration against the provider's schema (and the provider's own argument checks),
# so an invalid configuration fails each tf-test-* target; `make tf-validate` (~35 s of CPU) stays
# for a quick check by hand. infra/account is validated by tf-test-account in the same way.
# The two files that plan the root module most often (~135 and ~100 CPU s) are started first.
TF_TEST_LONGEST := tf-test-root tf-test-validation
test-infra: tf-fmt $(TF_TEST_LONGEST) $(filter-out $(TF_TEST_LONGEST),$(TF_TEST_TARGETS)) checkov docs-check ## Terraform fmt, terraform test (each run validates the whole tree), checkov, README docs check
	@echo "test-infra: passed"

tf-init: ## terraform init (no backend) of the two root modules, from the provider mirror when present
	@for dir in $(TF_ROOTS); do \
	  $(TF) -chdir=$$dir init -backend=false -input=false -no-color -lockfile=readonly > /dev/null || exit 1; \
	done

tf-fmt: ## terraform fmt -check over infra/
	$(TF) fmt -check -recursive -diff $(TF_ROOT)

tf-validate: tf-init ## terraform validate of the root modules (infra/ validates every module it calls)
	@for dir in $(TF_ROOTS); do \
	  printf '%-40s ' "$$dir"; $(TF) -chdir=$$dir validate -no-color || exit 1; \
	done

# tests/*.tftest.hcl run with the variable defaults, one target per file; tests/prod and tests/local
# plan the real envs/*.tfvars files (terraform test cannot pick a var-file per run).
tf-test: $(TF_TEST_TARGETS) ## terraform test (mock providers: no credentials, no network), defaults and envs/*.tfvars

$(addprefix tf-test-,$(TF_TEST_SUITES)): tf-test-%: tf-init build
	$(TF) -chdir=$(TF_ROOT) test -no-color -filter=tests/$*.tftest.hcl

tf-test-prod: tf-init build
	$(TF) -chdir=$(TF_ROOT) test -no-color -test-directory=tests/prod -var-file=envs/prod.tfvars

tf-test-local: tf-init build
	$(TF) -chdir=$(TF_ROOT) test -no-color -test-directory=tests/local -var-file=envs/local.tfvars

tf-test-account: tf-init
	$(TF) -chdir=infra/account test -no-color

# Needs the public registry (not the offline mirror): records the h1 hash of every platform in
# TF_LOCK_PLATFORMS in each lock file. Run it after changing the provider version and commit the
# lock files. The committed files also carry the registry's zh hashes (all platforms), which is
# enough for `terraform init` to verify a download on any of them.
tf-lock: ## terraform providers lock for linux/darwin amd64/arm64 in every lock file (needs the registry)
	@for dir in $(TF_ROOT) $(TF_MODULES); do \
	  echo "$$dir"; terraform -chdir=$$dir providers lock -no-color $(addprefix -platform=,$(TF_LOCK_PLATFORMS)) > /dev/null || exit 1; \
	done

$(CHECKOV_STAMP): requirements/infra.txt
	@test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-compile -r requirements/infra.txt
	@rm -f $(CHECKOV_VENV)/.installed-*
	@touch $@

# checkov pins boto3==1.35.49, which conflicts with the main venv: it gets a venv of its own.
# It evaluates the production values (envs/prod.tfvars): dev deliberately relaxes some of them
# (90-day log retention, no deletion protection), which the terraform tests cover instead.
checkov: $(CHECKOV_STAMP) venv ## checkov over infra/ (0 failed checks) and the inline-skip budget test
	$(CHECKOV_VENV)/bin/checkov --directory $(TF_ROOT) --framework terraform --quiet --compact \
	  --var-file $(TF_ROOT)/envs/prod.tfvars --skip-path tests --skip-download
	$(PY) -m pytest -q -p no:cacheprovider tests/infra

docs: ## regenerate the README's Terraform inputs/outputs tables
	$(PYTHON) scripts/tf_docs.py

docs-check: ## fail when the README's Terraform tables are stale
	$(PYTHON) scripts/tf_docs.py --check
.PHONY: $(TF_TEST_TARGETS)
