"""gankit.readme: README's results block states the machines and sample sizes that were measured, not constants."""
import os

import nbformat

from gankit import budget, readme


def test_the_machine_is_measured():
    words = budget.machine()
    assert f"{os.cpu_count()} cores" in words and budget.cpu_name() in words
    assert ("no GPU" in words) == (budget.gpu_name() is None) == (budget.best_device().type == "cpu")


def test_training_hardware_is_what_the_timings_recorded(monkeypatch):
    records = {"a": dict(cpu="CPU X", threads=2, gpu=None), "b": dict(cpu="CPU X", threads=2, gpu=None),
               "c": dict(cpu="CPU Y", threads=8, gpu="GPU Z"), "d": dict(cpu="CPU W", threads=4)}   # d: before "gpu"
    monkeypatch.setattr(budget, "timings", lambda: records)
    assert readme.hardware() == "CPU W, 4 threads, no GPU (d); CPU X, 2 threads, no GPU (a, b); CPU Y, 8 threads, GPU Z (c)"
    monkeypatch.setattr(budget, "timings", dict)
    assert readme.hardware() == "not recorded"


def test_sizes_in_words():
    assert readme.words([10000]) == "10,000" and readme.words([5000, 10000]) == "5,000 and 10,000"


def test_notebook_table_reads_the_recorded_wall_times(tmp_path):
    nb = nbformat.v4.new_notebook(metadata={"gankit": {"lecture_seconds": 41.6}})
    nbformat.write(nb, tmp_path / "01_x.ipynb")
    lines = readme.notebook_table(tmp_path).splitlines()
    assert lines[:2] == ["| notebook | lecture mode | quick mode (tests) | Colab |", "| --- | --- | --- | --- |"]
    assert lines[2].startswith("| `01_x.ipynb` | 42 s | not measured | [open in Colab](") and "/01_x.ipynb)" in lines[2]
