r"""DOT evaluated (notebook 06): what its updates do to a generator's samples, measured and drawn.

``measure`` follows one DOT run update by update (``dot.latent`` or ``dot.target`` with ``keep=``): MNIST-FID,
precision, recall, and the share of samples whose digit (the kit's classifier) changed since update 0, the
mark of samples that moved to another digit rather than sharpened. The figures draw it, and the 2D picture of
target-space DOT (arrows y -> T(y) over the critic). The methods compared over seeds: ``gankit.results``.
"""
import matplotlib.pyplot as plt
import torch

from . import data, metrics, plots, tables, toys
from .nets import batched
from .semidiscrete import exact_ot


# ----------------------------------------------------------------------------- 25 gaussians

def toy_measures(samples, reference):
    """For each named set of 2D samples (name -> (N, 2)), against the 25-gaussians ``reference`` (M, 2): the share
    of high-quality samples and the modes covered (``toys.mode_coverage``, as in notebook 05), their spread, and
    the exact W_1 to the reference (POT, cost |x - y|). Returns {name: dict(high_quality, modes, spread, w1)}."""
    out = {}
    for name, x in samples.items():
        q = toys.mode_coverage(x, data.TWENTYFIVE_CENTRES, data.TWENTYFIVE_STD)
        out[name] = dict(high_quality=q.high_quality, modes=q.modes, spread=q.spread,
                         w1=exact_ot(x, reference, cost="euclidean")[0])
    return out


def toy_table(rows):
    """The rows of ``toy_measures`` as a text table."""
    return tables.table(["samples", "high quality", "modes", "spread", "W1 to the data"],
                        [[name, r["high_quality"], r["modes"], r["spread"], r["w1"]] for name, r in rows.items()],
                        formats={"high quality": ".1%", "spread": ".2f", "W1 to the data": ".3f"})


def arrows(D, y, Ty, reference, box=((-2.1, 2.1), (-2.1, 2.1)), n=400):
    """Two panels: the critic D as a heat map with the mode centres, n samples y and their arrows y -> T(y); then
    every T(y) over the data."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 5.2))
    plots.toy_scene(y[:n], D, data.TWENTYFIVE_CENTRES, n=n, link=None, arrows=False, box=box, ax=axes[0],
                    colorbar=True, title=f"critic D (heat map), mode centres (dark), {n} samples y and arrows y -> T(y)")
    d = (Ty - y)[:n]
    axes[0].quiver(y[:n, 0], y[:n, 1], d[:, 0], d[:, 1], angles="xy", scale_units="xy", scale=1, width=0.003,
                   color="k", zorder=6)
    plots.toy_scene(Ty, None, reference, n=len(Ty), box=box, ax=axes[1],
                    title=f"all {len(Ty)} T(y) (light blue) over the data (dark)")
    fig.tight_layout()
    return axes


# ----------------------------------------------------------------------------- MNIST: one run, update by update

def _digits(x):
    """The kit's classifier's digit for each image."""
    C = metrics.classifier()
    return batched(lambda v: C(v).argmax(1), x, device=next(C.parameters()).device)


def measure(path, real_features, G=None):
    """A DOT run {update: samples} (``keep=``; latent codes when ``G`` is given, turned into images G(z)) measured
    at each kept update against ``real_features``: {update: dict(fid, precision, recall, changed, top, x)},
    ``changed`` the share of samples whose digit differs from the one at the first kept update, ``top`` the share
    of the most frequent digit (``metrics.report``'s max_class_share; 10% for a uniform mix), ``x`` the images."""
    out, first = {}, None
    for step, v in sorted(path.items()):
        x = batched(G, v) if G is not None else v
        r = metrics.report(x, real_features=real_features)
        digits = _digits(x)
        first = digits if first is None else first
        out[step] = dict(fid=r["fid"], precision=r["precision"], recall=r["recall"],
                         changed=float((digits != first).float().mean()), top=r["max_class_share"], x=x)
    return out


def curve_table(curves):
    """One row per run and kept update: MNIST-FID, precision, recall, digits changed, top digit's share."""
    keys = {"MNIST-FID": ("fid", ".1f"), "precision": ("precision", ".3f"), "recall": ("recall", ".3f"),
            "digit changed": ("changed", ".0%"), "top digit": ("top", ".1%")}
    rows = [[name, s] + [c[s][k] for k, _ in keys.values()] for name, c in curves.items() for s in c]
    return tables.table(["run", "updates", *keys], rows, formats={h: f for h, (_, f) in keys.items()})


def curves_figure(curves, title=""):
    """MNIST-FID, precision and recall against the number of updates (log axis, update 0 drawn at 0.5), one line
    per run."""
    keys = {"fid": "MNIST-FID (lower is better)", "precision": "precision (quality)", "recall": "recall (diversity)"}
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    for name, c in curves.items():
        for ax, key in zip(axes, keys):
            ax.plot([max(s, 0.5) for s in c], [c[s][key] for s in c], "o-", label=name)
    for ax, label in zip(axes, keys.values()):
        ax.set(xscale="log", xlabel="number of updates (0 drawn at 0.5)", ylabel=label)
        ax.legend(fontsize=8)
    axes[0].set_title(title, fontsize=9)
    fig.tight_layout()
    return axes


def path_grids(curves, picks=(0, 10, None), n=16):
    """The same n samples of each run (one row per run) at the updates ``picks`` (None: the run's last)."""
    fig, axes = plt.subplots(len(curves), len(picks), figsize=(3 * len(picks), 3.1 * len(curves)), squeeze=False)
    for row, (name, c) in zip(axes, curves.items()):
        for ax, s in zip(row, picks):
            s = max(c) if s is None else min(s, max(c))
            plots.grid(c[s]["x"][:n], nrow=4, ax=ax, title=f"{name}, {s} updates: FID {c[s]['fid']:.1f}")
    fig.tight_layout()
    return axes


def grids(images, title=""):
    """Image sets side by side (name -> images (N, 1, 28, 28)), one grid each."""
    fig, axes = plt.subplots(1, len(images), figsize=(4 * len(images), 3.6), squeeze=False)
    for ax, (name, x) in zip(axes[0], images.items()):
        plots.grid(x, nrow=4, ax=ax, title=f"{title}: {name}" if title else name)
    return axes
