# Interval beeper: `make demo` and `make test` set themselves up (a second run reuses .venv).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-slow bench lint venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip==25.3
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/ruff check firmware boards host_tools tests
	$(BIN)/python -m pytest

# Every power-cut point with more tear sizes, and >= 10,000 fuzz cases per target.
test-slow: $(STAMP)
	$(BIN)/ruff check firmware boards host_tools tests
	BEEPER_SLOW=1 $(BIN)/python -m pytest -o timeout=1800

demo: $(STAMP)
	$(BIN)/beeper demo

bench: $(STAMP)
	$(BIN)/python -m host_tools.bench

lint: $(STAMP)
	$(BIN)/ruff check firmware boards host_tools tests

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
