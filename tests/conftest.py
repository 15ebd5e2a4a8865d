"""Shared fixtures: real MNIST (the test command points GANKIT_DATA at the course machines' copy).

The suites in ``NAMED_ONLY`` (tests/browser: JupyterLab in Chromium; tests/site: the course as a website) are
collected only when named on the command line (`pytest tests/browser`, what `make browser-test` and `make site-test`
run): `pytest tests` leaves them out, since they need Chromium (and the site, Sphinx), which those targets install
first. Each prints what its tests recorded as the property "summary" under its title.
"""
from pathlib import Path

import pytest
import torch

from gankit import data


@pytest.fixture(scope="session")
def mnist_test():
    """The 10,000 MNIST test images in [-1, 1] and their labels."""
    return data.mnist(train=False)


@pytest.fixture(scope="session")
def mnist_train():
    return data.mnist(train=True)


@pytest.fixture(autouse=True)
def _seeded():
    torch.manual_seed(0)


HERE = Path(__file__).resolve().parent
NAMED_ONLY = {"browser": "JupyterLab in Chromium", "site": "the course site"}   # folder -> title of its summary


def _within(path, folder):
    path = Path(path).resolve()
    return folder == path or folder in path.parents


def pytest_ignore_collect(collection_path, config):
    named = [str(a).split("::")[0] for a in config.args]
    for name in NAMED_ONLY:
        folder = HERE / name
        if _within(collection_path, folder) and not any(_within(a, folder) for a in named):
            return True
    return None


def pytest_terminal_summary(terminalreporter):
    """Print, suite by suite, the lines its passed tests recorded as the property "summary"."""
    lines = {}
    for report in terminalreporter.stats.get("passed", []):
        suite = Path(report.nodeid.split("::")[0]).parent.name
        lines.setdefault(suite, []).extend(v for k, v in getattr(report, "user_properties", []) if k == "summary")
    for suite, title in NAMED_ONLY.items():
        if lines.get(suite):
            terminalreporter.write_sep("-", title)
            for line in lines[suite]:
                terminalreporter.write_line(line)
