"""README's results block: the kit's measured results as Markdown tables, written between marker comments.

    python -m gankit.readme            # print the block
    python -m gankit.readme --write    # and replace the block between the markers in README.md,
                                       # and save each notebook's README figure in docs/figures/

Generators: every shipped GAN checkpoint, its MNIST-FID and KID as stored by ``python -m gankit.scores`` (mean ±
std over seeds), the other columns measured by ``gankit.metrics.report`` on one draw (seed 0) of as many samples
against the 10,000 MNIST test digits, with the training time and command stored in the checkpoint. The closing
comparison of the post-processing methods as stored by ``python -m gankit.results``. Notebooks: the lecture-mode
and quick-mode wall times that ``python -m gankit.notebooks`` recorded in each notebook. Figures: the first image stored by the cell tagged
``readme`` in each notebook (its lecture-mode output). Every sample size and machine the block names is the one
measured (``budget.machine``, the timings' records), not a constant.
"""
import argparse
import base64
import json
import re
import sys
from pathlib import Path
from types import SimpleNamespace

from . import budget, checkpoints, data, metrics, results, scores, spread, tables, tradeoff
from .curves import TREND_EPOCHS, TREND_PER, curve_end
from .curves import samples as curve_samples_of
from .notebooks import colab_url

START, END = "<!-- results:start -->", "<!-- results:end -->"
BLOCK = re.compile(re.escape(START) + ".*?" + re.escape(END), flags=re.S)  # the generated part of README


def training_time(name, meta):
    """A checkpoint's training time as the kit shows it: one epoch timed alone on the machine
    (``python -m gankit.budget NAME``, in ``checkpoints/timings.json``) times the epochs trained."""
    b = budget.spent(name, meta)
    if b.minutes is None:
        return f"{b.epochs} epochs (not timed alone)"
    return f"{b.epochs} epochs x {b.epoch_seconds:.1f} s = {b.minutes:.1f} min"


GENERATOR_COLUMNS = {"checkpoint": "", "MNIST-FID": "", "MNIST-KID": "", "classes covered": "",
                     "largest class": ".0%", "confident": ".0%", "precision": ".3f", "recall": ".3f", "training": "", "curve at the end": "",
                     "command": ""}   # column -> format


def generator_table():
    """One Markdown row per shipped generator: stored MNIST-FID and KID (mean ± std over seeds), classes covered,
    precision, recall (seed 0, as many samples), training, how its curve ended. Returns (the table, what was
    measured: ``samples`` per seed, ``seeds``, test ``digits``, the stored curves' sample sizes ``curve_samples``)."""
    blob = scores.load()
    n = blob["n"]
    x_test = data.mnist(train=False)[0][:n]
    f_test = metrics.features(x_test)
    rows, samples, curve_samples = [], set(), set()
    for name in checkpoints.available():
        ck = checkpoints.load(name)
        if not hasattr(ck, "G"):
            continue
        x = ck.G.sample(n, seed=0)
        r, scored = metrics.report(x, x_test, real_features=f_test), scores.stored(name)
        rows.append([f"`{name}`", scored["fid"].pm(), scored["kid"].pm(), r["classes_covered"], r["max_class_share"],
                     r["confident_share"], r["precision"], r["recall"], training_time(name, ck.meta), curve_end(ck.meta),
                     f"`{ck.meta['command']}`"])
        samples.add(len(x))
        curve_samples.add(curve_samples_of(ck.meta))
    measured = SimpleNamespace(samples=sorted(samples), seeds=len(blob["seeds"]), digits=len(x_test),
                               curve_samples=sorted(curve_samples))
    return tables.table(list(GENERATOR_COLUMNS), rows, formats=GENERATOR_COLUMNS, markdown=True), measured


def hardware():
    """The machines the training times were measured on, as ``checkpoints/timings.json`` records them, each with the
    recipes timed on it (a record without "gpu" predates it and counts as a CPU run)."""
    machines = {}
    for name, v in budget.timings().items():
        machines.setdefault(f"{v['cpu']}, {v['threads']} threads, {v.get('gpu') or 'no GPU'}", []).append(name)
    return "; ".join(f"{m} ({', '.join(sorted(names))})" for m, names in sorted(machines.items())) or "not recorded"


def notebook_table(folder="notebooks"):
    """One Markdown row per notebook: the wall times recorded by ``python -m gankit.notebooks``, and its Colab link."""
    rows = []
    for p in sorted(Path(folder).glob("*.ipynb")):
        t = json.loads(p.read_text()).get("metadata", {}).get("gankit", {})
        seconds = lambda k: f"{t[k]:.0f} s" if k in t else "not measured"   # noqa: E731
        rows.append([f"`{p.name}`", seconds("lecture_seconds"), seconds("quick_seconds"),
                     f"[open in Colab]({colab_url(f'{folder}/{p.name}')})"])
    return tables.table(["notebook", "lecture mode", "quick mode (tests)", "Colab"], rows, markdown=True)


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


def curve_noise(names=("dcgan_adam", "wgan_clip", "wgan_gp"), seeds=(0, 1, 2, 3, 4)):
    """How much one point of a stored MNIST-FID curve varies from draw to draw: each final generator scored on as many
    samples as its curve used (``curves.samples``), on ``seeds``; its std over the seeds relative to its mean. The
    flat rule (``curves.flat``) lets the last 5 points spread by 10% around their mean and their line move by 3%."""
    out = {}
    for name in names:
        ck = checkpoints.load(name)
        s = spread.score(ck.G, curve_samples_of(ck.meta), seeds, kid_subsets=10)["fid"]
        out[name] = (s.std / s.mean, s)
    return out


def words(values):
    """Sizes in words: "10,000", or "5,000 and 10,000" when they differ."""
    return " and ".join(f"{v:,}" for v in values) or "no"


def block():
    """README's results block, from the shipped checkpoints and notebooks, measured now."""
    classifier = checkpoints.load("classifier").meta
    generators, m = generator_table()
    closing = tradeoff.stored()
    return "\n".join([
        START,
        f"Generators ({words(m.samples)} samples against the {m.digits:,} MNIST test digits; MNIST-FID and KID: mean ± "
        f"std over {m.seeds} seeds (`python -m gankit.scores`), the other columns: seed 0; classifier test accuracy "
        f"{classifier['test_accuracy']:.2%}; training times: one epoch timed alone on {hardware()}, times the "
        f"epochs trained; curve at the end: the line through the last {TREND_EPOCHS} epochs of the MNIST-FID curve "
        f"stored during training, {words(m.curve_samples)} samples each, its change per {TREND_PER} epochs):",
        "",
        generators,
        "",
        "One point of a curve varies from draw to draw, and the flat rule's tolerances (10% around the mean of the last "
        "5 points, 3% for their line) are to be read against that noise. Each final generator scored on as many "
        "samples as its curve used, on 5 seeds (MNIST-FID, std relative to the mean, and the 10% band in those "
        "standard deviations): "
        + "; ".join(f"`{n}` {s.pm()} on {s.n:,} samples, {rel:.1%}, the band {0.10 / rel:.1f} std"
                    for n, (rel, s) in curve_noise().items())
        + ". Where the band is about one standard deviation, whether the rule fires depends on the draw as much as on "
        "the curve.",
        "",
        f"Notebook 07's closing comparison ({results.caption(closing)}; the kit's latent reweighting, its own "
        f"construction after Issenhuth et al.'s abstract, with the cap m' = 2, the bound its weights were trained "
        f"with, `python -m gankit.reweight_mnist`; DRS on other proposals than notebook 05's table, hence other means "
        f"and stds for the same setting; notebook 07 sweeps every method's knob):",
        "",
        tradeoff.closing_table(closing, markdown=True),
        "",
        f"Notebook wall times (`python -m gankit.notebooks`) on {budget.machine()}:",
        "",
        notebook_table(),
        "",
        "Made by `python -m gankit.readme --write`.",
        END,
    ])


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m gankit.readme", description=__doc__.splitlines()[0])
    p.add_argument("--write", action="store_true", help="replace the results block in README.md, save the figures")
    a = p.parse_args(argv)
    text = block()
    print(text)
    if a.write:
        readme = Path("README.md")
        old = readme.read_text()
        if START not in old:
            sys.exit(f"README.md has no {START} ... {END} block")
        readme.write_text(BLOCK.sub(lambda _: text, old))
        for f in figures():
            print("saved", f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
