"""The exercise and solution notebooks run (once per session, ``run_once`` in tests/conftest.py), checked as
`pytest --nbval-lax` checks the exercises and `pytest --nbval` the solutions: no cell raises, and each solution
cell's outputs are its stored outputs, compared as nbval compares them (every output field but images, metadata,
tracebacks, execution counts and widget views; streams merged). In the student release, without solutions/,
the exercises alone."""
import copy
from collections import defaultdict
from pathlib import Path

import nbformat
import pytest
from nbval.plugin import coalesce_streams, transform_streams_for_comparison

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
NOT_COMPARED = {"metadata", "traceback", "prompt_number", "output_type", "name", "execution_count",
                "application/vnd.jupyter.widget-view+json", "image/png", "image/jpeg"}   # nbval's, without --nbdime


def compared(outputs):
    """What `pytest --nbval` compares of a cell's outputs: field -> its values in order (a stream's field is its name;
    a display's, each MIME type)."""
    fields = defaultdict(list)
    merged = coalesce_streams([nbformat.from_dict(copy.deepcopy(o)) for o in outputs])
    for o in transform_streams_for_comparison(merged):
        for key, value in o.items():
            if key == "data":
                for mime, v in value.items():
                    if mime not in NOT_COMPARED:
                        fields[mime].append(v)
            elif key not in NOT_COMPARED:
                fields[key].append(value)
    return dict(fields)


def errors(nb, stored):
    """'cell i: what' for each code cell that raised in the run, and each unrun stored cell that holds outputs."""
    found = [f"cell {i}: {o.ename}: {o.evalue}" for i, c in enumerate(nb.cells) if c.cell_type == "code"
             for o in c.outputs if o.output_type == "error"]
    return found + [f"cell {i}: has outputs but was never run" for i, c in enumerate(stored.cells)
                    if c.cell_type == "code" and c.execution_count is None and c.outputs]


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_exercise_runs_without_error(path, run_once):
    assert errors(run_once(path).nb, nbformat.read(path, as_version=4)) == []


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_solution_runs_and_prints_its_stored_outputs(path, run_once):
    stored, nb = nbformat.read(path, as_version=4), run_once(path).nb
    assert errors(nb, stored) == []
    differ = [(i, compared(s.outputs), compared(c.outputs)) for i, (s, c) in enumerate(zip(stored.cells, nb.cells))
              if c.cell_type == "code" and s.execution_count is not None]
    differ = [d for d in differ if d[1] != d[2]]
    assert not differ, "\n".join(f"cell {i}: stored {want}\n        ran    {got}" for i, want, got in differ)


def test_compared_is_what_nbval_compares():
    """Streams merged by name, images and execution counts left out, text and other MIME types kept in order."""
    v4 = nbformat.v4
    outs = [v4.new_output("stream", name="stdout", text="a\n"), v4.new_output("stream", name="stdout", text="b\n"),
            v4.new_output("display_data", data={"image/png": "iVBOR", "text/plain": "<Figure>"}),
            v4.new_output("execute_result", data={"text/plain": "3"}, execution_count=7)]
    assert compared(outs) == {"stdout": ["a\nb\n"], "text/plain": ["<Figure>", "3"]}
    other_run = copy.deepcopy(outs)
    other_run[2]["data"]["image/png"], other_run[3]["execution_count"] = "other", 9
    assert compared(other_run) == compared(outs)
    other_run[1]["text"] = "c\n"
    assert compared(other_run) != compared(outs)
