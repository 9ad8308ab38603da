# The contract: on a fresh clone with nothing beside it, `make demo` and `make test` work (Python 3.11-3.13).
# `make demo` installs the app alone; `make test` adds the test extras. uv builds the virtualenv when it is
# on PATH (several times quicker); otherwise python -m venv and pip do.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV ?= $(shell command -v uv 2>/dev/null)
APP_STAMP := $(VENV)/.installed-app
STAMP := $(VENV)/.installed

# A virtualenv made by another Python than $(PYTHON) (e.g. `make test PYTHON=python3.13`) is made anew.
PY_VERSION = import sys; print("%d.%d" % sys.version_info[:2])
WANT_PY := $(shell $(PYTHON) -c '$(PY_VERSION)' 2>/dev/null)
HAVE_PY := $(shell $(BIN)/python -c '$(PY_VERSION)' 2>/dev/null)

ifneq ($(UV),)
MAKE_VENV = $(UV) venv --quiet --python $(PYTHON) $(VENV)
PIP_INSTALL = $(UV) pip install --python $(BIN)/python
else
MAKE_VENV = $(PYTHON) -m venv $(VENV)
PIP_INSTALL = $(BIN)/python -m pip install --progress-bar off
endif

.PHONY: install demo test bench lint wheel clean FORCE

install: $(STAMP)

ifneq ($(WANT_PY),$(HAVE_PY))
$(VENV)/pyvenv.cfg: FORCE
endif
$(VENV)/pyvenv.cfg:
	@test -n "$(WANT_PY)" || { echo "$(PYTHON) was not found: pass PYTHON=python3.11 (or 3.12, 3.13)"; exit 1; }
	rm -rf $(VENV)
	$(MAKE_VENV)

$(APP_STAMP): pyproject.toml $(VENV)/pyvenv.cfg
	$(PIP_INSTALL) -e .
	touch $@

# The test extras may include a package built from source on the newest Python: that takes minutes.
$(STAMP): $(APP_STAMP)
	$(PIP_INSTALL) -e '.[test]'
	touch $@

demo: $(APP_STAMP)
	$(BIN)/calltui --demo

test: $(STAMP)
	$(BIN)/ruff check calltui tests bench
	$(BIN)/pytest -n 2 -q

bench: $(STAMP)
	$(BIN)/python -m bench

lint: $(STAMP)
	$(BIN)/ruff check calltui tests bench
	$(BIN)/ruff format --check calltui tests bench

wheel: $(STAMP)
	rm -rf dist
	$(if $(UV),$(UV) build --wheel --out-dir dist,$(BIN)/python -m pip wheel --no-deps --wheel-dir dist) .

clean:
	rm -rf $(VENV) .pytest_cache dist build
