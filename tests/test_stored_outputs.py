"""What a reader sees without a kernel: the lecture-mode outputs stored in the notebooks.

A stored output must read as the lecturer saw it: no object repr (``<... at 0x7f...>``, a slider's
``interactive(children=...``), no progress bar frozen as text ("0%| 0/600"), and every widget (slider) stored with its
state, so that JupyterLab or nbviewer shows its figure before anyone runs the notebook.
"""
import json
import re
from pathlib import Path

import pytest

from gankit.notebooks import PROGRESS_BAR, WIDGET_VIEW as WIDGET

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "solutions").glob("*.ipynb"))


def outputs(nb):
    return [(i, o) for i, c in enumerate(nb["cells"]) for o in c.get("outputs", [])]


def texts(o):
    if o["output_type"] == "stream":
        yield "".join(o["text"])
    for key in ("text/plain", "text/html"):
        if key in o.get("data", {}):
            yield "".join(o["data"][key])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_no_object_repr_and_no_frozen_progress_bar(path):
    nb = json.loads(path.read_text())
    bad = [(i, t[:80]) for i, o in outputs(nb) for t in texts(o)
           if re.search(r" at 0x[0-9a-f]{6,}|^interactive\(children=", t) or PROGRESS_BAR.search(t)]
    assert not bad, f"{path.name}: cells show a repr or a progress bar as text: {bad}"


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.stem)
def test_every_stored_widget_has_its_state(path):
    nb = json.loads(path.read_text())
    views = [(i, o["data"][WIDGET]["model_id"]) for i, o in outputs(nb) if WIDGET in o.get("data", {})]
    state = nb["metadata"].get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    missing = [(i, m) for i, m in views if m not in state]
    assert not missing, f"{path.name}: widgets stored without their state (they show nothing without a kernel): {missing}"


def test_the_checks_catch_what_they_look_for():
    """The patterns match the failures seen before (a torch.Generator repr, tqdm's stored text)."""
    assert re.search(r" at 0x[0-9a-f]{6,}", "<torch._C.Generator at 0x7f4516ecfd30>")
    assert PROGRESS_BAR.search("ASGD:   0%|          | 0/5000 [00:00<?, ?it/s]")
    assert not PROGRESS_BAR.search("acceptance 14.4% | precision 0.55")


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.stem)
def test_every_slider_has_a_stored_figure_before_it(path):
    """Without a kernel a widget shows nothing on GitHub or the course site: the figure it showed is stored too."""
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        outs = cell.get("outputs", [])
        for k, o in enumerate(outs):
            if WIDGET in o.get("data", {}):
                assert k > 0 and "image/png" in outs[k - 1].get("data", {}), \
                    f"{path.name}: a widget without its stored figure in cell {''.join(cell['source'])[:60]!r}"


# Decimals the lecture notebooks' prose may state without an output printing them: set-up constants, numbers of a
# cited paper, slide or theorem, and rough magnitudes the prose derives.
NOT_MEASURED = {
    "01_gans_on_toy_data": {"0.02"},                                    # the 8 gaussians' std
    "04_semi_discrete_ot": {"5.10", "2603.29595"},                      # Villani's Theorem 5.10; an arXiv number
    "05_discriminator_rejection_sampling": {"2.828", "0.999",           # 2 sqrt 2; the recipes' weight averaging
                                            "14.79", "13.75", "62.36", "76.08"},  # the DRS paper's ImageNet results
    "06_discriminator_optimal_transport": {"38.85", "91.56", "0.001"},  # the student project's slide; a step size
    "07_quality_vs_diversity": {"2110.09803"},                          # an arXiv number
}
DECIMAL = re.compile(r"(?<![\w.])\d[\d,]*\.\d{2,}%?|(?<![\w.])\d+\.\d%")


def prose_decimals(nb):
    """(cell, number) for every decimal with two or more digits after the point (or a percentage) in the markdown,
    formulas left out."""
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "markdown":
            text = re.sub(r"\$[^$]*\$", "", "".join(cell["source"]))
            yield from ((i, m.group(0)) for m in DECIMAL.finditer(text))


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.stem)
def test_every_number_in_the_prose_is_printed_by_an_output(path):
    """A measured number in the text is one the notebook printed: after a rerun a stale number fails here."""
    nb = json.loads(path.read_text())
    printed = "\n".join(t for _, o in outputs(nb) for t in texts(o))
    bare = printed.replace(",", "")
    stale = [(i, v) for i, v in prose_decimals(nb)
             if v not in printed and v.replace(",", "") not in bare and v not in NOT_MEASURED.get(path.stem, ())]
    assert not stale, f"{path.name}: numbers in the prose that no stored output prints (cell, number): {stale}"


def test_the_prose_check_finds_a_stale_number():
    nb = {"cells": [{"cell_type": "markdown", "source": ["FID fell from 8.24 to 7.5%, $W_1 = 1.23$"]},
                    {"cell_type": "code", "source": [], "outputs": [{"output_type": "stream", "text": ["7.5%\n"]}]}]}
    assert list(prose_decimals(nb)) == [(0, "8.24"), (0, "7.5%")]
