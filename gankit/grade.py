"""Grade submitted exercise notebooks: run each one in a fresh kernel and count its answer checks.

    python -m gankit.grade exercises/*.ipynb                  # a score table, exit 1 when an answer is not right
    python -m gankit.grade submission.ipynb --csv grades.csv  # also as CSV (or --json) for a learning platform

Every ``check("name", value)`` call of a notebook is one item: right (1 point), wrong or not answered (0). The items
a notebook should answer are read from its code (``check("...")`` calls), so an item whose cell never ran, or crashed
before its check, counts as not answered. A submitted notebook runs to the end even when a cell fails.
(For CI, ``GANKIT_GRADE=1 pytest --nbval-lax NOTEBOOK`` instead fails one test item per check cell that is not right.)
"""
import argparse
import csv
import json
import re
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

CHECK_CALL = re.compile(r"""\bcheck\(\s*["'](\w+)["']""")
VERDICT = re.compile(r"^(✅|❌|⏳) (\w+):", re.M)
STATUS = {"✅": "right", "❌": "wrong", "⏳": "not answered"}


def items(nb):
    """The answer checks a notebook calls, in order: the names in its ``check("name", ...)`` calls."""
    names = [n for c in nb.cells if c.cell_type == "code" for n in CHECK_CALL.findall(c.source)]
    return list(dict.fromkeys(names))


def verdicts(nb):
    """name -> "right" / "wrong" / "not answered", from the lines the checks printed in the notebook's outputs."""
    text = "\n".join("".join(o.get("text", "")) for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                     if o.get("output_type") == "stream")
    return {name: STATUS[mark] for mark, name in VERDICT.findall(text)}


def grade(path, timeout=600):
    """Run notebook ``path`` top to bottom (cell errors do not stop it) and score its checks. Returns a dict:
    notebook, items {name: status}, right, total, score (right / total)."""
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent.resolve())}}).execute()
    found = verdicts(nb)
    marks = {name: found.get(name, "not answered") for name in items(nb)}
    right = sum(v == "right" for v in marks.values())
    return dict(notebook=path.name, items=marks, right=right, total=len(marks),
                score=right / len(marks) if marks else 1.0)


def table(results):
    """A plain-text score table: one line per notebook, then one per item that is not right."""
    lines = [f"{'notebook':40s} {'score':>7s}  right / items"]
    for r in results:
        lines.append(f"{r['notebook']:40s} {r['score']:7.0%}  {r['right']} / {r['total']}")
        lines += [f"    {name}: {status}" for name, status in r["items"].items() if status != "right"]
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m gankit.grade", description=__doc__.splitlines()[0])
    p.add_argument("notebooks", nargs="+", help="submitted exercise notebooks")
    p.add_argument("--csv", help="write the scores, one row per item, to this CSV file")
    p.add_argument("--json", help="write the scores to this JSON file")
    a = p.parse_args(argv)
    results = [grade(path) for path in a.notebooks]
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
