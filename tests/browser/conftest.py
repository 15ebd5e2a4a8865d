"""The browser suite's option: which lecture notebooks to open (`pytest tests/browser --notebook PATH`).

Like tests/site, this folder is collected only when named on the command line (tests/conftest.py).
"""


def pytest_addoption(parser):
    parser.addoption("--notebook", action="append", default=[], metavar="PATH",
                     help="lecture notebook(s) for the browser test (default: every notebook in notebooks/ with a widget)")
