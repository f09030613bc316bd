# Fiera — the README names the two targets that matter: `make demo` and `make test`.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# WebRTC peers (aiortc, Chromium) run only in a network namespace of their own with nothing but
# loopback (docs/video.md): root makes one with unshare -n, anyone else in a user namespace.
PRIVATE_NETWORK := unshare $(if $(filter 0,$(shell id -u)),-n,-rn) sh -c 'ip link set lo up && exec "$$@"' sh

.PHONY: demo test test-fast typecheck lint format bench browser messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.runtime

## demo: install, migrate the SQLite database under var/, seed the demo fair and serve it
demo: $(VENV)/.runtime
	$(BIN)/fiera demo --host $(HOST) --port $(PORT)

## test: lint, type check, then the whole suite on SQLite and on PostgreSQL, browser tests included;
## the WebRTC tests (media through the server) in a private network namespace, on SQLite
test: $(VENV)/.test browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -m "not webrtc"
	$(PRIVATE_NETWORK) $(BIN)/pytest -m webrtc --backend sqlite

## test-fast: the tests a developer runs often: SQLite only, no browser, nothing marked slow
test-fast: $(VENV)/.test
	$(BIN)/pytest -q -m "not browser and not slow and not webrtc" --backend sqlite

## typecheck: mypy on server/, booths/ and rooms/ as configured in pyproject.toml
typecheck: $(VENV)/.test
	$(BIN)/mypy

lint: $(VENV)/.test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## bench: slow measurements that print figures side by side with a baseline
bench: $(VENV)/.test
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

## browser: Debian's Chromium for the browser tests (installed when missing and we are root)
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "Browser tests need Debian's chromium: sudo apt-get install chromium"; \
	  fi; \
	fi

## messages: extract translatable strings and merge them into the catalogues
messages: $(VENV)/.test
	$(BIN)/pybabel extract -F web/translations/babel.cfg -k lazy_gettext --no-location \
	  --sort-output --project Fiera -o web/translations/messages.pot .
	$(BIN)/pybabel update -i web/translations/messages.pot -d web/translations \
	  --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache
