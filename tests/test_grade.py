"""Grading: the worked solutions score 100%, the fresh exercises 0%, and one wrong answer costs exactly its item."""
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from gankit import check as chk
from gankit import grade

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_solutions_score_full_marks(path):
    r = grade.grade(path)
    assert r["total"] >= 1 and r["right"] == r["total"], r["items"]


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_fresh_exercises_score_zero(path):
    r = grade.grade(path)
    assert r["total"] >= 1 and r["right"] == 0 and set(r["items"].values()) == {"not answered"}


def test_one_wrong_answer_costs_exactly_its_item(tmp_path):
    nb = nbformat.read(ROOT / "solutions" / "ex2_w2_segment.ipynb", as_version=4)
    (cell,) = [c for c in nb.cells if c.cell_type == "code" and 'check("ex2_W_min", W_min)' in c.source]
    cell.source = cell.source.replace('check("ex2_W_min", W_min)', 'check("ex2_W_min", W_min + 0.5)')
    nbformat.write(nb, tmp_path / "submission.ipynb")
    r = grade.grade(tmp_path / "submission.ipynb")
    assert r["items"]["ex2_W_min"] == "wrong" and r["right"] == r["total"] - 1
    out = tmp_path / "grades.json"
    assert grade.main([str(tmp_path / "submission.ipynb"), "--json", str(out)]) == 1      # non-zero: an answer is wrong
    assert json.loads(out.read_text())[0]["items"]["ex2_W_min"] == "wrong"


def test_grading_mode_makes_a_wrong_or_missing_answer_fail(monkeypatch, capsys):
    monkeypatch.setenv("GANKIT_GRADE", "1")
    with pytest.raises(AssertionError, match="ex1_js: not right yet"):
        chk.check("ex1_js", 0.5)
    with pytest.raises(AssertionError, match="not answered yet"):
        chk.check("ex1_js", None)
    chk.check("ex1_js", 0.6931472)                      # right: no exception
    assert "✅ ex1_js" in capsys.readouterr().out


def test_nbval_fails_exactly_on_the_check_cells_of_a_fresh_exercise():
    """GANKIT_GRADE=1 pytest --nbval-lax: one failed test item per check cell, every other cell passes."""
    path = ROOT / "exercises" / "ex4_parallel_lines.ipynb"
    nb = nbformat.read(path, as_version=4)
    check_cells = sum(1 for c in nb.cells if c.cell_type == "code" and grade.CHECK_CALL.search(c.source))
    env = dict(os.environ, GANKIT_GRADE="1")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax", str(path)],
                          env=env, capture_output=True, text=True, cwd=ROOT)
    assert f"{check_cells} failed" in done.stdout.splitlines()[-1], done.stdout[-2000:]
