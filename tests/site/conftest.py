"""The site suite: collected only when named on the command line (`pytest tests/site`, what `make site-test` runs).

`pytest tests` leaves this folder out: it needs the `site` extra (Sphinx) and Chromium, which `make site-test`
installs first.
"""
from pathlib import Path

HERE = Path(__file__).resolve().parent


def pytest_ignore_collect(collection_path, config):
    path = Path(collection_path).resolve()
    named = any(HERE in (p, *p.parents) for p in (Path(str(a).split("::")[0]).resolve() for a in config.args))
    if HERE in (path, *path.parents) and not named:
        return True
    return None


def pytest_terminal_summary(terminalreporter):
    """Print the build's and each page's summary (recorded by the tests as the property "summary")."""
    lines = [value for report in terminalreporter.stats.get("passed", [])
             for name, value in getattr(report, "user_properties", []) if name == "summary"]
    if lines:
        terminalreporter.write_sep("-", "the course site")
        for line in lines:
            terminalreporter.write_line(line)
