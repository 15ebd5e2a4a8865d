"""The notebook runner (`python -m gankit.notebooks`): a cell that hangs, raises or outlives its timeout stops the run
with the notebook and the cell named, and nothing is written back."""
import os
import re

import nbformat
import pytest

from gankit import notebooks

v4 = nbformat.v4


def notebook(tmp_path, *sources):
    """A notebook file of a markdown cell and one code cell per source (their indices: 1, 2, ...)."""
    nb = v4.new_notebook(cells=[v4.new_markdown_cell("# A tiny notebook")] + [v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "tiny.ipynb"
    nbformat.write(nb, path)
    return path


def test_a_cell_past_the_timeout_fails_with_the_notebook_and_its_index(tmp_path):
    path = notebook(tmp_path, "x = 1", "import time\ntime.sleep(60)", "y = 2")
    nb = nbformat.read(path, as_version=4)
    with pytest.raises(notebooks.NotebookError, match=rf"^{re.escape(str(path))}: cell 2 \('import time'\) ran longer "
                                                      r"than 2 s \(the per-cell timeout\)$"):
        notebooks.execute(nb, path, timeout=2)
    assert nb.cells[1].execution_count == 1 and nb.cells[3].execution_count is None   # the run stopped there


def test_a_cell_that_raises_fails_with_its_index_and_the_kernel_gets_env(tmp_path):
    path = notebook(tmp_path, "import os\nprint(os.environ['GANKIT_QUICK'])", "x = 1", "1 / 0", "y = 2")
    nb = nbformat.read(path, as_version=4)
    with pytest.raises(notebooks.NotebookError,
                       match=r": cell 3 \('1 / 0'\) raised ZeroDivisionError: division by zero$"):
        notebooks.execute(nb, path, env=dict(os.environ, GANKIT_QUICK="7"))
    assert nb.cells[1].outputs[0].text == "7\n"
    assert notebooks.execute(nb, path, allow_errors=True).cells[4].execution_count == 4   # grading goes on past errors


def test_the_runner_stops_naming_the_cell_and_writes_nothing(tmp_path, capsys):
    """`python -m gankit.notebooks tiny.ipynb` on a notebook (with its set-up cell) whose cell 3 raises: exit 1, the
    notebook and the cell on stderr, the file unchanged."""
    path = notebook(tmp_path, notebooks.SETUP_CELL, "x = 1", "raise ValueError('no')")
    before = path.read_bytes()
    assert notebooks.main([str(path)]) == 1
    assert capsys.readouterr().err == f"stopped: {path}: cell 3 (\"raise ValueError('no')\") raised ValueError: no\n"
    assert path.read_bytes() == before
