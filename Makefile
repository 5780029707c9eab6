# One entry point for people and CI. `make serve` and `make test` set everything up first.
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
CHROMIUM ?= /usr/bin/chromium

.PHONY: setup serve build validate test test-fast lint typecheck check golden bench browser-deps clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# Debian's Chromium drives the browser tests (Playwright's own browser download fails offline).
browser-deps:
	@test -x $(CHROMIUM) || { \
	  echo "Installing Debian's chromium for the browser tests (needs root)…"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }

serve: setup
	$(BIN)/cwb serve

build: setup
	$(BIN)/cwb build

validate: setup
	$(BIN)/cwb validate

test: setup browser-deps
	$(BIN)/pytest

# Everything but the browser tests: no Chromium needed, about a minute.
test-fast: setup
	$(BIN)/pytest -m "not browser"

lint: setup
	$(BIN)/ruff check generator tests benchmarks
	$(BIN)/ruff format --check generator tests benchmarks

typecheck: setup
	$(BIN)/mypy

check: lint typecheck test

# Regenerate the golden Markdown after an intended change to the templates.
golden: setup
	$(PY) -m tests.golden --update

# Corpus sizes: make bench SIZES="100 1000" CLONES="500 2000" (the 10,000s take minutes).
SIZES ?= 100 1000 10000
CLONES ?= 500 2000 10000
bench: setup
	$(PY) -m benchmarks.run --sizes $(SIZES) --clones $(CLONES)

# Lighthouse (desktop: four categories >= 95; phone: performance >= 90) on five pages of the built
# site, served compressed; and the Nu HTML Checker on every page. Both need Node (npm installs the
# tools into /tmp/cwb-tools, never into the repository); vnu also needs Java.
lighthouse: build
	CHROME_PATH=$(CHROMIUM) $(PY) tools/lighthouse.py site

vnu: build
	$(PY) tools/vnu.py site

clean:
	rm -rf site build .site-* .pytest_cache .mypy_cache .ruff_cache
