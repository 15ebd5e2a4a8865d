"""Run the kit's notebooks in lecture mode and store their outputs in place.

    python -m gankit.notebooks                      # every notebook in notebooks/
    python -m gankit.notebooks notebooks/01_*.ipynb # some of them
    python -m gankit.notebooks --quick ...          # time quick mode (GANKIT_QUICK=1); outputs are kept

Before running, it makes the first code cell of each notebook the kit's set-up cell (``SETUP_CELL``):
on Colab, or wherever the kit is missing, that cell installs it from ``REPO``; elsewhere it does nothing.
Each notebook's wall time is printed, so that README's timings come from a real run.
"""
import argparse
import os
import sys
import time
from pathlib import Path

REPO = "https://github.com/gankit/gankit"  # the one place that holds the repository's address

SETUP_CELL = f"""# Set-up: where the kit is missing (e.g. on Colab) this installs it, elsewhere it does nothing.
try:
    import gankit
except ModuleNotFoundError:
    %pip install -q "gankit @ git+{REPO}"
    import gankit
%matplotlib inline"""


def ensure_setup_cell(nb):
    """Make the first code cell the set-up cell (insert it, or replace an older version of it)."""
    import nbformat

    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    if code and nb.cells[code[0]].source.startswith("# Set-up:"):
        nb.cells[code[0]].source = SETUP_CELL
    else:
        at = code[0] if code else len(nb.cells)
        nb.cells.insert(at, nbformat.v4.new_code_cell(SETUP_CELL))
    return nb


def run(path, quick=False, timeout=3600):
    """Execute notebook ``path`` top to bottom in a fresh kernel and write it back with its outputs.

    In quick mode the stored outputs are left as they are (they stay the lecture-mode ones): only the
    wall time is recorded, in the notebook's metadata (``gankit.quick_seconds``).
    """
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    original = nbformat.read(path, as_version=4)
    nb = ensure_setup_cell(nbformat.read(path, as_version=4))
    old = os.environ.get("GANKIT_QUICK")
    os.environ["GANKIT_QUICK"] = "1" if quick else "0"
    try:
        t0 = time.perf_counter()
        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent.resolve())}}).execute()
        seconds = time.perf_counter() - t0
    finally:
        if old is None:
            del os.environ["GANKIT_QUICK"]
        else:
            os.environ["GANKIT_QUICK"] = old
    if quick:
        nb = original
    nb.metadata.setdefault("gankit", {})["quick_seconds" if quick else "lecture_seconds"] = round(seconds, 1)
    nbformat.write(nb, path)
    return seconds


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m gankit.notebooks", description=__doc__.splitlines()[0])
    p.add_argument("paths", nargs="*", help="notebooks to run (default: notebooks/*.ipynb)")
    p.add_argument("--quick", action="store_true", help="run in quick mode (GANKIT_QUICK=1)")
    a = p.parse_args(argv)
    paths = a.paths or sorted(str(p) for p in Path("notebooks").glob("*.ipynb"))
    for path in paths:
        s = run(path, quick=a.quick)
        print(f"{path}: {s:.0f} s ({'quick' if a.quick else 'lecture'} mode)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
