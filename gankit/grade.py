"""Grade submitted exercise notebooks: run each one in a fresh kernel and count its answer checks.

    python -m gankit.grade exercises/*.ipynb                  # a score table, exit 1 when an answer is not right
    python -m gankit.grade submission.ipynb --csv grades.csv  # also as CSV (or --json) for a learning platform

Every ``check("name", value)`` call of a notebook is one item: right (1 point), wrong or not answered (0). The items
a notebook should answer are read from its code (``check("...")`` calls), so an item whose cell never ran, or crashed
before its check, counts as not answered. What each check said is read from the record it writes beside its line
(``gankit.verdicts``), never from the line's wording. A submitted notebook runs to the end even when a cell fails;
a cell that runs longer than ``TIMEOUT`` stops the grading with an error that names the notebook and the cell.
(For CI, ``GANKIT_GRADE=1 pytest --nbval-lax NOTEBOOK`` instead fails one test item per check cell that is not right.)
"""
import argparse
import csv
import json
import re
import sys
from pathlib import Path

import nbformat

from . import tables, verdicts
from .notebooks import CELL_TIMEOUT, NotebookError, execute

CHECK_CALL = re.compile(r"""\bcheck\(\s*["'](\w+)["']""")
TIMEOUT = CELL_TIMEOUT   # seconds a cell may run: the runner's (an exercise's slowest cell takes seconds)


def items(nb):
    """The answer checks a notebook calls, in order: the names in its ``check("name", ...)`` calls."""
    names = [n for c in nb.cells if c.cell_type == "code" for n in CHECK_CALL.findall(c.source)]
    return list(dict.fromkeys(names))


def grade(path, timeout=TIMEOUT):
    """Run notebook ``path`` top to bottom in a fresh kernel (a cell that raises does not stop it; one that runs
    longer than ``timeout`` seconds raises ``gankit.notebooks.NotebookError``, naming the notebook and the cell) and
    score its checks (``score``)."""
    path = Path(path)
    return score(execute(nbformat.read(path, as_version=4), path, timeout, allow_errors=True), path.name)


def score(nb, name):
    """The score of notebook ``nb`` (called ``name``) as run: its items (``items``) and what their checks said
    (``gankit.verdicts.read``), a check that said nothing counting as not answered. Returns a dict: notebook, items
    {name: status}, right, total, score (right / total)."""
    found = verdicts.read(nb)
    marks = {item: found.get(item, "not answered") for item in items(nb)}
    right = sum(v == "right" for v in marks.values())
    return dict(notebook=name, items=marks, right=right, total=len(marks), score=right / len(marks) if marks else 1.0)


def table(results):
    """A plain-text score table (``gankit.tables``): one line per notebook, then one per item that is not right."""
    scores = tables.table(["notebook", "score", "right", "items"],
                          [[r["notebook"], r["score"], r["right"], r["total"]] for r in results], formats={"score": ".0%"})
    missed = [[r["notebook"], name, status] for r in results for name, status in r["items"].items() if status != "right"]
    return scores + ("\n\n" + tables.table(["notebook", "item", "status"], missed) if missed else "")


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m gankit.grade", description=__doc__.splitlines()[0])
    p.add_argument("notebooks", nargs="+", help="submitted exercise notebooks")
    p.add_argument("--csv", help="write the scores, one row per item, to this CSV file")
    p.add_argument("--json", help="write the scores to this JSON file")
    p.add_argument("--timeout", type=float, default=TIMEOUT, help=f"seconds a cell may run (default {TIMEOUT})")
    a = p.parse_args(argv)
    try:
        results = [grade(path, a.timeout) for path in a.notebooks]
    except NotebookError as e:
        print(f"grading stopped: {e}", file=sys.stderr)
        return 2
    print(table(results))
    if a.csv:
        with open(a.csv, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["notebook", "item", "status", "points"])
            for r in results:
                w.writerows([r["notebook"], name, s, int(s == "right")] for name, s in r["items"].items())
    if a.json:
        Path(a.json).write_text(json.dumps(results, indent=1) + "\n")
    return 0 if all(r["right"] == r["total"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
