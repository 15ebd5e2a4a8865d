"""The closing comparison: each way of post-processing a trained GAN's samples (DRS, DOT) applied to the same
generator, measured on the same number of samples, timed.

    python -m gankit.results            # the closing comparison on the shipped checkpoints (10,000 samples each)

``compare`` runs the methods of ``METHODS`` on models (e.g. checkpoints) with the settings ``DEFAULTS`` and measures
each one's samples with ``gankit.metrics.report``; ``comparison_table`` writes its rows as Markdown;
``closing_comparison`` is the table notebook 06 closes on and README shows (``gankit.readme``).
"""
import argparse
import sys
import time

from tqdm.auto import tqdm

from . import data, dot, drs, drs_mnist, metrics, tables
from .budget import machine
from .mode import steps
from .nets import batched

# The one setting of each method, for the notebooks and README (burn-in and update counts shrink in quick mode).
DEFAULTS = dict(
    drs=dict(burn_in=steps(lecture=10000, quick=500), percentile=95.0),
    dot_target=dict(steps=steps(lecture=10, quick=2), lr=0.01, optimizer="sgd", box=(-1, 1)),
    dot_latent=dict(steps=steps(lecture=10, quick=2), lr=0.01, optimizer="sgd", prior="gaussian"),
)
METHODS = ("baseline", "DRS", "DOT target", "DOT latent")


def improve(method, G, D, n, seed=0, held_out=None, settings=None, progress=False):
    """n samples of G post-processed by ``method`` (one of ``METHODS``) with ``settings`` (default ``DEFAULTS``).
    DRS: ``drs.improve`` (D calibrated on ``held_out`` real images against fresh samples when they are given).
    Returns (n samples on the CPU, acceptance rate or None)."""
    if method == "baseline":
        return G.sample(n, seed), None
    if method == "DRS":
        return drs.improve(G, D, n, held_out, seed, progress, **{**DEFAULTS["drs"], **(settings or {})})
    if method == "DOT target":
        K = dot.K_eff(G, D, "target", seed=seed + 1)
        return dot.target(D, G.sample(n, seed), K, progress=progress, **{**DEFAULTS["dot_target"], **(settings or {})}), None
    if method == "DOT latent":
        K = dot.K_eff(G, D, "latent", seed=seed + 1)
        z = dot.latent(G, D, G.noise(n, seed), K, progress=progress, **{**DEFAULTS["dot_latent"], **(settings or {})})
        return batched(G, z), None
    raise ValueError(f"unknown method {method!r}; choose one of {METHODS}")


def compare(models, real_features, n=10000, held_out=None, methods=METHODS, settings=None, seed=0, progress=True):
    """Each method on each model (name -> object with ``.G`` and ``.D``, e.g. a checkpoint, and for DRS ``.D_drs``
    if it has one: ``drs_mnist.load``): n post-processed
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
        m = models[name]
        D = getattr(m, "D_drs", m.D) if method == "DRS" else m.D     # DRS: the further-trained one, when given
        x, rate = improve(method, m.G, D, n, seed=seed, held_out=held_out, settings=settings.get(method))
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


COLUMNS = {"generator": ("model", ""), "method": ("method", ""), "MNIST-FID": ("fid", ".2f"),
           "change": ("change", "+.1%"), "precision": ("precision", ".3f"), "recall": ("recall", ".3f"),
           "classes covered": ("classes_covered", ""), "accepted": ("acceptance", ".1%"),
           "s / 1000 samples": ("seconds_per_1000", ".2f")}   # a column of comparison_table: (key of a row, format)


def comparison_table(rows, markdown=True):
    """The rows of ``compare`` as a Markdown table (``gankit.tables``; plain text with ``markdown=False``)."""
    return tables.table(list(COLUMNS), [[r[key] for key, _ in COLUMNS.values()] for r in rows],
                        formats={c: f for c, (_, f) in COLUMNS.items()}, markdown=markdown)


def closing_comparison(n=10000, models=("dcgan_adam", "wgan_gp"), held_out=2000, progress=True):
    """The closing table for the shipped checkpoints ``models``: each method on n samples, measured against the
    MNIST test digits except the last ``held_out``, which calibrate DRS. Returns (rows of ``compare``, caption)."""
    x_test = data.mnist(train=False)[0]
    x_cal, x_ref = x_test[-held_out:], x_test[:-held_out]
    rows = compare({name: drs_mnist.load(name) for name in models}, metrics.features(x_ref), n=n, held_out=x_cal,
                   progress=progress)
    caption = (f"{rows[0]['n']:,} samples per method against {len(x_ref):,} MNIST test digits; DRS with the "
               f"discriminator trained further against the final generator, calibrated on the other {len(x_cal):,}; timed on {machine()}; settings `gankit.results.DEFAULTS` = `{DEFAULTS}`")
    return rows, caption


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m gankit.results", description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=10000, help="samples per method (default 10,000)")
    rows, caption = closing_comparison(p.parse_args(argv).n)
    print(caption + "\n\n" + comparison_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
