"""What the two browser suites share (tests/browser: JupyterLab; tests/site: the course site): Debian's Chromium and
its chromedriver, selenium, the flags Chromium runs with, screenshots in tests/artifacts/ (git-ignored), and what a
suite does where a tool is missing (skip on a developer's machine, fail under CI).

Chromium, chromedriver and selenium are installed at pinned versions by `make browser-deps` (the Makefile is the one
place that names them). Selenium is pointed at the system chromedriver: no driver or browser is downloaded.
"""
import os
import re
import shutil
import sys
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--window-size=1400,1000"]


def missing(what, install):
    """Skip on a developer's machine without ``what``; fail under CI (CI set), where ``install`` (the make target
    that installs it, and what it brings) is run first."""
    message = f"{what} is missing: run {install}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def chromium_tools(install):
    """Paths of the Chromium browser and its chromedriver, once Chromium, chromedriver and selenium are known to be
    there (``install``: what to run where one is missing)."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not (browser and driver):
        missing("Chromium or its chromedriver", install)
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing("the selenium package", install)
    return browser, driver


def chrome(profile, install, flags=(), logs=None, driver_log=None):
    """A headless Chromium driven by selenium through the system chromedriver: ``CHROMIUM_FLAGS`` and ``flags``, its
    profile in the folder ``profile``, the logs ``logs`` kept (e.g. {"browser": "ALL"}, for ``driver.get_log``) and
    chromedriver's own log written to ``driver_log`` if given. ``install``: what to run where a tool is missing."""
    browser, chromedriver = chromium_tools(install)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = browser
    for flag in [*CHROMIUM_FLAGS, *flags, f"--user-data-dir={profile}"]:
        opts.add_argument(flag)
    if logs:
        opts.set_capability("goog:loggingPrefs", logs)
    service = Service(executable_path=chromedriver, **({"log_output": str(driver_log)} if driver_log else {}))
    return webdriver.Chrome(service=service, options=opts)


def fresh_artifacts(prefix):
    """Make tests/artifacts/ and remove the files a previous run left there under ``prefix``-*."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{prefix}-*"):
        old.unlink()


def screenshot(driver, name):
    """Save what the browser shows as tests/artifacts/<name>.png; return the file's name."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))
    return f"{name}.png"


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def widget_notebooks(folder=NOTEBOOKS):
    """The lecture notebooks that show an ipywidgets control (a slider): the ones a static render cannot test, and
    the ones tests/browser runs in JupyterLab (so `make test` does not run them again with nbval)."""
    import nbformat

    def has_widget(path):   # a widget made in the notebook's code, or by a kit function (its stored view)
        cells = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
        made = any(re.search(r"snapshot_slider\(|interactive\(|\binteract\(|widgets\.", c.source) for c in cells)
        return made or any(WIDGET_VIEW in o.get("data", {}) for c in cells for o in c.get("outputs", []))

    return [p for p in sorted(folder.glob("*.ipynb")) if has_widget(p)]


if __name__ == "__main__":   # `python tests/browser_tools.py --without-widgets`: the notebooks nbval runs in `make test`
    widgets = set(widget_notebooks())
    print(" ".join(str(p.relative_to(NOTEBOOKS.parent)) for p in sorted(NOTEBOOKS.glob("*.ipynb"))
                   if (p in widgets) != ("--without-widgets" in sys.argv)))
