"""Shared fixtures: real MNIST (the test command points GANKIT_DATA at the course machines' copy).

The suites in ``NAMED_ONLY`` (tests/browser: JupyterLab in Chromium; tests/site: the course as a website) are
collected only when named on the command line (`pytest tests/browser`, what `make browser-test` and `make site-test`
run): `pytest tests` leaves them out, since they need Chromium (and the site, Sphinx), which those targets install
first. Each prints what its tests recorded as the property "summary" under its title.

The exercise and solution notebooks run once per session (``run_once``): the checks of their outputs
(tests/test_exercise_runs.py), grading (tests/test_grade.py) and the student release (tests/test_release.py) read
that one run.
"""
import json
import os
import time
from pathlib import Path
from typing import NamedTuple

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


# ----------------------------------------------------------------------------- the exercise and solution notebooks

# The first cell of each run: it puts a recording check in place of gankit.check.check, which appends
# [name, data, value] for each call to a file: the data a data-dependent answer was checked with (what the release
# hashes) and the answer itself, as the release's checker test replays it ("function": its values at the check's
# test points, keyed by their JSON; "array", "number"; "raw": None, names).
RECORDER = """def _gankit_record(log):
    import json
    import numpy as np
    import gankit.check as kit

    def plain(name, value):
        if value is None or isinstance(value, (bool, np.bool_)):
            return ["raw", None if value is None else bool(value)]
        if isinstance(value, str):
            return ["raw", value]
        if isinstance(value, (list, tuple, set)) and value and all(isinstance(v, str) for v in value):
            return ["raw", sorted(value)]
        if callable(value):
            at = lambda args: json.dumps([np.asarray(a, dtype=float).tolist() for a in args])
            number = lambda v: None if v is None else float(np.asarray(v, dtype=float))
            points = kit.ANSWERS[name].compare.spec["points"]
            return ["function", {at(args): number(value(*args)) for args in points}]
        x = np.asarray(value, dtype=float)
        return ["number", x.item()] if x.ndim == 0 else ["array", x.tolist()]

    def recording(name, value, _check=kit.check, **context):
        try:
            v = plain(name, value)
        except Exception as e:   # e.g. a stub that is not a function of the test points
            v = ["unrecorded", repr(e)]
        data = {k: np.asarray(c, dtype=float).tolist() for k, c in context.items()}
        with open(log, "a") as f:
            f.write(json.dumps([name, data, v]) + "\\n")
        return _check(name, value, **context)

    kit.check = recording


_gankit_record(LOG)
del _gankit_record"""


class Run(NamedTuple):
    nb: dict          # the notebook (nbformat's) with the outputs of this run
    calls: list       # [name, data, value] of each check call, in order
    seconds: float


@pytest.fixture(scope="session")
def run_once(tmp_path_factory):
    """``run_once(path)``: the exercise or solution notebook at ``path`` run top to bottom in quick mode
    (GANKIT_QUICK=1, GANKIT_GRADE=0) in a fresh kernel, once per session: a ``Run``. A cell that raises does not stop
    the run (grading reads what follows; tests/test_exercise_runs.py fails on it); one that runs longer than the
    runner's timeout (``gankit.notebooks.CELL_TIMEOUT``) fails the test, naming the notebook and the cell."""
    import nbformat                   # the instructor's tools: imported here, not by every test
    from gankit import notebooks

    runs = {}

    def execute(path):
        log = tmp_path_factory.mktemp("calls") / "calls.jsonl"
        log.touch()
        nb = nbformat.read(path, as_version=4)
        nb.cells.insert(0, nbformat.v4.new_code_cell(RECORDER.replace("LOG", repr(str(log)))))
        t0 = time.perf_counter()
        notebooks.execute(nb, path, allow_errors=True, env=dict(os.environ, GANKIT_QUICK="1", GANKIT_GRADE="0"))
        recorder = nb.cells.pop(0)
        assert recorder.outputs == [], f"the recording cell failed in {path.name}: {recorder.outputs}"
        return Run(nb, [json.loads(line) for line in log.read_text().splitlines()], time.perf_counter() - t0)

    def run(path):
        path = Path(path).resolve()
        if path not in runs:
            try:
                runs[path] = execute(path)
            except Exception as e:   # a run that failed (a cell past the timeout) fails each test that reads it, once
                runs[path] = e
        if isinstance(runs[path], Exception):
            raise runs[path]
        return runs[path]

    return run
