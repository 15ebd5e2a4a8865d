r"""The student release: a copy of the course without ``solutions/`` and without any readable reference answer.

    python -m gankit.release OUTDIR       # or: make release OUT=OUTDIR (from the instructor's copy)

It copies the files git knows (tracked, or new and not ignored) but ``LEFT_OUT`` (``solutions/``, the closed forms,
the instructor's checker and the tests that need them) and writes ``gankit/oneway.json``, the one-way form of every
answer of ``gankit.check.ANSWERS`` made now with a fresh random salt, with a ``gankit/check.py`` that compares with
it: the same lines (right / not right yet + hint / not answered yet), offline, AssertionError under GANKIT_GRADE=1.
README.md gets a note at its top (``STUDENT_NOTE``): this is the student copy.

The rule. A reference number r checked at tolerance tau(r) = atol + rtol |r| (``gankit.answers``) is stored as
sha256(salt, exercise, data, point, j, k) for its cell k = floor(r / h_j) on the grid of width h_j = 1.01^j, for each
j that a value within tau(r) of r can have. A value v is accepted iff one of the cells floor(v / h_j) + (-1, 0, 1)
hashes to a stored key, at j = ceil(log_1.01(tau(v) / (1 - rtol))): then h_j >= tau(v) / (1 - rtol) >= tau(r)
whenever |v - r| <= tau(r). Hence
- |v - r| <= tau(r)  =>  accepted: every answer the instructor's checker accepts is accepted;
- accepted  =>  |v - r| < 2 h_j < 2.02 tau(v) / (1 - rtol): nothing beyond about twice that tolerance.
Infinities are the tokens "inf", "-inf"; yes/no answers and sets of names are hashed as their text; a function at
each test point (the message still says at how many points it is wrong); a segment's four coordinates together, in
either order of its ends; Exercise 3's potential by sum_i (p_i - q_i) f_i against W1 (and -W1, for the sign-flip
message). Known wrong numbers (``mistakes``) are hashed alike and keep their messages; hints stay. Left out: the
diagnoses of a wrong function (e.g. a missing factor 2), which compute with the reference function. Answers that
depend on the notebook's data (``context``, Exercise 3's p and q) are hashed for the data the exercise notebook
passes, recorded by running it in quick mode (the data do not depend on the mode), keyed by a hash of that data:
with other data the check says it knows the notebook's data only.

Limits: hashes keep the answers from being read, not from being guessed: a yes/no answer or a small set falls to a
few tries, a number to trying grid cells against the check, as with any checker run on the student's machine.
"""
import argparse
import functools
import hashlib
import itertools
import json
import math
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import numpy as np
from nbclient import NotebookClient

from .answers import (FLIPPED, NOT_OPTIMAL, POTENTIAL_RIGHT, Wrong, _args, _fmt, _function_result, _number,
                      _read_names, _read_potential_gain, _read_segment, _read_values_at, _read_yes_no, verdict)
from .grade import items

ROOT = Path(__file__).resolve().parent.parent
ONEWAY = "oneway.json"
LEFT_OUT = ("solutions/", "gankit/closedforms.py", "gankit/check.py", "tests/test_check.py", "tests/test_exercises.py",
            "tests/test_grade.py", "tests/test_release.py")   # the answers, and the tests that need them
BASE = 1.01   # grid widths are powers of BASE


# ----------------------------------------------------------------------------- the one-way form

def _width(v, rtol, atol):
    """j such that h_j = BASE^j is the smallest power of BASE >= (atol + rtol |v|) / (1 - rtol)."""
    return math.ceil(math.log((atol + rtol * abs(v)) / (1 - rtol), BASE))


def _cells(v, rtol, atol, stored):
    """Stored: the cells of reference v at every width j(u) of a u within tau(v) of v (j grows with |u|). Tried: the
    cell of value v at its width j(v) and the two beside it. An infinity is its own token."""
    if math.isinf(v):
        return [str(v)]
    if stored:
        tau = atol + rtol * abs(v)
        widths = range(_width(max(0.0, abs(v) - tau), rtol, atol), _width(abs(v) + tau, rtol, atol) + 1)
        return [f"{j}:{math.floor(v / BASE ** j)}" for j in widths]
    j = _width(v, rtol, atol)
    return [f"{j}:{math.floor(v / BASE ** j) + d}" for d in (-1, 0, 1)]


def _digest(salt, tag, tokens):
    return hashlib.sha256("|".join([salt, tag, *tokens]).encode()).hexdigest()


def keys(salt, tag, refs, rtol, atol):
    """The one-way form of the reference numbers ``refs`` (one or several, hashed together): sorted hex digests.

    >>> stored = keys("salt", "x", [math.pi], rtol=1e-3, atol=1e-6)
    >>> matches("salt", "x", [3.1416], 1e-3, 1e-6, stored), matches("salt", "x", [3.15], 1e-3, 1e-6, stored)
    (True, False)
    """
    cells = itertools.product(*(_cells(float(r), rtol, atol, stored=True) for r in refs))
    return sorted({_digest(salt, tag, c) for c in cells})


def matches(salt, tag, values, rtol, atol, stored):
    """Whether ``values`` are accepted against the ``stored`` keys of the same tag (the rule above)."""
    tried = itertools.product(*(_cells(float(v), rtol, atol, stored=False) for v in values))
    return not set(stored).isdisjoint(_digest(salt, tag, c) for c in tried)


def _fingerprint(salt, context):
    """A hash of an exercise's data (the check's keywords), rounded to 12 decimals."""
    data = {k: np.round(np.asarray(v, dtype=float), 12).tolist() for k, v in sorted(context.items())}
    return _digest(salt, "data", [json.dumps(data)])


def _text(kind, got):
    return str(bool(got)) if kind == "yes_no" else ",".join(sorted(n.upper() for n in got))


def one_way(name, a, context, salt):
    """The one-way form of answer ``a`` (a ``gankit.answers.Answer``) for the data ``context``: the keys of the right
    answer (a list per test point for a function) and the known mistakes [keys, message]."""
    spec, ref, tag = a.compare.spec, a.reference(**context), f"{name}|{_fingerprint(salt, context)}"
    kind, tol = spec["kind"], (spec.get("rtol", 0.0), spec.get("atol", 0.0))
    if kind == "function_of":
        right = [keys(salt, f"{tag}|{i}", [ref(*args)], *tol) for i, args in enumerate(spec["points"])]
    elif kind in ("yes_no", "names"):
        right = [_digest(salt, tag, [_text(kind, ref)])]
    else:   # number, segment (its 4 coordinates), lipschitz_potential (W1)
        right = keys(salt, tag, np.ravel(ref), *tol)
    if kind not in ("yes_no", "names") and not tol[1] > 0:
        raise ValueError(f"{name}: a one-way form needs atol > 0")
    return dict(right=right, mistakes=[[keys(salt, f"{tag}|m{i}", [wrong(**context)], *tol), message]
                                       for i, (wrong, message) in enumerate(a.mistakes)])


# ----------------------------------------------------------------------------- the student's checker

@functools.cache
def oneway_table(path=None):
    """The release's table: the salt and, per exercise, what, hint, data keywords, kind, tolerances, test points and
    the one-way keys for each data fingerprint."""
    return json.loads(Path(path or Path(__file__).with_name(ONEWAY)).read_text())


def _compare(name, e, value, context, salt):
    fingerprint = _fingerprint(salt, context)
    if fingerprint not in e["cases"]:
        raise Wrong(f"this check knows the answer for the exercise notebook's data ({', '.join(context)}) only: run "
                    "the cell that defines them again, unchanged.")
    case, what, tag, kind = e["cases"][fingerprint], e["what"], f"{name}|{fingerprint}", e["kind"]
    hit = functools.partial(matches, salt, rtol=e["rtol"], atol=e["atol"])
    if kind == "number":
        v = _number(value, what)
        if hit(tag, [v], stored=case["right"]):
            return f"{what} = {_fmt(v)}"
        for i, (stored, message) in enumerate(case["mistakes"]):
            if hit(f"{tag}|m{i}", [v], stored=stored):
                raise Wrong(f"you gave {_fmt(v)}. {message}")
        raise Wrong(f"you gave {_fmt(v)}.")
    if kind == "function_of":
        points = [tuple(np.asarray(x, dtype=float) if isinstance(x, list) else x for x in p) for p in e["points"]]
        got = enumerate(zip(points, _read_values_at(value, points, what), case["right"]))
        return _function_result(what, points, [(p, v) for i, (p, v, stored) in got
                                               if not hit(f"{tag}|{i}", [v], stored=stored)])
    if kind == "segment":
        v = _read_segment(value, what)
        shown = f"a = {_args((v[0],))}, b = {_args((v[1],))}"
        if not (hit(tag, v.ravel(), stored=case["right"]) or hit(tag, v[::-1].ravel(), stored=case["right"])):
            raise Wrong(f"you gave {shown}.")
        return f"{what}: {shown}"
    if kind == "lipschitz_potential":
        gain = _read_potential_gain(value, what, **context)
        if hit(tag, [gain], stored=case["right"]):
            return POTENTIAL_RIGHT.format(what, _fmt(gain))
        raise Wrong((FLIPPED if hit(tag, [-gain], stored=case["right"]) else NOT_OPTIMAL).format(_fmt(gain)))
    got = _read_yes_no(value, what) if kind == "yes_no" else sorted(_read_names(value, what))
    if _digest(salt, tag, [_text(kind, got)]) not in case["right"]:
        raise Wrong(f"you answered {got}." if kind == "yes_no" else f"you gave {got}.")
    return f"{what}: {got}"


def oneway_check(name, value, **context):
    """Print whether ``value`` answers exercise ``name``: right, wrong (with a hint) or not answered yet (None),
    against the release's one-way keys. Never raises on the value (unless ``GANKIT_GRADE=1``); returns None."""
    table = oneway_table()
    if name not in table["answers"]:
        raise ValueError(f"unknown exercise {name!r}; known: {', '.join(table['answers'])}")
    e = table["answers"][name]
    if sorted(context) != sorted(e["context"]):
        raise ValueError(f"check({name!r}, ...) needs the keywords {e['context']}, got {sorted(context)}")
    verdict(name, e["what"], e["hint"], value, lambda v: _compare(name, e, v, context, table["salt"]))


CHECK_PY = '''r"""Exercise checks of the student release: ``check(name, value)`` prints whether an answer is
right, wrong (with a hint) or not given yet, against the one-way form of the answers in ``oneway.json`` (salted
hashes written by ``python -m gankit.release``, which states the rule). This copy holds no reference answer."""
from .answers import grading  # noqa: F401
from .release import oneway_check as check, oneway_table  # noqa: F401

ANSWERS = oneway_table()["answers"]   # name -> its one-way form


def reference(name, **context):
    raise RuntimeError("the student release holds no reference answers (see gankit.release)")
'''


# ----------------------------------------------------------------------------- building the release

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
                NotebookClient(nb, timeout=600, kernel_name="python3",
                               resources={"metadata": {"path": str(path.parent)}}).execute()
        for name, context in map(json.loads, log.read_text().splitlines()):
            if name in found and context not in found[name]:
                found[name].append(context)
    return found


def build(out, root=ROOT):
    """Write the student release of the course at ``root`` into the new folder ``out``. Returns {name: [data]}: the
    data each data-dependent answer was hashed for."""
    root, out = Path(root).resolve(), Path(out).resolve()
    if not (root / "solutions").is_dir():
        raise SystemExit("make a release from the instructor's copy of the kit (the one with solutions/)")
    if out.exists() and any(out.iterdir()):
        raise SystemExit(f"{out} is not empty")
    from .check import ANSWERS   # here, not at the top: the released check.py imports this module
    data = notebook_data(root, [n for n, a in ANSWERS.items() if a.context])
    salt, table = secrets.token_hex(16), {}
    for name, a in ANSWERS.items():
        if a.context and not data[name]:
            raise ValueError(f"{name}: no exercise notebook calls check({name!r}, ...) with its data")
        spec = a.compare.spec
        table[name] = dict(what=a.what, hint=a.hint, context=list(a.context), kind=spec["kind"],
                           rtol=spec.get("rtol", 0.0), atol=spec.get("atol", 0.0),
                           points=[[np.asarray(x).tolist() for x in args] for args in spec.get("points", [])],
                           cases={_fingerprint(salt, c): one_way(name, a, c, salt) for c in data.get(name, [{}])})
    for f in course_files(root):
        if out not in (root / f).resolve().parents:   # an OUT inside the clone is not copied into itself
            (out / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / f, out / f)
    (out / "gankit" / ONEWAY).write_text(json.dumps(dict(salt=salt, answers=table), indent=1) + "\n")
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
