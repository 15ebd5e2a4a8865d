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
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from . import __version__

REPO = "https://github.com/gankit/gankit"  # the one place that holds the repository's address
RELEASE = f"v{__version__}"                # the release tag the set-up cell installs (tag each release so)


def colab_url(path, branch="main"):
    """Colab's address for the kit's notebook at ``path`` (relative to the repository's root) on ``branch``.

    >>> colab_url("notebooks/01_gans_on_toy_data.ipynb")
    'https://colab.research.google.com/github/.../blob/main/notebooks/01_gans_on_toy_data.ipynb'
    """
    return f"{REPO.replace('https://github.com/', 'https://colab.research.google.com/github/')}/blob/{branch}/{path}"


SETUP_CELL = f"""# Set-up: where the kit is missing (e.g. on Colab) this installs release {RELEASE}, elsewhere it does nothing.
try:
    import gankit
except ModuleNotFoundError:
    %pip install -q "gankit @ git+{REPO}@{RELEASE}"
    import gankit
%matplotlib inline"""


def ensure_setup_cell(nb):
    """Make the first code cell the set-up cell (insert it, or replace an older version of it)."""
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    if code and nb.cells[code[0]].source.startswith("# Set-up:"):
        nb.cells[code[0]].source = SETUP_CELL
    else:
        at = code[0] if code else len(nb.cells)
        nb.cells.insert(at, nbformat.v4.new_code_cell(SETUP_CELL))
    return nb


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"   # a stored output that shows a widget
PROGRESS_BAR = re.compile(r"^[^\n]*\d+%\|")   # tqdm's text: "desc:  40%|####      | 4/10 [...]"


def drop_progress_bars(nb):
    """Remove the progress bars (tqdm widgets) from stored outputs: live they update and vanish, stored they
    would read "0%| 0/600" forever. Returns the number removed."""
    removed = 0
    for cell in nb.cells:
        keep = [o for o in cell.get("outputs", [])
                if not (WIDGET_VIEW in o.get("data", {})
                        and PROGRESS_BAR.match("".join(o["data"].get("text/plain", ""))))]
        removed += len(cell.get("outputs", [])) - len(keep)
        if "outputs" in cell:
            cell.outputs = keep
    return removed


def widget_figures(nb, model_id):
    """The PNG figures a stored widget shows: those in the Output widgets among its descendants (widget state)."""
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    found, todo, seen = [], [model_id], set()
    while todo:
        m = todo.pop(0)
        if m in seen or m not in state:
            continue
        seen.add(m)
        s = state[m]["state"]
        found += [o for o in s.get("outputs", []) if "image/png" in o.get("data", {})]
        todo += [c[len("IPY_MODEL_"):] for c in s.get("children", []) if isinstance(c, str) and c.startswith("IPY_MODEL_")]
    return found


def store_widget_figures(nb):
    """Before each stored slider, a plain copy of the figure it showed: read without a kernel (GitHub, the course
    site), the notebook then shows the slider's first figure instead of nothing. A live run replaces it."""
    copied = 0
    for cell in nb.cells:
        out = []
        for o in cell.get("outputs", []):
            if WIDGET_VIEW in o.get("data", {}):
                for fig in widget_figures(nb, o["data"][WIDGET_VIEW]["model_id"]):
                    out.append(nbformat.v4.new_output("display_data", data={"image/png": fig["data"]["image/png"]},
                                                      metadata={"gankit": "the widget's figure, stored"}))
                    copied += 1
            out.append(o)
        if "outputs" in cell:
            cell.outputs = out
    return copied


def run(path, quick=False, timeout=3600):
    """Execute notebook ``path`` top to bottom in a fresh kernel and write it back with its outputs.

    In quick mode the stored outputs are left as they are (they stay the lecture-mode ones): only the
    wall time is recorded, in the notebook's metadata (``gankit.quick_seconds``).
    """

    path = Path(path)
    original = nbformat.read(path, as_version=4)
    nb = ensure_setup_cell(nbformat.read(path, as_version=4))
    old = os.environ.get("GANKIT_QUICK")
    os.environ["GANKIT_QUICK"] = "1" if quick else "0"
    try:
        t0 = time.perf_counter()
        NotebookClient(nb, timeout=timeout, kernel_name="python3", store_widget_state=True,
                       resources={"metadata": {"path": str(path.parent.resolve())}}).execute()
        seconds = time.perf_counter() - t0
    finally:
        if old is None:
            del os.environ["GANKIT_QUICK"]
        else:
            os.environ["GANKIT_QUICK"] = old
    if quick:
        nb = original
    else:
        drop_progress_bars(nb)
        store_widget_figures(nb)
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
