"""gankit.exercises: exercises/ is the student copy of solutions/ (fails when out of date), and the copy rules."""
import shutil
from pathlib import Path

import nbformat
import pytest

import gankit.exercises as gex
from gankit.exercises import BEGIN, END, PROMPT, out_of_date, strip_solutions, student_copy

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS, EXERCISES = ROOT / "solutions", ROOT / "exercises"
NAMES = sorted(p.name for p in SOLUTIONS.glob("*.ipynb"))


def test_exercises_are_up_to_date():
    problems = out_of_date(SOLUTIONS, EXERCISES)
    assert not problems, "\n".join(problems) + "\nRun `python -m gankit.exercises` to regenerate exercises/."


def test_there_are_six_exercises():
    assert len(NAMES) == 6 and [n[:4] for n in NAMES] == ["ex1_", "ex2_", "ex3_", "ex4_", "ex5_", "ex6_"]


@pytest.mark.parametrize("name", NAMES)
def test_exercise_is_executed_and_leaks_no_solution(name):
    """Stored outputs (for nbval), no markers or solution tags left, and a check cell after every stub."""
    nb = nbformat.read(EXERCISES / name, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code), "exercise not run: python -m gankit.exercises"
    assert not any(BEGIN in c.source or END in c.source for c in nb.cells)
    assert not any({"solution", "solution-only"} & set(c.metadata.get("tags", [])) for c in nb.cells)
    for i, c in enumerate(nb.cells):
        if c.cell_type == "code" and "# your answer here" in c.source:
            following = next(d for d in nb.cells[i + 1:] if d.cell_type == "code")
            assert following.source.startswith("check("), f"cell {i} of {name}: no check cell after the stub"
            said = "".join(o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in following.outputs)
            assert "not answered yet" in said and "not right yet" not in said, f"{name}, cell {i + 1}: {said}"


def test_a_changed_solution_makes_the_exercises_stale(tmp_path):
    shutil.copytree(SOLUTIONS, tmp_path / "solutions")
    shutil.copytree(EXERCISES, tmp_path / "exercises")
    assert out_of_date(tmp_path / "solutions", tmp_path / "exercises") == []
    path = tmp_path / "solutions" / NAMES[0]
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source += "\nA new sentence."
    nbformat.write(nb, path)
    (tmp_path / "exercises" / NAMES[1]).unlink()
    problems = out_of_date(tmp_path / "solutions", tmp_path / "exercises")
    assert len(problems) == 2 and "differs" in problems[0] and "missing" in problems[1]


def test_strip_solutions_keeps_the_rest_and_indents_the_stub():
    src = f"x = 1\nif True:\n    {BEGIN}\n    a, _ = 1, 2\n    b: float = a + 1\n    {END}\nprint(x)"
    assert strip_solutions(src) == ("x = 1\nif True:\n    a = None  # your answer here\n    b = None  # your answer here\n"
                                    "print(x)")


def test_stub_of_a_function_keeps_signature_and_docstring():
    block = 'def f(\n    a, b\n):\n    """Doc\n    string."""\n    c = a + b\n    return c\nanswer = f(1, 2)'
    assert gex.stub(block) == ('def f(\n    a, b\n):\n    """Doc\n    string."""\n    return None  # your answer here\n'
                               "\nanswer = None  # your answer here")


@pytest.mark.parametrize("src", [f"{BEGIN}\nx = 1", f"{END}\nx = 1", f"{BEGIN}\n{BEGIN}\nx = 1\n{END}",
                                 f"{BEGIN}\nprint(1)\n{END}", f"{BEGIN}\nx = = 1\n{END}"])
def test_bad_blocks_raise(src):
    with pytest.raises(ValueError):
        strip_solutions(src)


def test_student_copy_rules():
    v4 = nbformat.v4
    nb = v4.new_notebook(cells=[
        v4.new_markdown_cell("# Title"),
        v4.new_markdown_cell("The answer is 42.", metadata={"tags": ["solution"]}),
        v4.new_code_cell(f"{BEGIN}\nanswer = 42\n{END}", outputs=[v4.new_output("stream", text="x")], execution_count=3),
        v4.new_code_cell("plot(answer)", metadata={"tags": ["solution-only"]}),
        v4.new_markdown_cell("Summary: 42.", metadata={"tags": ["solution-only", "other"]}),
        v4.new_code_cell('check("ex", answer)', metadata={"tags": ["keep-me"]}),
    ])
    ex = student_copy(nb)
    assert [c.source for c in ex.cells] == ["# Title", PROMPT, "answer = None  # your answer here", 'check("ex", answer)']
    assert ex.cells[2].outputs == [] and ex.cells[2].execution_count is None
    assert "tags" not in ex.cells[1].metadata and ex.cells[3].metadata["tags"] == ["keep-me"]
    assert len(nb.cells) == 6 and nb.cells[2].source.startswith(BEGIN)     # the solution is untouched
