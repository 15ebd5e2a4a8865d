"""The kit's measured results as Markdown tables, written into README between marker comments.

    python -m gankit.results            # print the tables
    python -m gankit.results --write    # and replace the block between the markers in README.md,
                                        # and save each notebook's README figure in docs/figures/

Generators: every shipped GAN checkpoint, measured by ``gankit.metrics.report`` on 10,000 samples against
the 10,000 MNIST test digits, with the training time and command stored in the checkpoint. Notebooks: the
lecture-mode and quick-mode wall times that ``python -m gankit.notebooks`` recorded in each notebook.
Figures: the first image stored by the cell tagged ``readme`` in each notebook (its lecture-mode output).
"""
import argparse
import base64
import json
import re
import sys
from pathlib import Path

import torch

from . import checkpoints, data, metrics, samplers
from .notebooks import REPO

START, END = "<!-- results:start -->", "<!-- results:end -->"
BLOCK = re.compile(re.escape(START) + ".*?" + re.escape(END), flags=re.S)  # the generated part of README


def generator_table(n=10000):
    """One Markdown row per shipped generator: MNIST-FID, classes covered, precision, recall, training."""
    x_test = data.mnist(train=False)[0][:n]
    f_test = metrics.features(x_test)
    rows = ["| checkpoint | MNIST-FID | classes covered | largest class | confident | precision | recall | trained | command |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for name in checkpoints.available():
        ck = checkpoints.load(name)
        if not hasattr(ck, "G"):
            continue
        with torch.no_grad():
            x = ck.G.sample(n, seed=0).cpu()
        r = metrics.report(x, x_test, real_features=f_test)
        m = ck.meta
        rows.append(f"| `{name}` | {r['fid']:.1f} | {r['classes_covered']} | {r['max_class_share']:.0%} | "
                    f"{r['confident_share']:.0%} | {r['precision']:.3f} | {r['recall']:.3f} | "
                    f"{m['recipe']['epochs']} epochs, {m['seconds'] / 60:.0f} min | `{m['command']}` |")
    return "\n".join(rows)


def notebook_table(folder="notebooks"):
    """One Markdown row per notebook: the wall times recorded by ``python -m gankit.notebooks``, and its Colab link."""
    colab = REPO.replace("https://github.com/", "https://colab.research.google.com/github/") + "/blob/main"
    rows = ["| notebook | lecture mode | quick mode (tests) | Colab |", "| --- | ---: | ---: | --- |"]
    for p in sorted(Path(folder).glob("*.ipynb")):
        t = json.loads(p.read_text()).get("metadata", {}).get("gankit", {})
        cell = lambda k: f"{t[k]:.0f} s" if k in t else "not measured"
        rows.append(f"| `{p.name}` | {cell('lecture_seconds')} | {cell('quick_seconds')} | "
                    f"[open in Colab]({colab}/{folder}/{p.name}) |")
    return "\n".join(rows)


def figures(folder="notebooks", out="docs/figures"):
    """Save the first image output of the cell tagged ``readme`` in each notebook as ``out/<notebook>.png``."""
    Path(out).mkdir(parents=True, exist_ok=True)
    saved = []
    for p in sorted(Path(folder).glob("*.ipynb")):
        cells = [c for c in json.loads(p.read_text())["cells"] if "readme" in c.get("metadata", {}).get("tags", [])]
        images = [o["data"]["image/png"] for c in cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
        if not images:
            print(f"{p.name}: no stored figure in a cell tagged 'readme'", file=sys.stderr)
            continue
        target = Path(out) / f"{p.stem}.png"
        target.write_bytes(base64.b64decode(images[0]))
        saved.append(target)
    return saved


def tables():
    classifier = checkpoints.load("classifier").meta
    rows, caption = samplers.closing_comparison(progress=False)
    return "\n".join([
        START,
        f"Generators ({10000:,} samples against the {10000:,} MNIST test digits; classifier test accuracy "
        f"{classifier['test_accuracy']:.2%}):",
        "",
        generator_table(),
        "",
        f"Notebook 06's closing comparison ({caption}):",
        "",
        samplers.comparison_table(rows),
        "",
        "Notebook wall times on a 2-core CPU:",
        "",
        notebook_table(),
        "",
        "Made by `python -m gankit.results --write`.",
        END,
    ])


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m gankit.results", description=__doc__.splitlines()[0])
    p.add_argument("--write", action="store_true", help="replace the results block in README.md")
    a = p.parse_args(argv)
    block = tables()
    print(block)
    if a.write:
        readme = Path("README.md")
        text = readme.read_text()
        if START not in text:
            sys.exit(f"README.md has no {START} ... {END} block")
        readme.write_text(BLOCK.sub(lambda _: block, text))
        for f in figures():
            print("saved", f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
