# gankit: two commands on a fresh clone.
#   make lab    set up .venv and open JupyterLab on notebooks/
#   make test   set up .venv and run the whole test suite (what CI runs)
PY      := .venv/bin/python
STAMP   := .venv/.installed
SITE_STAMP := .venv/.site-installed
# The kit's MNIST folder: GANKIT_DATA if set, else the course machines' shared copy when present,
# else the kit downloads MNIST into ~/.cache/gankit the first time.
GANKIT_DATA ?= $(if $(wildcard ../shared/data/MNIST/raw),$(abspath ../shared/data),)
export GANKIT_DATA

# The browser test's tools, pinned here and nowhere else: Debian's Chromium (major version) and selenium.
CHROMIUM := chromium=156.* chromium-driver=156.*
SELENIUM := selenium==4.51.0

.PHONY: lab test test-code test-pages browser-test browser-deps setup notebooks exercises grade release

setup: $(STAMP)

$(STAMP): pyproject.toml
	python3 -m venv .venv
	$(PY) -m pip install --quiet -e '.[lab,test,instructor]'
	touch $(STAMP)

lab: $(STAMP)
	$(PY) -m jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root)

# Every pytest line below prints its 15 slowest tests, so that the slow ones stay visible.
PYTEST  := $(PY) -m pytest -q --durations=15

# Two lanes side by side, one CPU thread each (the machines have 2 cores; torch alone would take both):
# - the code: library tests, with every exercise and solution notebook run once in quick mode (tests/conftest.py,
#   run_once: no cell may raise, the solutions must print their stored outputs, as `pytest --nbval` checks; grading
#   and the student release read that run), then the doctests;
# - the pages: the lecture notebooks in quick mode, those with a widget in JupyterLab in headless Chromium (which
#   runs every cell and checks figures and sliders), the others with nbval (loosely: they train with random
#   numbers); then the course site in headless Chromium.
test: $(STAMP) browser-deps $(SITE_STAMP)
	$(MAKE) -j2 --output-sync=target test-code test-pages

test-code: $(STAMP)
	GANKIT_QUICK=1 OMP_NUM_THREADS=1 $(PYTEST) tests
	OMP_NUM_THREADS=1 $(PYTEST) --doctest-modules gankit

test-pages: $(STAMP) browser-deps $(SITE_STAMP)
	GANKIT_QUICK=1 OMP_NUM_THREADS=1 $(PYTEST) --nbval-lax $(shell $(PY) tests/browser_tools.py --without-widgets)
	GANKIT_QUICK=1 OMP_NUM_THREADS=1 $(PYTEST) -rs tests/browser
	OMP_NUM_THREADS=1 $(PYTEST) -rs tests/site

# JupyterLab in headless Chromium: runs every notebook that has a widget in quick mode, checks that figures
# and sliders render. Screenshots in tests/artifacts/.
browser-test: $(STAMP) browser-deps
	GANKIT_QUICK=1 $(PYTEST) -rs tests/browser

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
$(SITE_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install --quiet -e '.[site]'
	touch $(SITE_STAMP)

site: $(SITE_STAMP)
	rm -rf _site
	GANKIT_SITE_SOLUTIONS=$(SOLUTIONS) $(PY) -m sphinx -W --keep-going -q -b html -c docs/site -d _site/doctrees . _site/html
	@echo "The site: _site/html/index.html ($(if $(filter-out 0,$(SOLUTIONS)),with,without) solutions)"

# The site built with -W and opened in headless Chromium (math typeset, figures loaded); screenshots in tests/artifacts/.
site-test: $(SITE_STAMP) browser-deps
	$(PYTEST) -rs tests/site

# Instructors: the student release (no solutions/, answers only in one-way form) into a new folder OUT.
OUT ?= ../gankit-student
release: $(STAMP)
	$(PY) -m gankit.release $(OUT)
