# archrepo — every step a fresh machine needs is here (see README).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
ARCHREPO := $(VENV)/bin/archrepo
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
OUT ?= out

.PHONY: install system-deps browser virtuoso demo test lint typecheck bench clean vendor-js

install: $(VENV)/.installed system-deps

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@# byte-compiled as an installed package is: an editable install is not, and where PYTHONDONTWRITEBYTECODE
	@# is set (CI images often do) every command would compile archrepo's modules again (0.1-0.2 s a run)
	$(PY) -m compileall -q archrepo >/dev/null
	@touch $@

# Graphviz renders the dependency views; Debian's package is installed when `dot` is missing.
system-deps:
	@command -v dot >/dev/null 2>&1 || { \
	  echo "Installing Graphviz (apt-get)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq graphviz >/dev/null; }

# The main job on the bundled reference model: validate, count, check (text to the terminal, JSON and
# SARIF under out/), export the RDF graph.
# The documentation site is tested in a real headless browser: Debian's chromium (tests skip, saying why,
# only where it cannot be installed).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Chromium (apt-get) for the documentation-site tests"; \
	  { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; } \
	  || echo "warning: chromium could not be installed; the browser tests will be skipped"; }

# The remote-store tests publish to and check against a real Virtuoso, started on loopback by the tests
# themselves: Debian's server binaries alone (virtuoso-opensource-7-bin; the virtuoso-opensource package would
# also start a system-wide server). Tests skip, saying why, only where it cannot be installed.
virtuoso:
	@command -v virtuoso-t >/dev/null 2>&1 || { \
	  echo "Installing Virtuoso (apt-get) for the remote-store tests"; \
	  { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq virtuoso-opensource-7-bin >/dev/null; } \
	  || echo "warning: virtuoso could not be installed; the remote-store tests will be skipped"; }

demo: install
	@mkdir -p $(OUT)
	$(ARCHREPO) validate
	$(ARCHREPO) stats
	$(ARCHREPO) check --color
	$(ARCHREPO) check --format json --output $(OUT)/report.json
	$(ARCHREPO) check --format sarif --output $(OUT)/report.sarif
	$(ARCHREPO) export --format turtle --output $(OUT)/model.ttl
	$(ARCHREPO) diagram landscape --violations --format svg --output $(OUT)/landscape.svg
	$(ARCHREPO) docs --out $(OUT)/site
	@echo "In $(OUT)/: report.json, report.sarif, model.ttl, landscape.svg, site/index.html"

test: install browser virtuoso
	$(PY) -m pytest -n 2 -q

lint: install
	$(VENV)/bin/ruff check archrepo tests bench
	$(VENV)/bin/mypy archrepo

# The browser library of the docs site's explorer (archrepo/site/static/vendor/), fetched with npm at its pinned
# version; the result is committed (CI does not run npm). See archrepo/site/static/vendor/README.md.
vendor-js:
	python3 scripts/vendor_js.py

# The benchmark (bench/run.py): every model shape of the generator at 1,000 and 10,000 applications, check/floor
# for each; BENCH_SHAPES=bench,small-files,… and BENCH_SIZES=1000,10000,50000 choose others, BENCH_REPEAT the runs.
# It takes a while and wants the machine to itself.
bench: install
	$(PY) bench/run.py
	$(PY) bench/lsp.py

clean:
	rm -rf $(OUT) .pytest_cache .mypy_cache .ruff_cache build dist *.egg-info
