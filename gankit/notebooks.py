"""Run the kit's notebooks in lecture mode and store their outputs in place.

    python -m gankit.notebooks                      # every notebook in notebooks/
    python -m gankit.notebooks notebooks/01_*.ipynb # some of them
    python -m gankit.notebooks --quick ...          # time quick mode (GANKIT_QUICK=1); outputs are kept
    python -m gankit.notebooks --timeout 300 ...    # seconds a cell may run (default CELL_TIMEOUT, 10 minutes)

A cell that raises, or runs longer than the timeout, stops the run with an error naming the notebook and the cell
(``execute``); that notebook is left as it was.

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
from queue import Empty

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError


REPO = "https://github.com/gankit/gankit"  # the one place that holds the repository's address


def colab_url(path, branch="main"):
    """Colab's address for the kit's notebook at ``path`` (relative to the repository's root) on ``branch``.

    >>> colab_url("notebooks/01_gans_on_toy_data.ipynb")
    'https://colab.research.google.com/github/.../blob/main/notebooks/01_gans_on_toy_data.ipynb'
    """
    return f"{REPO.replace('https://github.com/', 'https://colab.research.google.com/github/')}/blob/{branch}/{path}"


# The notebooks' first cell. Where the kit is missing it installs REPO's default branch, the branch Colab opens the
# notebook from, so notebook and kit match; no tag (only the default branch is published). It asks pip for the kit
# alone, whose dependencies leave installed packages as they are (pip upgrades only what a bound requires): a running
# kernel keeps the ipykernel and ipywidgets it has loaded, and Colab its ipywidgets 7.7.1, as ipywidgets 8 is not
# supported there (googlecolab/colabtools#3020, #4525).
SETUP_CELL = f"""# Set-up: where the kit is missing (e.g. on Colab) this installs it from the default branch,
# the one this notebook comes from; elsewhere it does nothing.
try:
    import gankit
except ModuleNotFoundError:
    %pip install -q "gankit @ git+{REPO}"
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


WIDGET_TEXT = "A slider: run the notebook to move it (above: the figure it showed first)."


def store_widget_figures(nb):
    """Before each stored slider, a plain copy of the figure it showed: read without a kernel (GitHub, the course
    site), the notebook then shows the slider's first figure instead of nothing, and the slider's text form says
    what it is (``WIDGET_TEXT``, not ipywidgets' repr ``interactive(children=...``). A live run replaces both."""
    copied = 0
    for cell in nb.cells:
        out = []
        for o in cell.get("outputs", []):
            if WIDGET_VIEW in o.get("data", {}):
                o["data"]["text/plain"] = WIDGET_TEXT
                for fig in widget_figures(nb, o["data"][WIDGET_VIEW]["model_id"]):
                    out.append(nbformat.v4.new_output("display_data", data={"image/png": fig["data"]["image/png"]},
                                                      metadata={"gankit": "the widget's figure, stored"}))
                    copied += 1
            out.append(o)
        if "outputs" in cell:
            cell.outputs = out
    return copied


CELL_TIMEOUT = 600    # seconds a cell may run: ten times the slowest lecture cell (about a minute on a 2-core CPU)
IOPUB_TIMEOUT = 60    # seconds a cell's last outputs may lag behind its reply before the run fails


class NotebookError(RuntimeError):
    """A notebook's run failed; the message names the notebook, the cell and what happened to it."""


class Client(NotebookClient):
    """nbclient's ``NotebookClient`` whose wait for a cell's reply cannot sleep through it.

    nbclient stands in for the browser's Output widget (where ``interact`` draws): it sends each output the widget
    catches back to the kernel on the shell channel, while it is waiting on that same socket for the cell's reply.
    jupyter_client sends through a blocking shadow of the asyncio socket, so if the reply has just landed the send
    swallows the socket's wake-up and the wait sleeps on, kernel and client idle, until its timeout; then nbclient
    finds the reply and goes on as if nothing happened (jupyter/nbclient#312, open). That was the stall of notebook
    02 at its `@interact` cell, with or without the set-up cell's install, and the maintainer's hang of notebook 03
    (the runner's timeout was an hour). Here the wait polls in slices of ``POLL`` seconds: a lost wake-up costs
    at most that.
    """
    POLL = 1.0

    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        kc.shell_channel.get_msg = _in_slices(kc.shell_channel.get_msg, self.POLL)
        return kc


def _in_slices(get_msg, step):
    """``get_msg(timeout)`` made of waits of at most ``step`` seconds (each ends with a fresh look at the socket)."""
    async def get_msg_in_slices(timeout=None):
        end = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                return await get_msg(timeout=step if end is None else min(step, max(0.0, end - time.monotonic())))
            except Empty:
                if end is not None and time.monotonic() >= end:
                    raise
    return get_msg_in_slices


def execute(nb, path, timeout=CELL_TIMEOUT, allow_errors=False, env=None):
    """Execute notebook ``nb`` (read from ``path``; it runs in that folder) top to bottom in a fresh kernel, in place,
    and return it. ``env``: the kernel's environment variables (default: this process's).

    Never goes on silently: a cell that runs longer than ``timeout`` seconds, whose outputs do not all arrive, that
    kills the kernel or (unless ``allow_errors``) raises stops the run with ``NotebookError``, whose message names
    ``path`` and the cell's index (counted from 0, markdown cells included). nbclient's defaults would interrupt
    nothing, but would drop a cell's outputs that arrive 4 s after its reply and go on.
    """
    at = {}
    client = Client(nb, timeout=timeout, kernel_name="python3", allow_errors=allow_errors,
                    interrupt_on_timeout=False, raise_on_iopub_timeout=True, iopub_timeout=IOPUB_TIMEOUT,
                    store_widget_state=True, resources={"metadata": {"path": str(Path(path).parent.resolve())}},
                    on_cell_start=lambda cell, cell_index: at.update(index=cell_index, cell=cell))
    try:
        client.execute(**({} if env is None else {"env": env}))
    except (CellTimeoutError, CellExecutionError, DeadKernelError) as e:
        if isinstance(e, CellExecutionError):
            what = f"raised {e.ename}: {e.evalue}"
        elif isinstance(e, DeadKernelError):
            what = "killed the kernel"
        elif "IOPub" in str(e):
            what = f"finished, but its outputs did not all arrive within {IOPUB_TIMEOUT} s"
        else:
            what = f"ran longer than {timeout:g} s (the per-cell timeout)"
        first = (at.get("cell", {}).get("source", "").strip().splitlines() or [""])[0]
        raise NotebookError(f"{path}: cell {at.get('index', '?')} ({first[:60]!r}) {what}") from e
    return nb


def run(path, quick=False, timeout=CELL_TIMEOUT):
    """Execute notebook ``path`` top to bottom in a fresh kernel (``execute``) and write it back with its outputs.

    In quick mode the stored outputs are left as they are (they stay the lecture-mode ones): only the
    wall time is recorded, in the notebook's metadata (``gankit.quick_seconds``). A failed run writes nothing.
    """
    path = Path(path)
    original = nbformat.read(path, as_version=4)
    nb = ensure_setup_cell(nbformat.read(path, as_version=4))
    t0 = time.perf_counter()
    execute(nb, path, timeout, env=dict(os.environ, GANKIT_QUICK="1" if quick else "0"))
    seconds = time.perf_counter() - t0
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
    p.add_argument("--timeout", type=float, default=CELL_TIMEOUT, metavar="SECONDS",
                   help=f"seconds a cell may run before the run fails (default {CELL_TIMEOUT})")
    a = p.parse_args(argv)
    paths = a.paths or sorted(str(p) for p in Path("notebooks").glob("*.ipynb"))
    for path in paths:
        try:
            s = run(path, quick=a.quick, timeout=a.timeout)
        except NotebookError as e:
            print(f"stopped: {e}", file=sys.stderr)
            return 1
        print(f"{path}: {s:.0f} s ({'quick' if a.quick else 'lecture'} mode)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
