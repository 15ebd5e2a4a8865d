# gankit: two commands on a fresh clone.
#   make lab    set up .venv and open JupyterLab on notebooks/
#   make test   set up .venv and run the whole test suite (what CI runs)
PY      := .venv/bin/python
STAMP   := .venv/.installed
# The kit's MNIST folder: GANKIT_DATA if set, else the course machines' shared copy when present,
# else the kit downloads MNIST into ~/.cache/gankit the first time.
GANKIT_DATA ?= $(if $(wildcard ../shared/data/MNIST/raw),$(abspath ../shared/data),)
export GANKIT_DATA

.PHONY: lab test browser-test setup notebooks exercises

setup: $(STAMP)

$(STAMP): pyproject.toml
	python3 -m venv .venv
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

lab: $(STAMP)
	$(PY) -m jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root)

# Library tests, then every notebook in quick mode: lecture notebooks and exercises loosely (they train
# with random numbers), solutions strictly (their printed answers must match the stored ones), then
# JupyterLab in headless Chromium.
test: $(STAMP)
	GANKIT_QUICK=1 $(PY) -m pytest -q tests
	$(if $(wildcard notebooks/*.ipynb exercises/*.ipynb),GANKIT_QUICK=1 $(PY) -m pytest -q --nbval-lax $(wildcard notebooks/*.ipynb exercises/*.ipynb))
	$(if $(wildcard solutions/*.ipynb),GANKIT_QUICK=1 $(PY) -m pytest -q --nbval $(wildcard solutions/*.ipynb))
	$(MAKE) browser-test

# JupyterLab in headless Chromium: runs a notebook in quick mode, checks figures and sliders render
# (installs Debian's chromium and chromium-driver when run as root). Screenshots in tests/artifacts/.
browser-test: $(STAMP)
	GANKIT_QUICK=1 $(PY) -m pytest -q -rs tests/browser

# Maintainers: store lecture-mode outputs in the notebooks; regenerate exercises from solutions.
notebooks: $(STAMP)
	$(PY) -m gankit.notebooks

exercises: $(STAMP)
	$(PY) -m gankit.exercises
