# Sovereign Console — every entry point. `make demo` and `make test` are all a fresh machine needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
TOOLS := .tools
BUN := $(TOOLS)/node_modules/.bin/bun
BUN_VERSION := 1.4.5
# axe-core for the accessibility browser test (injected into pages by Playwright; never shipped).
AXE := $(TOOLS)/node_modules/axe-core/axe.min.js
AXE_VERSION := 4.14.1

# Reflex 0.10 wants Node 22 or bun; the machine has Node 20, so bun comes from npm into .tools/.
export PATH := $(CURDIR)/$(VENV)/bin:$(CURDIR)/$(TOOLS)/node_modules/.bin:$(PATH)
export REFLEX_USE_SYSTEM_BUN := 1
export REFLEX_TELEMETRY_ENABLED := false

.PHONY: setup system-deps demo test test-unit test-browser test-deps bench lint clean

## setup: install everything (Debian packages, venv, Python packages, bun, front-end build); safe to run again
setup: system-deps $(VENV)/.installed $(BUN) .web/.built

# Debian packages, installed only when missing: `make demo` and `make test` work on a fresh machine.
define apt_install
	@missing=""; for pair in $(1); do command -v "$${pair%%=*}" >/dev/null || missing="$$missing $${pair#*=}"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian's$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

## system-deps: bubblewrap and busybox, the sandbox's real shells (exec into a pod runs them, isolated)
system-deps:
	$(call apt_install,bwrap=bubblewrap busybox=busybox)

# The sandbox is a distribution of its own (sandbox/, `sovereign-sandbox`), installed beside the console.
$(VENV)/.installed: pyproject.toml sandbox/pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]' -e ./sandbox
	touch $@

$(BUN):
	mkdir -p $(TOOLS)
	cd $(TOOLS) && npm install --no-audit --no-fund --silent bun@$(BUN_VERSION)

.web/.built: $(VENV)/.installed $(BUN) rxconfig.py $(shell find console assets -type f -not -path '*/__pycache__/*' 2>/dev/null)
	$(VENV)/bin/reflex export --frontend-only --no-zip --loglevel warning
	touch $@

## demo: the sandbox cluster and the console on http://localhost:3000
demo: setup
	$(VENV)/bin/console demo --port 3000

## test: unit, integration and browser tests (installs Chromium when missing)
test: setup test-deps test-unit test-browser

test-deps: $(AXE)
	$(call apt_install,chromium=chromium pg_ctlcluster=postgresql redis-server=redis-server)

$(AXE): $(BUN)
	cd $(TOOLS) && npm install --no-audit --no-fund --silent axe-core@$(AXE_VERSION)

# pytest-asyncio tests and Playwright tests run in separate processes: they fight over the event loop.
test-unit:
	$(PY) -m pytest tests sandbox/tests -q

test-browser:
	$(PY) -m pytest e2e -q

## bench: speed figures (printed, never asserted in tests)
bench: setup
	$(PY) bench/sandbox.py
	$(PY) bench/sandbox_lists.py
	$(PY) bench/lists.py
	$(PY) bench/detail.py
	$(PY) bench/compliance.py
	$(PY) bench/graph.py
	$(PY) bench/rbac.py
	$(PY) bench/soak.py --minutes 3

lint: setup
	$(VENV)/bin/ruff check console sandbox tests e2e bench rxconfig.py
	$(VENV)/bin/ruff format --check console sandbox tests e2e bench rxconfig.py
	$(VENV)/bin/hadolint Dockerfile
	$(VENV)/bin/mypy console/kube console/identity console/audit console/streams console/compliance console/topology console/rbac console/observability console/preflight.py console/frontend.py console/database console/settings.py

clean:
	rm -rf $(VENV) $(TOOLS) .web .states var reflex.db
