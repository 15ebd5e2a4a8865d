"""The browser suite: collected only when named on the command line (`pytest tests/browser`).

`pytest tests` leaves this folder out, so the library suite never starts JupyterLab or Chromium.
"""
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def _named(config):
    """True when a command-line argument is this folder, a file in it, or a test in it."""
    for arg in config.args:
        path = Path(str(arg).split("::")[0]).resolve()
        if path == HERE or HERE in path.parents:
            return True
    return False


def pytest_ignore_collect(collection_path, config):
    if HERE in (Path(collection_path).resolve(), *Path(collection_path).resolve().parents) and not _named(config):
        return True
    return None


def pytest_addoption(parser):
    parser.addoption("--notebook", action="append", default=[], metavar="PATH",
                     help="lecture notebook(s) for the browser test (default: every notebook in notebooks/ with a widget)")


def pytest_terminal_summary(terminalreporter):
    """Print each browser run's timings and screenshots (recorded by the test as the property "summary")."""
    lines = [value for report in terminalreporter.stats.get("passed", [])
             for name, value in getattr(report, "user_properties", []) if name == "summary"]
    if lines:
        terminalreporter.write_sep("-", "JupyterLab in Chromium")
        for line in lines:
            terminalreporter.write_line(line)
