# The contract: on a fresh clone with nothing beside it, `make demo` and `make test` work (Python 3.11-3.13).
# `make demo` installs the app alone; `make test` adds the test extras. uv installs them (several times
# quicker than pip): the one on PATH, else one brought from PyPI into the virtualenv; pip if neither works.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(shell command -v uv 2>/dev/null)
APP_STAMP := $(VENV)/.installed-app
STAMP := $(VENV)/.installed

# A virtualenv made by another Python than $(PYTHON) (e.g. `make test PYTHON=python3.13`) is made anew.
PY_VERSION = import sys; print("%d.%d" % sys.version_info[:2])
WANT_PY := $(shell $(PYTHON) -c '$(PY_VERSION)' 2>/dev/null)
HAVE_PY := $(shell $(BIN)/python -c '$(PY_VERSION)' 2>/dev/null)

ifneq ($(UV),)
MAKE_VENV = $(UV) venv --quiet --python $(PYTHON) $(VENV)
else
MAKE_VENV = $(PYTHON) -m venv --without-pip $(VENV) && \
	{ $(PYTHON) -m pip --python $(BIN)/python install --quiet --progress-bar off uv || \
	  $(BIN)/python -m ensurepip --default-pip; }
endif
# $(call UV_OR_PIP,uv's arguments,pip's arguments): the uv on PATH, else the virtualenv's, else pip.
UV_OR_PIP = if [ -n "$(UV)" ]; then $(UV) $(1); elif [ -x $(BIN)/uv ]; then $(BIN)/uv $(1); \
	else $(BIN)/python -m pip $(2); fi
PIP_INSTALL = $(call UV_OR_PIP,pip install --python $(BIN)/python $(1),install --progress-bar off $(1))

.PHONY: install demo test bench lint picture wheel clean FORCE

install: $(STAMP)

ifneq ($(WANT_PY),$(HAVE_PY))
$(VENV)/pyvenv.cfg: FORCE
endif
$(VENV)/pyvenv.cfg:
	@test -n "$(WANT_PY)" || { echo "$(PYTHON) was not found: pass PYTHON=python3.11 (or 3.12, 3.13)"; exit 1; }
	rm -rf $(VENV)
	$(MAKE_VENV)

$(APP_STAMP): pyproject.toml $(VENV)/pyvenv.cfg
	$(call PIP_INSTALL,-e .)
	touch $@

# The test extras may include a package built from source on the newest Python: that takes minutes.
$(STAMP): $(APP_STAMP)
	$(call PIP_INSTALL,-e '.[test]')
	touch $@

demo: $(APP_STAMP)
	$(BIN)/calltui --demo

test: $(STAMP)
	$(BIN)/ruff check calltui tests bench docs
	$(BIN)/pytest -n 2 -q

bench: $(STAMP)
	$(BIN)/python -m bench

lint: $(STAMP)
	$(BIN)/ruff check calltui tests bench docs
	$(BIN)/ruff format --check calltui tests bench docs

# The README's picture, saved by the app itself on the demo simulator: regenerate it after a visible change.
picture: $(APP_STAMP)
	$(BIN)/python docs/screenshot.py docs/calltui.svg

wheel: $(APP_STAMP)
	rm -rf dist
	$(call UV_OR_PIP,build --wheel --out-dir dist .,wheel --no-deps --wheel-dir dist .)

clean:
	rm -rf $(VENV) .pytest_cache dist build
