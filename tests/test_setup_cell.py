"""The notebooks' first code cell, `gankit.notebooks.SETUP_CELL`: it installs the kit only where it is missing.

Run in a fresh kernel (as JupyterLab or Colab would) with the `%pip` magic replaced by a spy:
  * where gankit is importable the cell runs no pip at all (no %pip, no shell command, no output);
  * where `import gankit` fails it runs exactly one `%pip install` of `gankit.notebooks.REPO`
    (the control, which shows the spy would see an install).
Every notebook of notebooks/, solutions/ and exercises/ starts with exactly that cell, and the repository's
address is written nowhere but `gankit.notebooks.REPO` (the notebooks' set-up cells are generated from it).
"""
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import gankit
from gankit import notebooks, results

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_PATHS = sorted(p for d in ("notebooks", "solutions", "exercises") for p in (ROOT / d).glob("*.ipynb"))

SPY = """\
import sys
pip_calls, shell_calls = [], []
def _pip_spy(line):
    pip_calls.append(line)
    if sys.modules.get("gankit", 0) is None:   # the control: "installing" makes the kit importable again
        del sys.modules["gankit"]
ip = get_ipython()
ip.register_magic_function(_pip_spy, "line", "pip")
ip.system = ip.system_raw = ip.system_piped = lambda cmd: shell_calls.append(cmd)
"""
REPORT = "print(repr((pip_calls, shell_calls, gankit.__name__)))"
HIDE_KIT = """\
pip_calls.clear(); shell_calls.clear()
sys.modules["gankit"] = None   # `import gankit` now raises ModuleNotFoundError, as where the kit is missing
del gankit
"""


def _run_in_kernel(cells, cwd):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    return nb.cells


def _stdout(cell):
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def test_setup_cell_installs_only_when_the_kit_is_missing(tmp_path):
    cells = _run_in_kernel([SPY, notebooks.SETUP_CELL, REPORT, HIDE_KIT, notebooks.SETUP_CELL, REPORT], tmp_path)
    assert cells[1].outputs == [], f"the set-up cell printed something where the kit is installed: {cells[1].outputs}"
    assert eval(_stdout(cells[2])) == ([], [], "gankit"), "the set-up cell ran pip although gankit is importable"
    pip_calls, shell_calls, name = eval(_stdout(cells[5]))
    assert pip_calls == [f'install -q "gankit @ git+{notebooks.REPO}@v{gankit.__version__}"'] and shell_calls == [] \
        and name == "gankit", "where gankit is missing the set-up cell must %pip install the release tag from REPO, once"


def test_setup_cell_is_valid_ipython():
    from IPython.core.inputtransformer2 import TransformerManager

    code = TransformerManager().transform_cell(notebooks.SETUP_CELL)
    compile(code, "SETUP_CELL", "exec")
    assert "run_line_magic('pip'" in code and notebooks.REPO in code


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=[f"{p.parent.name}/{p.name}" for p in NOTEBOOK_PATHS])
def test_notebook_starts_with_the_setup_cell(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    starts_with_it = bool(code) and code[0].source == notebooks.SETUP_CELL
    assert starts_with_it, (
        f"{path.name}: the first code cell is not gankit.notebooks.SETUP_CELL; "
        f"run `python -m gankit.notebooks {path.relative_to(ROOT)}` to insert it")
    others = [i for i, c in enumerate(code[1:], 1) if "%pip" in c.source or "pip install" in c.source]
    assert not others, f"{path.name}: code cells {others} install packages too; only the set-up cell may"


def _repo_files():
    """The repository's files (tracked and untracked, without git-ignored ones)."""
    try:
        out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                             capture_output=True, check=True).stdout
        return [ROOT / p for p in out.decode().split("\0") if p and (ROOT / p).is_file()]
    except (OSError, subprocess.CalledProcessError):   # not a git checkout: walk it
        skip = {".git", ".venv", "artifacts", "__pycache__", "build", ".ipynb_checkpoints"}
        return [p for p in ROOT.rglob("*") if p.is_file() and not skip & set(p.relative_to(ROOT).parts)
                and not any(part.endswith(".egg-info") for part in p.parts)]


def test_repository_address_lives_only_in_REPO():
    assert notebooks.REPO.startswith("https://"), "REPO must be an https address pip can install from"
    address = notebooks.REPO.split("://", 1)[1].removesuffix(".git").rstrip("/")   # e.g. host/owner/name
    host, _, owner_name = address.partition("/")
    needles = [address.lower(), f"{host.split('.')[0]}/{owner_name}".lower()]   # and Colab's .../github/owner/name
    holders = []
    for path in _repo_files():
        if path == Path(notebooks.__file__).resolve():
            continue
        if path.suffix == ".ipynb":
            nb = nbformat.read(path, as_version=4)
            nb.cells = [c for c in nb.cells if c.source != notebooks.SETUP_CELL]   # generated from REPO
            text = nbformat.writes(nb).lower()
        else:
            text = path.read_bytes().decode("utf-8", "replace")
            if path == ROOT / "README.md":   # its results block (with the Colab links) is generated from REPO
                text = results.BLOCK.sub("", text)
            text = text.lower()
        if any(n in text for n in needles):
            holders.append(str(path.relative_to(ROOT)))
    assert not holders, f"the repository address is written in {holders}: use gankit.notebooks.REPO instead"
