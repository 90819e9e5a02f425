# Two commands on a fresh machine:
#   make demo   installs paperradar and serves the bundled demo data on http://127.0.0.1:8000
#               (kept in ./paperradar-data and reused; another port: make demo PORT=8001)
#   make test   installs everything the tests need (Chromium, Java for vnu...) and runs them
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install install-test system-deps demo test bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	# torch first and pinned: the CPU build; an unpinned torch pulls a multi-GB CUDA build
	$(BIN)/pip install -q "torch==2.13.0"
	$(BIN)/pip install -q -e ".[embed]"

install-test: install system-deps
	$(BIN)/pip install -q -e ".[embed,test]"

system-deps:
	bash scripts/system-deps.sh

PORT ?= 8000

demo: install
	$(BIN)/paperradar demo --port $(PORT)

test: install-test
	$(BIN)/python -m pytest -q -p no:cacheprovider

clean:
	rm -rf $(VENV) paperradar-data
