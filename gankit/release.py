r"""The student release: a copy of the course without ``solutions/`` and without any readable reference answer.

    python -m gankit.release OUTDIR       # or: make release OUT=OUTDIR (from the instructor's copy)

It copies the files git knows (tracked, or new and not ignored) but ``LEFT_OUT`` (``solutions/``, the closed forms,
the instructor's checker and the tests that need them) and writes ``gankit/oneway.json``, the one-way form of every
answer of ``gankit.check.ANSWERS`` made now with a fresh random salt (``gankit.oneway``, which states the rule), with
a ``gankit/check.py`` that compares with it (``gankit.oneway.check``): the same lines (right / not right yet + hint /
not answered yet) and records, offline, AssertionError under GANKIT_GRADE=1. The answers that depend on the
notebook's data are hashed for the data the exercise notebooks pass, recorded by running them in quick mode (the
data do not depend on the mode). README.md gets a note at its top (``STUDENT_NOTE``): this is the student copy.
"""
import argparse
import json
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from .grade import items
from .notebooks import execute
from .oneway import TABLE, seal

ROOT = Path(__file__).resolve().parent.parent
LEFT_OUT = ("solutions/", "gankit/closedforms.py", "gankit/check.py", "tests/test_check.py", "tests/test_exercises.py",
            "tests/test_grade.py", "tests/test_release.py")   # the answers, and the tests that need them

# The student copy's gankit/check.py.
CHECK_PY = '''r"""Exercise checks of the student release: ``check(name, value)`` prints whether an answer is
right, wrong (with a hint) or not given yet, against the one-way form of the answers in ``oneway.json`` (salted
hashes written by ``python -m gankit.release``; ``gankit.oneway`` states the rule). This copy holds no reference
answer."""
from .oneway import check, table

ANSWERS = table()["answers"]   # name -> its one-way form


def reference(name, **context):
    raise RuntimeError("the student release holds no reference answers (see gankit.release)")
'''


STUDENT_NOTE = """> **Student copy.** This copy of the course has no worked solutions: each check cell compares your answer with a
> hashed form of the reference answer and says whether it is right, wrong (with a hint) or not given yet. What this
> README says about `solutions/`, grading and releases is for instructors.
"""


def course_files(root=ROOT):
    """The course's files (relative paths): what git tracks or would add, minus ``LEFT_OUT``."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=root,
                            capture_output=True, text=True, check=True).stdout.split("\0")
    return sorted(f for f in set(listed) if f and (Path(root) / f).is_file() and not f.startswith(LEFT_OUT))


RECORDER = """import json, os, sys
os.environ["GANKIT_QUICK"] = "1"
sys.path.insert(0, {root!r})
import numpy as np
import gankit.check as kit_check
def recording_check(name, value, _check=kit_check.check, **context):
    with open({path!r}, "a") as f:
        f.write(json.dumps([name, {{k: np.asarray(v, dtype=float).tolist() for k, v in context.items()}}]) + "\\n")
    return _check(name, value, **context)
kit_check.check = recording_check"""


def notebook_data(root, names):
    """{name: [context, ...]}: the data the exercise notebooks pass to the checks ``names``, recorded by running the
    notebooks that call them (quick mode) with a recording ``check`` put first."""
    found = {n: [] for n in names}
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "calls.jsonl"
        log.touch()
        for path in sorted((Path(root) / "exercises").glob("*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            if set(items(nb)) & set(names):
                nb.cells.insert(0, nbformat.v4.new_code_cell(RECORDER.format(root=str(root), path=str(log))))
                execute(nb, path)
        for name, context in map(json.loads, log.read_text().splitlines()):
            if name in found and context not in found[name]:
                found[name].append(context)
    return found


def build(out, root=ROOT, data=None):
    """Write the student release of the course at ``root`` into the new folder ``out``. Returns {name: [data]}: the
    data each data-dependent answer was hashed for: ``data`` when given (in ``notebook_data``'s form, e.g. from a
    test's run of the exercises), else ``notebook_data``."""
    root, out = Path(root).resolve(), Path(out).resolve()
    if not (root / "solutions").is_dir():
        raise SystemExit("make a release from the instructor's copy of the kit (the one with solutions/)")
    if out.exists() and any(out.iterdir()):
        raise SystemExit(f"{out} is not empty")
    from .check import ANSWERS   # here, not at the top: a student copy's gankit.check holds the one-way table
    if data is None:
        data = notebook_data(root, [n for n, a in ANSWERS.items() if a.context])
    table = seal(ANSWERS, data, secrets.token_hex(16))
    for f in course_files(root):
        if out not in (root / f).resolve().parents:   # an OUT inside the clone is not copied into itself
            (out / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / f, out / f)
    (out / "gankit" / TABLE).write_text(json.dumps(table, indent=1) + "\n")
    (out / "gankit" / "check.py").write_text(CHECK_PY)
    readme = (out / "README.md").read_text()
    title, _, rest = readme.partition("\n")
    (out / "README.md").write_text(f"{title}\n\n{STUDENT_NOTE}{rest}")
    return data


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m gankit.release", description=__doc__.splitlines()[0])
    p.add_argument("out", help="the new folder to write the student release into")
    out, t0 = Path(p.parse_args(argv).out), time.perf_counter()
    build(out)
    files = [f for f in out.rglob("*") if f.is_file()]
    print(f"student release in {out}: {len(files)} files, {sum(f.stat().st_size for f in files) / 1e6:.1f} MB, "
          f"{time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    sys.exit(main())
