"""The kit's measured results as Markdown tables, written into README between marker comments.

    python -m gankit.results            # print the tables
    python -m gankit.results --write    # and replace the block between the markers in README.md,
                                        # and save each notebook's README figure in docs/figures/
    python -m gankit.results --compare  # only the closing comparison of the post-processing methods

Generators: every shipped GAN checkpoint, measured by ``gankit.metrics.report`` on 10,000 samples against
the 10,000 MNIST test digits, with the training time and command stored in the checkpoint. Notebooks: the
lecture-mode and quick-mode wall times that ``python -m gankit.notebooks`` recorded in each notebook.
Figures: the first image stored by the cell tagged ``readme`` in each notebook (its lecture-mode output).
The closing comparison: each post-processing method (DRS, DOT) applied to the same generator, measured on the
same number of samples, timed (``compare``, ``comparison_table``).
"""
import argparse
import base64
import json
import re
import sys
from pathlib import Path

import time

from tqdm.auto import tqdm

from . import budget, checkpoints, data, dot, drs, metrics, train
from .mode import steps
from .nets import batched
from .notebooks import REPO

START, END = "<!-- results:start -->", "<!-- results:end -->"
BLOCK = re.compile(re.escape(START) + ".*?" + re.escape(END), flags=re.S)  # the generated part of README


# ----------------------------------------------------------------------------- the closing comparison

# The one setting of each method, for the notebooks and README (burn-in and update counts shrink in quick mode).
DEFAULTS = dict(
    drs=dict(burn_in=steps(lecture=10000, quick=500), percentile=95.0),
    dot_target=dict(steps=steps(lecture=10, quick=2), lr=0.01, optimizer="sgd", box=(-1, 1)),
    dot_latent=dict(steps=steps(lecture=10, quick=2), lr=0.01, optimizer="sgd", prior="gaussian"),
)
METHODS = ("baseline", "DRS", "DOT target", "DOT latent")


def improve(method, G, D, n, seed=0, held_out=None, settings=None, progress=False):
    """n samples of G post-processed by ``method`` (one of ``METHODS``) with ``settings`` (default ``DEFAULTS``).
    DRS uses ``drs.calibrate(D, held_out, fresh samples)`` when ``held_out`` real images are given, D's raw output
    otherwise. Returns (n samples on the CPU, acceptance rate or None)."""
    if method == "baseline":
        return G.sample(n, seed), None
    if method == "DRS":
        Dt = D if held_out is None else drs.calibrate(D, held_out, G.sample(len(held_out), seed + 1))
        r = drs.sample(G, Dt, n, seed=seed, progress=progress, **{**DEFAULTS["drs"], **(settings or {})})
        return r.x, r.acceptance_rate
    if method == "DOT target":
        K = dot.K_eff(G, D, "target", seed=seed + 1)
        return dot.target(D, G.sample(n, seed), K, progress=progress, **{**DEFAULTS["dot_target"], **(settings or {})}), None
    if method == "DOT latent":
        K = dot.K_eff(G, D, "latent", seed=seed + 1)
        z = dot.latent(G, D, G.noise(n, seed), K, progress=progress, **{**DEFAULTS["dot_latent"], **(settings or {})})
        return batched(G, z), None
    raise ValueError(f"unknown method {method!r}; choose one of {METHODS}")


def compare(models, real_features, n=10000, held_out=None, methods=METHODS, settings=None, seed=0, progress=True):
    """Each method on each model (name -> object with ``.G`` and ``.D``, e.g. a checkpoint): n post-processed
    samples measured by ``metrics.report`` against ``real_features`` (features of real test images), timed.
    ``settings`` maps a method to its keyword arguments (see ``DEFAULTS``).

    Every method must deliver exactly n samples (RuntimeError otherwise), so that every row is measured at the
    same sample size. Returns a list of rows (dicts): model, method, fid, change (relative to the model's baseline, when it was
    run first), precision, recall, classes_covered, acceptance (DRS only), n, seconds_per_1000 (wall time to
    produce the samples, per 1000).
    """
    settings = settings or {}
    rows, base = [], {}
    for name, method in tqdm([(m, k) for m in models for k in methods], desc="compare", disable=not progress, leave=False):
        t0 = time.perf_counter()
        x, rate = improve(method, models[name].G, models[name].D, n, seed=seed, held_out=held_out,
                          settings=settings.get(method))
        seconds = time.perf_counter() - t0
        if len(x) != n:   # e.g. DRS stopped at max_proposals: a smaller set would be measured on other terms
            raise RuntimeError(f"{method} gave {len(x)} samples instead of {n} ({name}): every row must have the same "
                               "sample size; for DRS raise max_proposals or lower the percentile")
        r = metrics.report(x, real_features=real_features)
        if method == "baseline":
            base[name] = r["fid"]
        rows.append(dict(model=name, method=method, fid=r["fid"],
                         change=r["fid"] / base[name] - 1 if name in base and method != "baseline" else None,
                         precision=r["precision"], recall=r["recall"], classes_covered=r["classes_covered"],
                         acceptance=rate, n=len(x), seconds_per_1000=1000 * seconds / len(x)))
    return rows


def comparison_table(rows):
    """The rows of ``compare`` as a Markdown table."""
    lines = ["| generator | method | MNIST-FID | change | precision | recall | classes covered | accepted | s / 1000 samples |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        change = f"{100 * r['change']:+.1f}%" if r["change"] is not None else ""
        acc = f"{r['acceptance']:.1%}" if r["acceptance"] is not None else ""
        lines.append(f"| {r['model']} | {r['method']} | {r['fid']:.2f} | {change} | {r['precision']:.3f} | "
                     f"{r['recall']:.3f} | {r['classes_covered']} | {acc} | {r['seconds_per_1000']:.2f} |")
    return "\n".join(lines)


def closing_comparison(n=10000, models=("dcgan_adam", "wgan_gp"), held_out=2000, progress=True):
    """The closing table for the shipped checkpoints ``models``: each method on n samples, measured against the
    MNIST test digits except the last ``held_out``, which calibrate DRS. Returns (rows of ``compare``, caption)."""
    x_test = data.mnist(train=False)[0]
    x_cal, x_ref = x_test[-held_out:], x_test[:-held_out]
    rows = compare({name: checkpoints.load(name) for name in models}, metrics.features(x_ref), n=n, held_out=x_cal,
                   progress=progress)
    caption = (f"{n:,} samples per method against {len(x_ref):,} MNIST test digits; DRS calibrated on the other "
               f"{len(x_cal):,}; settings `gankit.results.DEFAULTS` = `{DEFAULTS}`")
    return rows, caption


# ----------------------------------------------------------------------------- README


def training_time(name, meta):
    """A checkpoint's training time as the kit shows it: one epoch timed alone on the machine
    (``python -m gankit.budget NAME``, in ``checkpoints/timings.json``) times the epochs trained."""
    b = budget.spent(name, meta)
    if b.minutes is None:
        return f"{b.epochs} epochs (not timed alone)"
    return f"{b.epochs} epochs x {b.epoch_seconds:.0f} s = {b.minutes:.0f} min"


def generator_table(n=10000):
    """One Markdown row per shipped generator: MNIST-FID, classes covered, precision, recall, training."""
    x_test = data.mnist(train=False)[0][:n]
    f_test = metrics.features(x_test)
    rows = ["| checkpoint | MNIST-FID | classes covered | largest class | confident | precision | recall | training | "
            "curve at the end | command |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for name in checkpoints.available():
        ck = checkpoints.load(name)
        if not hasattr(ck, "G"):
            continue
        r = metrics.report(ck.G.sample(n, seed=0), x_test, real_features=f_test)
        rows.append(f"| `{name}` | {r['fid']:.1f} | {r['classes_covered']} | {r['max_class_share']:.0%} | "
                    f"{r['confident_share']:.0%} | {r['precision']:.3f} | {r['recall']:.3f} | "
                    f"{training_time(name, ck.meta)} | {train.curve_end(ck.meta)} | `{ck.meta['command']}` |")
    return "\n".join(rows)


def hardware():
    """The machine the training times were measured on (from ``checkpoints/timings.json``)."""
    machines = sorted({f"{v['cpu']}, {v['threads']} threads, no GPU" for v in budget.timings().values()})
    return "; ".join(machines) or "not recorded"


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
    rows, caption = closing_comparison(progress=False)
    return "\n".join([
        START,
        f"Generators ({10000:,} samples against the {10000:,} MNIST test digits; classifier test accuracy "
        f"{classifier['test_accuracy']:.2%}; training times: one epoch timed alone on {hardware()}, times the "
        f"epochs trained; curve at the end: the line through the last 10 epochs of the MNIST-FID curve stored during "
        f"training, 5,000 samples each, its change per 5 epochs):",
        "",
        generator_table(),
        "",
        f"Notebook 06's closing comparison ({caption}):",
        "",
        comparison_table(rows),
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
    p.add_argument("--compare", action="store_true", help="print only the closing comparison")
    p.add_argument("--n", type=int, default=10000, help="samples per method in the comparison (default 10,000)")
    a = p.parse_args(argv)
    if a.compare:
        rows, caption = closing_comparison(a.n)
        print(caption + "\n\n" + comparison_table(rows))
        return 0
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
