# gankit: two commands on a fresh clone.
#   make lab    set up .venv and open JupyterLab on notebooks/
#   make test   set up .venv and run the whole test suite (what CI runs)
PY      := .venv/bin/python
STAMP   := .venv/.installed
# The kit's MNIST folder: GANKIT_DATA if set, else the course machines' shared copy when present,
# else the kit downloads MNIST into ~/.cache/gankit the first time.
GANKIT_DATA ?= $(if $(wildcard ../shared/data/MNIST/raw),$(abspath ../shared/data),)
export GANKIT_DATA

# The browser test's tools, pinned here and nowhere else: Debian's Chromium (major version) and selenium.
CHROMIUM := chromium=156.* chromium-driver=156.*
SELENIUM := selenium==4.51.0

.PHONY: lab test browser-test browser-deps setup notebooks exercises grade release

setup: $(STAMP)

$(STAMP): pyproject.toml
	python3 -m venv .venv
	$(PY) -m pip install --quiet -e '.[lab,test]'
	touch $(STAMP)

lab: $(STAMP)
	$(PY) -m jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root)

# Library tests, then every notebook in quick mode: lecture notebooks and exercises loosely (they train
# with random numbers), solutions strictly (their printed answers must match the stored ones), then
# JupyterLab in headless Chromium.
test: $(STAMP)
	GANKIT_QUICK=1 $(PY) -m pytest -q tests
	$(PY) -m pytest -q --doctest-modules gankit
	$(if $(wildcard notebooks/*.ipynb exercises/*.ipynb),GANKIT_QUICK=1 $(PY) -m pytest -q --nbval-lax $(wildcard notebooks/*.ipynb exercises/*.ipynb))
	$(if $(wildcard solutions/*.ipynb),GANKIT_QUICK=1 $(PY) -m pytest -q --nbval $(wildcard solutions/*.ipynb))
	$(MAKE) browser-test
	$(MAKE) site-test

# JupyterLab in headless Chromium: runs every notebook that has a widget in quick mode, checks that figures
# and sliders render. Screenshots in tests/artifacts/.
browser-test: $(STAMP) browser-deps
	GANKIT_QUICK=1 $(PY) -m pytest -q -rs tests/browser

# Chromium and chromedriver from Debian (apt-get, as root), selenium into the venv.
browser-deps: $(STAMP)
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    $(CHROMIUM) fonts-liberation fonts-dejavu-core; }
	$(PY) -m pip install --quiet $(SELENIUM)

# Maintainers: store lecture-mode outputs in the notebooks; regenerate exercises from solutions.
notebooks: $(STAMP)
	$(PY) -m gankit.notebooks

exercises: $(STAMP)
	$(PY) -m gankit.exercises

# Instructors: grade submitted exercise notebooks (make grade NOTEBOOKS="submissions/*.ipynb"); scores in grades.csv.
NOTEBOOKS ?= exercises/*.ipynb
grade: $(STAMP)
	$(PY) -m gankit.grade $(NOTEBOOKS) --csv grades.csv

# The course as a website, from the notebooks' stored outputs (never runs one), into _site/html/ (index.html);
# make site SOLUTIONS=1 puts the worked solutions in too. docs/publish-site.yml publishes it on GitHub Pages.
.PHONY: site site-test
SOLUTIONS ?=
SITE_STAMP := .venv/.site-installed
$(SITE_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install --quiet -e '.[site]'
	touch $(SITE_STAMP)

site: $(SITE_STAMP)
	rm -rf _site
	GANKIT_SITE_SOLUTIONS=$(SOLUTIONS) $(PY) -m sphinx -W --keep-going -q -b html -c docs/site -d _site/doctrees . _site/html
	@echo "The site: _site/html/index.html ($(if $(filter-out 0,$(SOLUTIONS)),with,without) solutions)"

# The site built with -W and opened in headless Chromium (math typeset, figures loaded); screenshots in tests/artifacts/.
site-test: $(SITE_STAMP) browser-deps
	$(PY) -m pytest -q -rs tests/site

# Instructors: the student release (no solutions/, answers only in one-way form) into a new folder OUT.
OUT ?= ../gankit-student
release: $(STAMP)
	$(PY) -m gankit.release $(OUT)
