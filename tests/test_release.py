"""The student release (gankit.release): no solutions/, no reference value in any released file, its checker accepts
the solutions' answers (and values within the instructor's tolerance) and rejects perturbed ones, gives the answers
the solutions gave full marks, has every module its exercise notebooks import, its own tests collect without the
files it leaves out, and its `make test` does not look for solutions. The exercises and solutions run once per
session (``run_once``, tests/conftest.py): the data the release hashes and the solutions' answers come from that run."""
import contextlib
import io
import json
import math
import os
import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import nbformat
import numpy as np
import ot as pot
import pytest

from gankit import oneway, release
from gankit.check import ANSWERS, check, reference
from gankit.closedforms import square_w1

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))


def recorded_data(runs):
    """{name: [data, ...]} of the data-dependent answers, from the check calls of the exercise notebooks' ``runs``
    (``run_once``): what ``release.notebook_data`` records by running them."""
    found = {name: [] for name, a in ANSWERS.items() if a.context}
    for name, context, _ in (call for r in runs for call in r.calls):
        if name in found and context not in found[name]:
            found[name].append(context)
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory, run_once):
    """The release, its data-dependent answers hashed for the data of the session's run of the exercises."""
    out = tmp_path_factory.mktemp("student") / "release"
    return out, release.build(out, data=recorded_data([run_once(p) for p in EXERCISES]))


def test_notebook_data_records_what_the_exercises_pass(tmp_path):
    """release.notebook_data (what `python -m gankit.release` hashes the data-dependent answers for), on a course
    whose one exercise checks Exercise 3's CDF answer with two histograms (the same data twice: recorded once)."""
    (tmp_path / "exercises").mkdir()
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "from gankit.check import check\np, q = [0.5, 0.5, 0.0], [0.0, 0.25, 0.75]\n"
        "check('ex3_primal', None, p=p, q=q)\ncheck('ex3_primal', 1.0, p=p, q=q)\ncheck('ex1_js', None)")]),
        tmp_path / "exercises" / "ex.ipynb")
    assert release.notebook_data(tmp_path, ["ex3_primal", "ex3_potential"]) == {
        "ex3_primal": [{"p": [0.5, 0.5, 0.0], "q": [0.0, 0.25, 0.75]}], "ex3_potential": []}


# Python started with this sitecustomize forgets the instructor's editable install (pip install -e .), whose finder
# would otherwise find a module the release leaves out (gankit.closedforms) in the instructor's copy.
FORGET_EDITABLE = """import sys
sys.meta_path[:] = [f for f in sys.meta_path
                    if not (f if isinstance(f, type) else type(f)).__module__.startswith("__editable__")]
"""


@pytest.fixture(scope="module")
def student_env(built, tmp_path_factory):
    """The environment of a student's copy: the release's folder first on sys.path, nothing of the instructor's."""
    site = tmp_path_factory.mktemp("site")
    (site / "sitecustomize.py").write_text(FORGET_EDITABLE)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(site), str(built[0])]))
    leak = subprocess.run([sys.executable, "-c", "import gankit.closedforms"], cwd=built[0], env=env,
                          capture_output=True, text=True)
    assert "No module named 'gankit.closedforms'" in leak.stderr, "the release's tests would see the instructor's copy"
    return env


def cases(data):
    """(name, data) for every answer: the recorded notebook data of a data-dependent answer, else no data."""
    return [(name, c) for name, a in ANSWERS.items() for c in (data[name] if a.context else [{}])]


def _context(c):
    return {k: np.asarray(v) for k, v in c.items()}


def tau(name, r):
    """The instructor's tolerance at the reference number r."""
    spec = ANSWERS[name].compare.spec
    return spec["atol"] + spec["rtol"] * abs(r)


@pytest.mark.parametrize("rtol, atol", [(1e-3, 1e-6), (0.0, 1.5e-3), (1e-6, 1e-9), (1e-9, 1e-12), (1e-4, 1e-6)])
def test_the_acceptance_rule(rtol, atol):
    """gankit.oneway's rule, at the checker's tolerances: |v - r| <= tau(r) is accepted, and an accepted v is within
    2.02 tau(v) / (1 - rtol) of r; references of all signs and sizes, and 0."""
    rng = np.random.default_rng(0)
    refs = np.concatenate([[0.0], rng.choice([-1, 1], 300) * 10.0 ** rng.uniform(-12, 3, 300)])
    rejected = 0
    for r in refs:
        t, stored = atol + rtol * abs(r), oneway.keys("salt", "tag", [r], rtol, atol)
        for u in np.concatenate([[-1.0, 1.0], rng.uniform(-1, 1, 3), rng.uniform(-4, 4, 6)]):
            v = r + u * t
            accepted = oneway.matches("salt", "tag", [v], rtol, atol, stored)
            assert accepted or abs(u) > 1, (r, v)
            assert not accepted or abs(v - r) < 2.02 * (atol + rtol * abs(v)) / (1 - rtol), (r, v)
            rejected += not accepted
    assert rejected > 900      # of the 1806 values drawn in [-4, 4] tau(r), half are beyond 2 tau(r)
    assert not oneway.matches("salt", "tag", [1.0], rtol, atol, oneway.keys("other salt", "tag", [1.0], rtol, atol))


def test_one_way_check_rejects_pot_in_place_of_the_closed_forms(monkeypatch, capsys):
    """The release's check of ex2_W and ex6_W (their one-way table, sealed here in process) rejects a student's POT
    on 2,000 midpoints of the segment, as the instructor's check does (tests/test_check.py), and accepts the closed
    forms."""
    import ot
    monkeypatch.setattr(oneway, "table", lambda path=None: oneway.seal({n: ANSWERS[n] for n in ("ex2_W", "ex6_W")}, {}, "s"))

    def pot(a, b, n=2000):   # the exercise's pot_W: POT on n midpoints of [a, b], nu = (delta_(-1, 0) + delta_(1, 0)) / 2
        x = np.asarray(a, dtype=float) + ((np.arange(n) + 0.5) / n)[:, None] * (np.asarray(b, dtype=float) - np.asarray(a, dtype=float))
        return ot.emd2(np.full(n, 1 / n), np.array([0.5, 0.5]), ot.dist(x, np.array([[-1.0, 0.0], [1.0, 0.0]])))

    for name, pot_answer in (("ex2_W", pot), ("ex6_W", lambda s: pot([-s, -1], [s, 1]))):
        oneway.check(name, reference(name))
        assert capsys.readouterr().out.startswith(f"✅ {name}: right")
        oneway.check(name, pot_answer)
        assert capsys.readouterr().out.startswith(f"❌ {name}: not right yet")


def test_no_solutions_no_closed_forms_and_make_test_skips_solutions(built):
    out, _ = built
    assert (ROOT / "solutions").is_dir() and not (out / "solutions").exists()
    for left_out in (f for f in release.LEFT_OUT if not f.endswith("/")):
        assert (ROOT / left_out).is_file(), f"{left_out} is listed in LEFT_OUT but no longer exists"
        assert (out / left_out).exists() == (left_out == "gankit/check.py")
    assert "from .oneway import check" in (out / "gankit" / "check.py").read_text()
    readme, original = (out / "README.md").read_text(), (ROOT / "README.md").read_text()
    assert readme.startswith(original.split("\n")[0] + "\n\n> **Student copy.**")
    assert readme.replace(release.STUDENT_NOTE + "\n", "") == original   # the rest unchanged
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()) == sorted(
        release.course_files(ROOT) + ["gankit/check.py", "gankit/oneway.json"])
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}  # not our make's
    recipe = subprocess.run(["make", "-n", "test-code", "test-pages"], cwd=out, env=env, capture_output=True, text=True,
                            check=True).stdout
    assert "--nbval-lax" in recipe and "tests/browser" in recipe and " tests" in recipe and "solutions" not in recipe


def test_released_test_suite_collects(built, student_env):
    """The release's own tests import without the files it leaves out (tests that need the closed forms skip there)."""
    out, _ = built
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "tests"],
                          cwd=out, env=student_env, capture_output=True, text=True)
    assert done.returncode == 0 and re.fullmatch(r"\d+ tests collected in .*", done.stdout.splitlines()[-1]), \
        done.stdout[-3000:]


def test_released_checker_needs_neither_nbformat_nor_nbclient(built, student_env):
    """A student's kernel imports the released gankit.check (and the modules the lecture notebooks import) without
    the instructor's tools: nbformat and nbclient are the `instructor` extra."""
    out, _ = built
    code = ("import sys, gankit.check, gankit.results, gankit.plots, gankit.metrics, gankit.train\n"
            "print(gankit.check.__file__, sorted(m for m in ('nbformat', 'nbclient', 'ipywidgets') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=out, env=student_env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    where, loaded = done.stdout.split(" ", 1)
    assert Path(where).resolve() == out / "gankit" / "check.py" and loaded.strip() == "[]"


# ----------------------------------------------------------------------------- (b) no reference value in any file

def reference_values(data):
    """(value, the instructor's tolerance there) for every number the instructor's checker compares an answer with:
    the references (functions at their test points, segments' coordinates), for every exercise and its notebook's
    data. Yes/no answers and sets of names have no number to look for."""
    values = []
    for name, c in cases(data):
        ref, spec = reference(name, **_context(c)), ANSWERS[name].compare.spec
        if spec["kind"] == "function_of":
            refs = [ref(*args) for args in spec["points"]]
        else:
            refs = list(np.ravel(ref)) if spec["kind"] in ("number", "lipschitz_potential", "segment", "transport_plan",
                                                           "semi_discrete_potential") else []
        values += [(float(r), tau(name, float(r))) for r in refs]
    return values


def trivial(v):
    """Values that no file can avoid holding, so that finding one says nothing about an answer: infinities, short
    decimals (at most 2 significant digits: 0, 1, 0.5, 0.25, 0.3, 1e-3, ...) and simple fractions (denominator <= 4:
    1/3, 3/2) are the kit's weights, steps and coordinates everywhere (nu = (1/2, 1/4, 1/4), the test points
    themselves); and +-log 2, the JS divergence of disjoint supports, stated on the slides (001, "Relation with
    Jensen-Shannon divergence"; 002, parallel lines), which also turns up by chance (notebook 03 prints the GP
    critic's model value W1 (1 + W1 / 0.2) = 0.693)."""
    a = abs(v)
    return (math.isinf(a) or float(f"{a:.2g}") == a or abs(float(Fraction(a).limit_denominator(4)) - a) < 1e-12
            or abs(a - math.log(2)) < 1e-12)


def spellings(v, tol):
    """How a file could write |v|: repr, 6 down to 3 significant digits and 6 down to 3 decimals. Every spelling of
    5 or more significant digits is looked for; one of 3 or 4 only where the checker accepts it (within ``tol``): a
    3- or 4-digit string turns up by chance among the numbers of the notebooks and README (a plot limit 1.35, a
    precision 0.8666), and is an answer only where it would be accepted. Fewer digits ("1", "2.00"): a number like
    any other."""
    a = abs(v)
    out = {repr(a)} | {f"{a:.{n}g}" for n in (6, 5, 4, 3)} | {f"{a:.{n}f}" for n in (6, 5, 4, 3)}
    digits = lambda s: len(s.replace(".", "").strip("0"))   # noqa: E731
    return {s for s in out if digits(s) >= 5 or (digits(s) in (3, 4) and abs(float(s) - a) <= tol)}


def test_no_reference_value_in_any_released_file(built):
    out, data = built
    values = [(v, tol) for v, tol in reference_values(data) if not trivial(v)]
    strings = sorted({s for v, tol in values for s in spellings(v, tol)}, key=len, reverse=True)
    # a spelling counts as a number of its own: not inside a longer number (0.693 is not found in 10.6931)
    pattern = re.compile(r"(?<![\d.])(" + "|".join(map(re.escape, strings)) + r")(?!\d)")
    texts = {}
    for path in (p for p in out.rglob("*") if p.is_file()):
        try:
            texts[path.relative_to(out)] = path.read_text()      # .ipynb: sources and stored outputs
        except UnicodeDecodeError:
            pass                                                  # checkpoints, images
    found = [(str(f), m.group(1)) for f, t in texts.items() for m in pattern.finditer(t)]
    print(f"{len({v for v, _ in values})} reference values, {len(strings)} spellings searched in {len(texts)} "
          f"text files: {len(found)} found")
    assert len(strings) >= 50 and any(str(f).endswith(".ipynb") for f in texts) and found == []
    assert any(pattern.search(p.read_text()) for p in (ROOT / "solutions").glob("*.ipynb"))   # the search finds them


# ----------------------------------------------------------------------------- (c) the released checker

CHILD = r"""
import contextlib, io, json, os, sys
import numpy as np
import gankit.check
from gankit.check import check


def value(v):
    kind, x = v
    if kind == "function":   # the reference's values at the test points, looked up
        return lambda *args: x[json.dumps([np.asarray(a, dtype=float).tolist() for a in args])]
    return np.asarray(x) if kind == "array" else x


said, raised = [], []
for grading in ("0", "1"):
    os.environ["GANKIT_GRADE"] = grading
    for name, context, v in json.load(open(sys.argv[1])):
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                check(name, value(v), **{k: np.asarray(c) for k, c in context.items()})
            raised.append(False)
        except AssertionError:
            raised.append(True)
        said.append(out.getvalue())
print(json.dumps(dict(file=gankit.check.__file__, said=said, raised=raised)))
"""


def answers_of(name, c):
    """(value, expected verdict, a message the line must hold): the right answer, one within the instructor's tolerance (accepted by the
    rule), one perturbed by 10 times it (value (1 + 10 rtol) + 10 atol: rejected), the known mistakes (rejected with
    their message checked in the test) and None (not answered)."""
    a, ctx = ANSWERS[name], _context(c)
    spec, ref = a.compare.spec, reference(name, **ctx)
    shift = lambda r, k: r if math.isinf(r) else r + k * tau(name, r)   # noqa: E731
    kind = spec["kind"]
    if kind == "number":
        out = [(("number", ref), "✅"), (("number", shift(ref, 0.99)), "✅"), (("number", shift(ref, 10)), "❌")]
        out += [(("number", wrong(**ctx)), "❌", message) for wrong, message in a.mistakes]
    elif kind == "function_of":
        def table(k):   # the function as its values at the test points, shifted by k tolerances
            return {json.dumps([np.asarray(x, dtype=float).tolist() for x in args]): shift(ref(*args), k)
                    for args in spec["points"]}
        out = [(("function", table(0)), "✅"), (("function", table(0.99)), "✅"), (("function", table(10)), "❌")]
    elif kind == "segment":
        r = np.asarray(ref, dtype=float)
        out = [(("array", r.tolist()), "✅"), (("array", r[::-1].tolist()), "✅"),
               (("array", (r + 0.99 * spec["atol"]).tolist()), "✅"),
               (("array", (r + 10 * spec["atol"]).tolist()), "❌")]
    elif kind == "lipschitz_potential":   # the optimal f by summation by parts: f_(k+1) = f_k - sign(P_k - Q_k)
        p, q = np.asarray(c["p"]), np.asarray(c["q"])
        f = np.concatenate([[0.0], -np.cumsum(np.sign(np.cumsum(p - q))[:-1])])
        assert abs((p - q) @ f - ref) < 1e-12
        out = [(("array", f.tolist()), "✅"), (("array", (f + 3).tolist()), "✅"),
               (("array", (f * (1 - 10 * spec["atol"])).tolist()), "❌", "not optimal"),
               (("array", (-f).tolist()), "❌", "the sign is flipped")]
    elif kind == "transport_plan":   # an optimal plan (POT), and the independent coupling (a plan, not optimal)
        p, q = np.asarray(c["p"]), np.asarray(c["q"])
        P = pot.emd(p, q, np.abs(np.arange(len(p))[:, None] - np.arange(len(p))[None, :]).astype(float))
        out = [(("array", P.tolist()), "✅"), (("array", np.outer(p, q).tolist()), "❌", "not an optimal one"),
               (("array", P.T.tolist()), "❌", "not a transport plan")]
    elif kind == "semi_discrete_potential":   # the optimal psi (psi_2 = psi_3 = 0), shifted by a constant, and off
        psi = np.array([square_w1()["s"], 0.0, 0.0])
        out = [(("array", psi.tolist()), "✅"), (("array", (psi + 1).tolist()), "✅"),
               (("array", (psi + [0.2, 0, 0]).tolist()), "❌", "hold the masses")]
    elif kind == "names":
        out = [(("raw", [n.lower() for n in ref]), "✅"), (("raw", sorted(ref) + ["NOT_A_NAME"]), "❌")]
    return [(*o, "")[:3] for o in out] + [(("raw", None), "⏳", "not answered yet")]   # message: "" if none given


def instructor_says(name, c, v):
    """What the instructor's check prints for the value ``v`` as the release's test passes it (``CHILD``'s form)."""
    kind, x = v
    value = (lambda *args: x[json.dumps([np.asarray(a, dtype=float).tolist() for a in args])]) if kind == "function" \
        else np.asarray(x) if kind == "array" else x
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        check(name, value, **_context(c))
    return out.getvalue()


def test_released_checker_accepts_the_answers_and_rejects_perturbed_ones(built, student_env, tmp_path, monkeypatch):
    out, data = built
    calls, expected = [], []
    for name, c in cases(data):
        for v, mark, message in answers_of(name, c):
            calls.append([name, c, v])
            expected.append((mark, message))
    for name, c in [(n, c) for n, c in cases(data) if c][:1]:   # other data (each histogram reversed): not known
        calls.append([name, {k: v[::-1] for k, v in c.items()}, ("number", 1.0)])
        expected.append(("❌", "This check knows the answer for the exercise notebook's data"))
    (tmp_path / "calls.json").write_text(json.dumps(calls))
    done = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path / "calls.json")], cwd=tmp_path,   # not ROOT
                          env=student_env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.splitlines()[-1])
    assert Path(result["file"]).resolve() == out / "gankit" / "check.py"
    assert set(ANSWERS) == {name for name, _, _ in calls}
    n = len(calls)
    assert result["said"][:n] == result["said"][n:]
    for (name, _, v), (mark, message), said in zip(calls, expected, result["said"]):
        assert said.startswith(f"{mark} {name}: ") and message in said, (name, v, said)
        assert ("\n   Hint: " in said) == (mark == "❌")
    assert result["raised"] == [False] * n + [mark != "✅" for mark, _ in expected]   # GANKIT_GRADE=1: wrong, missing
    monkeypatch.delenv("GANKIT_GRADE", raising=False)
    # line for line what the instructor's check says (with the same comparers), but for what the one-way form cannot
    # know: which names of a wrong set are extra or missing, and a wrong function's diagnosis (e.g. check.py's near
    # miss, for values 10 tolerances from the closed form), which ends the instructor's first line
    for (name, c, v), said in zip(calls, result["said"]):
        kind = ANSWERS[name].compare.spec["kind"]
        if kind != "names" and "knows the answer for" not in said:
            instructor = instructor_says(name, c, v)
            if kind == "function_of" and said != instructor:
                (first, rest), (full, same_rest) = said.split("\n", 1), instructor.split("\n", 1)
                assert full.startswith(first) and rest == same_rest, (name, v, said, instructor)
            else:
                assert said == instructor, (name, v)
    print(f"{len(calls)} answers checked: {[m for m, _ in expected].count('✅')} accepted, "
          f"{[m for m, _ in expected].count('❌')} rejected, {[m for m, _ in expected].count('⏳')} not answered")


# ----------------------------------------------------------------------------- (d) the exercises and solutions

GANKIT_IMPORT = re.compile(r"^\s*(?:from|import)\s+(gankit(?:\.\w+)*)", re.M)


def test_released_kit_has_what_the_exercises_import(built, student_env):
    """Every gankit module an exercise notebook imports, and the grading command, import in a student's copy (the
    release's own `make test` runs its exercises: tests/test_exercise_runs.py ships with it)."""
    out, _ = built
    modules = sorted({m for p in EXERCISES for c in nbformat.read(p, as_version=4).cells if c.cell_type == "code"
                      for m in GANKIT_IMPORT.findall(c.source)} | {"gankit.grade"})
    assert "gankit.check" in modules and (out / "tests" / "test_exercise_runs.py").is_file()
    done = subprocess.run([sys.executable, "-c", f"import {', '.join(modules)}"], cwd=out, env=student_env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]


def test_released_checker_gives_the_solutions_full_marks(built, student_env, run_once, tmp_path):
    """The answers the instructor's solutions gave in the session's run of them (``run_once`` records each check
    call: a function as its values at the test points), checked again by the release's checker: all right, with every
    answer of ``ANSWERS`` among them."""
    out, _ = built
    calls = [call for p in SOLUTIONS for call in run_once(p).calls]
    assert calls and {name for name, _, _ in calls} == set(ANSWERS)
    (tmp_path / "calls.json").write_text(json.dumps(calls))
    done = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path / "calls.json")], cwd=tmp_path,
                          env=student_env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.splitlines()[-1])
    assert Path(result["file"]).resolve() == out / "gankit" / "check.py"
    said = result["said"][:len(calls)]
    assert all(line.startswith(f"✅ {name}: right") for (name, _, _), line in zip(calls, said)), said
    assert result["raised"] == [False] * 2 * len(calls)


LAYOUT = {".ci", ".gitignore", "CHANGELOG.md", "CITATION.cff", "CONTRIBUTING.md", "LICENSE", "Makefile", "README.md",
          "docs", "environment.yml", "exercises", "gankit", "notebooks", "pyproject.toml", "solutions", "tests"}


def test_the_repository_holds_only_the_layout():
    """Every tracked file lies in the course owner's layout: a stray folder at the top (a dump of a solution's figures)
    would ship in the student release, which leaves out only ``solutions/`` and the closed forms."""
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    stray = sorted({p.split("/")[0] for p in tracked} - LAYOUT)
    assert not stray, f"tracked outside the kit's layout (they would ship in the release): {stray}"
