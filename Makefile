# cloudflare.addressing: developer entry points. `make demo` and `make test` are the two that matter.
# Everything runs from .venv (created on demand) and, where Ansible tooling insists on a path ending in
# ansible_collections/cloudflare/addressing, from a staged copy of the tree under .build/.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

ROOT := $(abspath .)
VENV := $(ROOT)/.venv
BIN := $(VENV)/bin
PY := $(BIN)/python
BUILD := $(ROOT)/.build
COLLECTIONS := $(BUILD)/collections
STAGE := $(COLLECTIONS)/ansible_collections/cloudflare/addressing
PYBIN := $(BUILD)/pybin
MIN_VENV := $(BUILD)/venv-ansible-core-min
DIST := $(BUILD)/dist
VERSION = $(shell sed -n 's/^version: *//p' galaxy.yml)

# Ansible finds the staged collection first, so every tool runs the code under test.
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export PATH := $(BIN):$(PATH)
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# The simulator also serves its routing registry world (IRR over whois, reverse DNS) to the integration targets.
REGISTRY_WORLD := --whois-port 0 --dns-port 0
# Reference material beside the repository (absent on CI: the tests that need it skip and say why).
export CFSIM_REFERENCE_DIR := $(abspath $(ROOT)/../shared/reference)

.PHONY: help venv stage demo rehearse awx-project awx-jobs test units simulator-tests sanity integration e2e compat \
	lint docs-lint importer changelog-lint bench bench-sim docs packaging release clean

help:
	@echo "make demo   onboard a prefix against the bundled Cloudflare API simulator (the main job)"
	@echo "make rehearse VARS=byoip.yml  your own vars file through onboarding and status against the simulator"
	@echo "make awx-jobs  the example AWX job templates through ansible-runner against the simulator"
	@echo "make test   every test: unit, simulator, sanity, integration, end-to-end, lint, docs, importer"
	@echo "make venv   create .venv with ansible-core, the test tools and the simulator (cfsim)"
	@echo "make compat integration and end-to-end tests on the oldest supported ansible-core (part of make test)"
	@echo "make bench  onboarding playbook benchmark for N prefixes (BENCH_N, BENCH_LATENCY_MS; not part of make test)"
	@echo "make bench-sim  simulator throughput benchmark (not part of make test)"
	@echo "make docs   build the HTML documentation site offline into docs/site"
	@echo "make clean  remove .venv, .build and other generated files"

# --- environment -------------------------------------------------------------------------------------------

venv: $(VENV)/.installed

$(VENV)/.installed: requirements-dev.txt requirements.txt simulator/pyproject.toml
	@python=$$(tools/find-python); echo "make venv: using $$python ($$($$python --version))"; \
	[ -x $(PY) ] || $$python -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt -r requirements.txt -e simulator
	tools/ansible-test-bootstrap $(PY)
	touch $@

# The oldest supported ansible-core (requirements-min.txt) in its own venv, for `make compat`.
$(MIN_VENV)/.installed: requirements-min.txt simulator/pyproject.toml
	@python=$$(PYTHON_BELOW=3.13 tools/find-python); echo "make compat: using $$python ($$($$python --version))"; \
	[ -x $(MIN_VENV)/bin/python ] || $$python -m venv $(MIN_VENV)
	$(MIN_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(MIN_VENV)/bin/python -m pip install --quiet -r requirements-min.txt -e simulator
	tools/ansible-test-bootstrap $(MIN_VENV)/bin/python
	touch $@

# A fresh copy of the tree under .build/collections/ansible_collections/cloudflare/addressing.
stage: venv
	$(PY) tools/stage.py $(STAGE)

# Direct links to every real Python, so ansible-test never runs a pyenv shim that exits 127.
$(PYBIN)/.done:
	mkdir -p $(PYBIN)
	for py in "$${PYENV_ROOT:-$$HOME/.pyenv}"/versions/3.*/bin/python3.*; do \
	  case "$$py" in *-config|*m) continue;; esac; \
	  "$$py" -c 'import sys' 2>/dev/null && ln -sf "$$py" $(PYBIN)/$$(basename "$$py"); \
	done; true
	touch $@

# --- the main job -------------------------------------------------------------------------------------------

# The simulator's short timings of the demo (and of `make bench`).
DEMO_SIM_OPTIONS := --validation-seconds 5 --provisioning-seconds 5 --advertisement-hold-seconds 5

# The demo's routing registry world (the route object and ROA of its prefix), served on this machine for the
# role's pre-flight check; cfsim publishes each new ownership token as reverse DNS TXT records, as the owner would.
DEMO_WORLD_OPTIONS := --registry-world tools/demo-world.json --whois-port 0 --dns-port 0 --publish-ownership-tokens txt

# A guided tour: the simulator with 5-second timings, then the onboard and status playbooks (tools/demo.py).
demo: stage
	@CFSIM_LOG=$(BUILD)/demo-cfsim.log $(PY) tools/with_sim.py --quiet $(DEMO_SIM_OPTIONS) $(DEMO_WORLD_OPTIONS) -- \
	  $(PY) tools/demo.py $(STAGE)

# Your own vars file through onboarding and status against cfsim, with the roles' waits scaled down (tools/rehearse.py):
#   make rehearse VARS=byoip.yml [REPORT=status.html] [ARGS="--vault-password-file ~/.vault_pass"]
# VARS and REPORT are relative to this directory (or absolute); ARGS go to both ansible-playbook runs.
rehearse: stage
	@if [ -z "$(VARS)" ]; then echo "usage: make rehearse VARS=byoip.yml [REPORT=status.md] [ARGS=...]" >&2; exit 2; fi
	@$(PY) tools/rehearse.py $(abspath $(VARS)) $(if $(REPORT),$(abspath $(REPORT))) -- $(ARGS)

# The AWX project for your Git repository: the job templates' playbooks and the collection they install.
AWX_PROJECT ?= $(BUILD)/awx-project
awx-project: stage
	@cd $(STAGE) && $(PY) tools/awx_jobs.py project $(abspath $(AWX_PROJECT))

# The example AWX job templates through ansible-runner against cfsim, with the credential type's injectors, after a
# project sync that installs the collection from collections/requirements.yml (tools/awx_jobs.py).
awx-jobs: stage
	@cd $(STAGE) && $(PY) tools/awx_jobs.py run $(BUILD)/awx-jobs

# --- tests --------------------------------------------------------------------------------------------------

test: units simulator-tests sanity integration e2e compat lint docs-lint changelog-lint importer packaging
	@echo "make test: all suites passed"

units: stage
	cd $(STAGE) && $(BIN)/pytest -q -p no:cacheprovider --ansible-unit-inject-only tests/unit

simulator-tests: stage
	@if [ -d $(STAGE)/tests/simulator ]; then \
	  cd $(STAGE) && $(BIN)/pytest -q -p no:cacheprovider -p no:pytest-ansible tests/simulator; \
	else echo "simulator-tests: no simulator tests yet"; fi

sanity: stage $(PYBIN)/.done
	cd $(STAGE) && PATH=$(PYBIN):$$PATH $(BIN)/ansible-test sanity --venv --color no

integration: stage
	@if [ -d $(STAGE)/tests/integration/targets ] && [ -n "$$(ls $(STAGE)/tests/integration/targets)" ]; then \
	  $(PY) tools/with_sim.py --validation-seconds 3600 --provisioning-seconds 3600 --advertisement-hold-seconds 1 \
	    $(REGISTRY_WORLD) -- $(PY) tools/run_integration.py $(STAGE); \
	else echo "integration: no targets yet"; fi

# Real ansible-playbook runs against one cfsim per test file; the runs mostly wait, so two files run at a time.
e2e: stage
	@if [ -d $(STAGE)/tests/e2e ]; then \
	  cd $(STAGE) && $(BIN)/pytest -q -p no:cacheprovider -p no:pytest-ansible -n 2 --dist loadfile tests/e2e; \
	else echo "e2e: no end-to-end tests yet"; fi

# The integration targets and the end-to-end runs again on the oldest ansible-core that meta/runtime.yml accepts.
compat: stage $(MIN_VENV)/.installed
	@echo "make compat: $$($(MIN_VENV)/bin/ansible --version | head -1)"
	PATH=$(MIN_VENV)/bin:$$PATH $(MIN_VENV)/bin/python tools/with_sim.py --validation-seconds 3600 \
	  --provisioning-seconds 3600 --advertisement-hold-seconds 1 $(REGISTRY_WORLD) -- \
	  $(MIN_VENV)/bin/python tools/run_integration.py $(STAGE)
	cd $(STAGE) && PATH=$(MIN_VENV)/bin:$$PATH $(MIN_VENV)/bin/pytest -q -p no:cacheprovider -n 2 --dist loadfile tests/e2e

lint: stage
	cd $(STAGE) && $(BIN)/ansible-lint --profile production --offline

docs-lint: stage
	$(BIN)/antsibull-docs lint-collection-docs --plugin-docs $(STAGE)

changelog-lint: stage
	cd $(STAGE) && $(BIN)/antsibull-changelog lint

importer: stage
	rm -rf $(DIST) && mkdir -p $(DIST)
	cd $(STAGE) && $(BIN)/ansible-galaxy collection build --force --output-path $(DIST)
	$(PY) tools/check_importer.py $(DIST)/cloudflare-addressing-$(VERSION).tar.gz

# The HTML documentation site (antsibull-docs + Sphinx, offline) in docs/site.
docs: stage
	$(PY) tools/build_docs.py $(BUILD)/docsite $(ROOT)/docs/site

# What users and automation hubs see of the built collection: ansible-doc for every plugin and role, the docs
# site's pages (reuses the site `make docs` just built), execution environment metadata with ansible-builder.
packaging: docs
	cd $(STAGE) && CFA_DOCS_SITE=$(ROOT)/docs/site $(BIN)/pytest -q -p no:cacheprovider -p no:pytest-ansible \
	  tests/packaging

# Release the version in galaxy.yml: antsibull-changelog release on the staged copy, results copied back.
release: stage
	$(PY) tools/release.py $(STAGE)

# --- benchmarks (never part of make test) --------------------------------------------------------------------

# The onboarding playbook against cfsim for each N of BENCH_N: fresh, no-op, --check --diff (onboarded and empty
# account), with the demo's waits; BENCH_LATENCY_MS adds latency to every API answer; BENCH_RATE_LIMIT_RUN=yes
# onboards the largest N again against cfsim's default rate limit. Example: make bench BENCH_N="1 10".
BENCH_N ?= 1 10 50 200 500
BENCH_LATENCY_MS ?= 0
BENCH_RATE_LIMIT_RUN ?= yes
bench: stage
	$(PY) tests/benchmarks/onboarding.py --n "$(BENCH_N)" --latency-ms "$(BENCH_LATENCY_MS)" \
	  --rate-limit-run "$(BENCH_RATE_LIMIT_RUN)" --vars-template $(STAGE)/playbooks/vars/rehearsal.yml \
	  --output $(BUILD)/bench -- $(DEMO_SIM_OPTIONS)

# cfsim's own create and list throughput at 10, 1,000 and 10,000 prefixes.
bench-sim: venv
	$(PY) tests/benchmarks/simulator_throughput.py

clean:
	rm -rf $(VENV) $(BUILD) dist collections .ansible importer_result.json tests/output
