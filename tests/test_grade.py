"""Grading: the worked solutions score 100%, the fresh exercises 0% (both from the session's one run of each notebook,
``run_once``), and one wrong answer costs exactly its item."""
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from gankit import check as chk
from gankit import grade, notebooks, verdicts

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_solutions_score_full_marks(path, run_once):
    r = grade.score(run_once(path).nb, path.name)     # the session's one run of the notebook (tests/conftest.py)
    assert r["total"] >= 1 and r["right"] == r["total"], r["items"]


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_fresh_exercises_score_zero(path, run_once):
    r = grade.score(run_once(path).nb, path.name)
    assert r["total"] >= 1 and r["right"] == 0 and set(r["items"].values()) == {"not answered"}


def test_one_wrong_answer_costs_exactly_its_item(tmp_path):
    """`python -m gankit.grade submission.ipynb --json` on the solution of Exercise 2 with one answer made wrong."""
    nb = nbformat.read(ROOT / "solutions" / "ex2_w2_segment.ipynb", as_version=4)
    (cell,) = [c for c in nb.cells if c.cell_type == "code" and 'check("ex2_W_min", W_min)' in c.source]
    cell.source = cell.source.replace('check("ex2_W_min", W_min)', 'check("ex2_W_min", W_min + 0.5)')
    nbformat.write(nb, tmp_path / "submission.ipynb")
    out = tmp_path / "grades.json"
    assert grade.main([str(tmp_path / "submission.ipynb"), "--json", str(out)]) == 1      # non-zero: an answer is wrong
    (r,) = json.loads(out.read_text())
    assert r["items"]["ex2_W_min"] == "wrong" and r["right"] == r["total"] - 1 >= 2


def test_grading_mode_makes_a_wrong_or_missing_answer_fail(monkeypatch, capsys):
    monkeypatch.setenv("GANKIT_GRADE", "1")
    with pytest.raises(AssertionError, match="ex1_js: not right yet"):
        chk.check("ex1_js", 0.5)
    with pytest.raises(AssertionError, match="not answered yet"):
        chk.check("ex1_js", None)
    chk.check("ex1_js", 0.6931472)                      # right: no exception
    assert "✅ ex1_js" in capsys.readouterr().out


def test_nbval_in_grading_mode_fails_exactly_on_the_check_cells_not_right(tmp_path):
    """GANKIT_GRADE=1 pytest --nbval-lax: one failed test item per check cell whose answer is wrong or missing (a fresh
    exercise's are all missing: test_fresh_exercises_score_zero), every other cell passes."""
    path = tmp_path / "submission.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in (
        "import math\nfrom gankit.check import check", "js = math.log(2)", 'check("ex1_js", js)', 'check("ex1_js", 0.5)',
        "x = None", 'check("ex4_continuous", x)', "y = 1")]), path)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax", str(path)],
                          env=dict(os.environ, GANKIT_GRADE="1"), capture_output=True, text=True, cwd=tmp_path)
    assert done.stdout.splitlines()[-1].startswith("2 failed, 5 passed"), done.stdout[-2000:]
    failed = [line for line in done.stdout.splitlines() if line.startswith("FAILED")]
    assert [line.split("::")[1].split()[:2] for line in failed] == [["Cell", "3"], ["Cell", "5"]], failed


# ----------------------------------------------------------------------------- records, not wording; stalled cells

def _notebook(path, *sources):
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A submission")]
                                            + [nbformat.v4.new_code_cell(s) for s in sources]), path)
    return path


def test_a_check_writes_a_record_and_grading_reads_the_records_not_the_lines(tmp_path):
    """Each check cell shows one output: its line as plain text, with the record {check, status}; grading counts the
    records, so a reworded line, or a line printed by hand, changes nothing."""
    path = _notebook(tmp_path / "submission.ipynb", "import math\nfrom gankit.check import check",
                     'check("ex1_js", math.log(2))', 'check("ex1_w1_pot", 0.5)',
                     'check("ex4_continuous", None)', 'print("✅ ex4_JS: right — as I say")\ncheck("ex4_JS", None)')
    nb = notebooks.execute(nbformat.read(path, as_version=4), path, allow_errors=True)
    r = grade.score(nb, path.name)
    assert r["items"] == {"ex1_js": "right", "ex1_w1_pot": "wrong", "ex4_continuous": "not answered",
                          "ex4_JS": "not answered"} and (r["right"], r["total"]) == (1, 4)
    shown = [[o for o in c.outputs if verdicts.RECORD in o.get("data", {})] for c in nb.cells[2:]]
    assert [len(s) for s in shown] == [1, 1, 1, 1]
    assert [s[0].data[verdicts.RECORD] for s in shown] == [
        {"check": "ex1_js", "status": "right"}, {"check": "ex1_w1_pot", "status": "wrong"},
        {"check": "ex4_continuous", "status": "not answered"}, {"check": "ex4_JS", "status": "not answered"}]
    assert shown[0][0].data["text/plain"].startswith("✅ ex1_js: right — ")
    assert shown[1][0].data["text/plain"].startswith("❌ ex1_w1_pot: not right yet.") and "Hint:" in shown[1][0].data["text/plain"]
    for s in shown:                                   # reworded lines: the grade stays
        s[0].data["text/plain"] = "✅ " + s[0].data[verdicts.RECORD]["check"] + ": right (reworded)"
    assert grade.score(nb, path.name)["items"] == r["items"]


def test_old_submissions_grade_from_their_printed_lines():
    """A notebook run before the records (the checks printed their lines, nothing else) grades from the lines."""
    v4 = nbformat.v4
    lines = {'check("ex1_js", js)': "✅ ex1_js: right — JS(mu, nu) = 0.693147\n",
             'check("ex1_w1", W1)': "❌ ex1_w1: not right yet. You gave 0.5.\n   Hint: use the cost |x - y|.\n",
             'check("ex2_W", W)': "⏳ ex2_W: not answered yet (W). Fill in the cell above, run it, then run this cell "
                                  "again.\n"}
    nb = v4.new_notebook(cells=[v4.new_code_cell(src, outputs=[v4.new_output("stream", name="stdout", text=text)])
                                for src, text in lines.items()] + [v4.new_code_cell('check("ex4_W", f)')])
    r = grade.score(nb, "old.ipynb")
    assert r["items"] == {"ex1_js": "right", "ex1_w1": "wrong", "ex2_W": "not answered", "ex4_W": "not answered"}
    assert (r["right"], r["total"]) == (1, 4)


def test_grading_fails_on_a_stalled_cell_naming_the_notebook_and_the_cell(tmp_path, capsys):
    """A cell that runs past the per-cell timeout stops the grading (exit 2) with the notebook and the cell's index
    (counted from 0, the markdown cell included) in the message, instead of going on."""
    path = _notebook(tmp_path / "stalls.ipynb", "x = 1", "import time\ntime.sleep(120)", 'check("ex1_js", x)')
    assert 60 <= grade.TIMEOUT <= 600          # minutes, not an hour
    assert grade.main([str(path), "--timeout", "5"]) == 2
    err = capsys.readouterr().err
    assert "stalls.ipynb: cell 2 " in err and "longer than 5 s" in err, err
