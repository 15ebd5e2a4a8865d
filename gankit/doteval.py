r"""DOT evaluated (notebook 06): what its updates do to a generator's samples, measured and drawn.

``measure`` follows one DOT run update by update (``dot.latent`` or ``dot.target`` with ``keep=``): MNIST-FID,
precision, recall, the share of samples whose digit (the kit's classifier) changed since update 0, the
mark of samples that moved to another digit rather than sharpened, and how far the images moved. The figures
draw it, and the 2D picture of target-space DOT (arrows y -> T(y) over the critic); ``toy_repeats`` sets DOT
beside the same ascent without the transport cost over draws of the samples. The methods compared over
seeds: ``gankit.results``; ``verdict_table`` prints notebook 07's stored DOT points against each plain generator.

Notebook 06's sweep of updates is a kit command whose results ship beside the checkpoints:

    python -m gankit.doteval   # RUNS measured at KEEP (1 to 6 min on 2 cores) -> checkpoints/dot_paths.json

On ``MODEL`` (the GAN (R1)), from N = 500 latent codes z = G.noise(500, seed=11), with K_eff one
draw of 100 pairs (seed 1, ``dot.K_eff``) in each space: latent DOT (SGD lr 0.01, 100 updates; SGD
lr 0.1, 30 updates; the Gaussian prior kept) and target DOT (SGD lr 0.01, 100 updates, pixels in
[-1, 1]), measured after the updates of ``KEEP`` against the classifier's features of the first
8,000 MNIST test digits (``drs_mnist.split_test``):

    MNIST-FID = ||m_x - m_r||^2 + Tr(S_x + S_r - 2 (S_x S_r)^{1/2})   (features' means, covariances)
    precision = share of samples in the k-NN ball (k = 3) of some real digit; recall the converse
    changed   = share of samples whose digit differs from update 0's; top = the top digit's share
    moved     = mean over the samples of ||x_k - x_0||_2, the image (784 pixels in [-1, 1]) after k updates
                against the image at update 0

Stored: those numbers per run and update, K_eff, the settings and seeds, the checkpoint's
fingerprint, the command, kit version, machine and seconds (``stored`` reads them back). No images:
``with_images`` reruns the first 16 codes for the grids (a sample's updates depend on it alone).
"""
import argparse
import math
import sys
import time

import matplotlib.pyplot as plt
import torch

from . import __version__, checkpoints, data, dot, drs_mnist, metrics, plots, results, tables, toys, tradeoff
from .budget import machine
from .mode import threads
from .nets import batched
from .semidiscrete import exact_ot
from .spread import Spread, compare, threshold

MODEL, N, Z_SEED, K_SEED = "dcgan_adam", 500, 11, 1   # generator, latent codes, their seed, K_eff's
KEEP = (0, 1, 3, 10, 30, 100)                         # the updates measured (to each run's steps)
RUNS = {"latent, lr 0.01": dict(space="latent", steps=100, lr=0.01, optimizer="sgd",
                                prior="gaussian"),
        "latent, lr 0.1": dict(space="latent", steps=30, lr=0.1, optimizer="sgd", prior="gaussian"),
        "target, lr 0.01": dict(space="target", steps=100, lr=0.01, optimizer="sgd", box=(-1, 1))}
DOT_PATHS = checkpoints.FOLDER / "dot_paths.json"
COMMAND = "python -m gankit.doteval"


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


def toy_repeats(G, D, K, seeds=range(5), n=1000, steps=100, lr=0.01, betas=(0.0, 0.9)):
    r"""Target DOT against the author's control on the 25 gaussians, over draws: for each seed s, n samples
    y = G.sample(n, seed=s), their DOT T(y) (``dot.target``, Adam(lr, betas), ``steps`` updates, one K) and the
    same ascent without the transport cost (``transport=False``), measured (``toy_measures``) against n data points
    (``data.toy``, seed 100 + s), beside another draw of the data (seed 200 + s). Returns a ``tables.Report``:

    - ``rows`` {set: {"high_quality" (in %), "modes", "spread", "w1", "moved": Spread over the seeds}}, "spread"
      the high-quality samples' mean distance to their centre over the data's (``toys.mode_coverage``: about 1
      for samples of the mixture, 0 when each mode collapses to its centre), "moved"
      the mean ||x - y|| of a set moved from y (None for the data and for y), "to_ot" the mean distance from each
      point to the data point the exact optimal plan sends its y to (POT; n points to n, a permutation; for y
      itself that is W_1; None for the data): how far a moved set is from one optimal plan's image;
    - ``changes`` {(b, a): {"high_quality", "spread", "w1", "moved", "to_ot": Verdict}}, b against a on paired draws
      (``spread.compare``): DOT T(y) against y ("moved" None), the ascent against DOT T(y);
    - ``stopped``: over all draws, the T(y) not of high quality (farther than 4 stds from every centre, as
      ``toys.mode_coverage``): ``slope`` the quartiles of ||grad D|| / K there (``dot.slope``), ``below_one`` the
      share below 1, ``slope_y`` the median at all y, ``last_moves`` the median distance their last
      min(10, steps) updates moved them (a descent that stopped moves about lr per coordinate or less), ``from_y``
      the median distance ||T(y) - y|| from their start (about lr sqrt(2) for a sample that rests at y - delta).

    Its text: the table of means ± stds, the changes d ± SE ("(noise)" when within ``spread.compare``'s t-test at
    5%), the slopes."""
    seeds, C, std = list(seeds), data.TWENTYFIVE_CENTRES, data.TWENTYFIVE_STD
    names = ("data, another draw", "generator y", "DOT T(y)", "ascent on D alone")
    per = {name: {k: [] for k in ("high_quality", "modes", "spread", "w1", "moved", "to_ot")} for name in names}
    slopes, slopes_y, last, from_y = [], [], [], []
    back = min(10, steps)
    for s in seeds:
        y = G.sample(n, seed=s)
        with threads(1):    # 2D networks: about ten times faster on one thread than on two
            path = dot.target(D, y, K, steps=steps, lr=lr, betas=betas, keep=[steps - back], progress=False)
            naive = dot.target(D, y, K, steps=steps, lr=lr, betas=betas, progress=False, transport=False)
        Ty, ref = path[steps], data.toy("25gaussians", n, seed=100 + s)
        sets = dict(zip(names, (data.toy("25gaussians", n, seed=200 + s), y, Ty, naive)))
        plan = torch.as_tensor(exact_ot(y, ref, cost="euclidean", plan=True)[2])
        ot_image = ref[plan.argmax(dim=1)]      # n points to n: the optimal plan is a permutation
        for name, m in toy_measures(sets, ref).items():
            for k in ("high_quality", "modes", "spread", "w1"):
                per[name][k].append(100 * m[k] if k == "high_quality" else m[k])
            per[name]["moved"].append(float((sets[name] - y).norm(dim=1).mean()))
            per[name]["to_ot"].append(float((sets[name] - ot_image).norm(dim=1).mean()))
        out = torch.cdist(Ty, C).min(dim=1).values > 4.0 * std
        slopes.append(dot.slope(D, Ty[out]) / K)
        slopes_y.append(dot.slope(D, y) / K)
        last.append((Ty - path[steps - back])[out].norm(dim=1))
        from_y.append((Ty - y)[out].norm(dim=1))
    rows = {name: {k: None if (k == "moved" and name in names[:2]) or (k == "to_ot" and name == names[0])
                   else Spread.of(v, n=n, seeds=seeds) for k, v in per[name].items()} for name in names}
    pairs = (("DOT T(y)", "generator y"), ("ascent on D alone", "DOT T(y)"))
    changes = {(b, a): {k: None if rows[a][k] is None else compare(rows[a][k], rows[b][k], a, b,
                                                                   lower_is_better=k != "high_quality")
                        for k in ("high_quality", "spread", "w1", "moved", "to_ot")} for b, a in pairs}
    slope, slope_y, last, from_y = torch.cat(slopes), torch.cat(slopes_y), torch.cat(last), torch.cat(from_y)
    some = len(slope) > 0
    quart = [float(q) for q in torch.quantile(slope, torch.tensor([0.25, 0.5, 0.75]))] if some else [math.nan] * 3
    stopped = dict(slope=quart, below_one=float((slope < 1).float().mean()) if some else math.nan,
                   slope_y=float(slope_y.median()), last_moves=float(last.median()) if some else math.nan,
                   from_y=float(from_y.median()) if some else math.nan,
                   count=len(slope))
    table = tables.table(["samples", "high quality", "modes", "spread", "W1 to the data", "moved ||x - y||",
                          "to the OT image"],
                         [[name, *(r[k] and r[k].pm("%" if k == "high_quality" else "") for k in r)]
                          for name, r in rows.items()])
    d_se = lambda v: None if v is None else v.pm() + ("" if v.beyond else " (noise)")
    verdicts = tables.table(["change, d ± SE", "high quality (points)", "spread", "W1 to the data", "moved",
                             "to the OT image"],
                            [[f"{b} against {a}", *map(d_se, c.values())] for (b, a), c in changes.items()])
    text = (f"{len(seeds)} draws s = {seeds[0]} to {seeds[-1]}: {n:,} samples y = G.sample({n}, seed=s), W1 to {n:,} "
            f"data points drawn with seed 100 + s;\none critic, one K_eff; Adam({lr:g}, betas ({betas[0]:g}, "
            f"{betas[1]:g})), {steps} updates. Mean ± std over the draws:\n{table}\n"
            f"Changes over the paired draws, \"(noise)\" when |d| <= {threshold(len(seeds) - 1):.2f} SE "
            f"(t-test at 5%):\n{verdicts}\n"
            f"At the {stopped['count']:,} DOT T(y) outside the modes (all draws), ||grad D|| / K_eff: median "
            f"{quart[1]:.2f} (quartiles {quart[0]:.2f} to {quart[2]:.2f}),\nbelow 1 at {stopped['below_one']:.0%} of "
            f"them (at the generator's y: median {stopped['slope_y']:.2f}); their last {back} updates moved them by "
            f"{stopped['last_moves']:.3f} (median), and all {steps} from their y by {stopped['from_y']:.3f} (median)")
    return tables.Report(text, rows=rows, changes=changes, stopped=stopped)


def arrows(D, y, Ty, reference, box=((-2.1, 2.1), (-2.1, 2.1)), n=400):
    """Two panels, on the same axes (the plane's two coordinates): the critic D as a heat map with the mode centres,
    n samples y and their arrows y -> T(y); then every T(y) over the data."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 5.2))
    plots.toy_scene(y[:n], D, data.TWENTYFIVE_CENTRES, n=n, link=None, arrows=False, box=box, ax=axes[0],
                    colorbar=True, title=f"critic D (heat map), mode centres (dark), {n} samples y and arrows y -> T(y)")
    d = (Ty - y)[:n]
    axes[0].quiver(y[:n, 0], y[:n, 1], d[:, 0], d[:, 1], angles="xy", scale_units="xy", scale=1, width=0.003,
                   color="k", zorder=6)
    plots.toy_scene(Ty, None, reference, n=len(Ty), box=box, ax=axes[1],
                    title=f"all {len(Ty)} T(y) (light blue) over the data (dark)")
    for ax in axes:
        ax.set(xticks=range(-2, 3), yticks=range(-2, 3), xlabel="first coordinate", ylabel="second coordinate")
    fig.tight_layout()
    return axes


# ----------------------------------------------------------------------------- MNIST: one run, update by update

def _digits(x):
    """The kit's classifier's digit for each image."""
    C = metrics.classifier()
    return batched(lambda v: C(v).argmax(1), x, device=next(C.parameters()).device)


def measure(path, real_features, G=None):
    """A DOT run {update: samples} (``keep=``; latent codes when ``G`` is given, turned into images G(z)) measured
    at each kept update against ``real_features``: {update: dict(fid, precision, recall, changed, top, moved, x)},
    ``changed`` the share of samples whose digit differs from the one at the first kept update, ``top`` the share
    of the most frequent digit (``metrics.report``'s max_class_share; 10% for a uniform mix), ``moved`` the mean
    over the samples of ||x - x_first||_2 (``distance``), ``x`` the images."""
    out, first = {}, None
    for step, v in sorted(path.items()):
        x = batched(G, v) if G is not None else v
        r = metrics.report(x, real_features=real_features)
        digits = _digits(x)
        first = (digits, x) if first is None else first
        out[step] = dict(fid=r["fid"], precision=r["precision"], recall=r["recall"],
                         changed=float((digits != first[0]).float().mean()), top=r["max_class_share"],
                         moved=distance(x, first[1]), x=x)
    return out


def distance(x, y):
    """The mean over the samples of ||x_i - y_i||_2, each image flattened (MNIST: 784 pixels in [-1, 1]).

    >>> distance(torch.zeros(2, 1, 2, 2), torch.tensor([[[[3.0, 4.0], [0.0, 0.0]]], [[[0.0, 0.0], [0.0, 1.0]]]]))
    3.0
    """
    return float((x - y).flatten(1).norm(dim=1).mean())


def curve_table(curves):
    """One row per run and kept update: MNIST-FID, precision, recall, digits changed, top digit's share, and
    "moved": the mean ||x_k - x_0||_2 of the images (784 pixels in [-1, 1])."""
    keys = {"MNIST-FID": ("fid", ".1f"), "precision": ("precision", ".3f"), "recall": ("recall", ".3f"),
            "digit changed": ("changed", ".0%"), "top digit": ("top", ".1%"), "moved": ("moved", ".2f")}
    rows = [[name, s] + [c[s][k] for k, _ in keys.values()] for name, c in curves.items() for s in c]
    return tables.table(["run", "updates", *keys], rows, formats={h: f for h, (_, f) in keys.items()})


def curves_figure(curves, title=""):
    """MNIST-FID, precision and recall against the number of updates (log axis, update 0 drawn at 0.5), one line
    per run."""
    keys = {"fid": "MNIST-FID (lower is better)", "precision": "precision (feature-space quality)", "recall": "recall (feature-space diversity)"}
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
            plots.grid(c[s]["x"][:n], nrow=4, ax=ax, title=f"{name}, {s} updates: MNIST-FID {c[s]['fid']:.1f}")
    fig.tight_layout()
    return axes


def grids(images, title=""):
    """Image sets side by side (name -> images (N, 1, 28, 28)), one grid each; prints how far each set after the
    first lies from the first, image by image: the mean ||x_i - y_i||_2 (``distance``)."""
    (first, y), *others = images.items()
    print(f"mean ||x - y||_2 over the {len(y)} images (784 pixels in [-1, 1]), y in the first set ({first}), x in "
          + ";  ".join(f"{name}: {distance(x, y):.2f}" for name, x in others))
    fig, axes = plt.subplots(1, len(images), figsize=(4 * len(images), 3.6), squeeze=False)
    for ax, (name, x) in zip(axes[0], images.items()):
        plots.grid(x, nrow=4, ax=ax, title=f"{title}: {name}" if title else name)
    return axes


# ----------------------------------------------------------------------------- notebook 07's stored DOT points

def verdict_table(S, methods=("DOT target", "DOT latent")):
    """Notebook 07's stored DOT points (``tradeoff.stored()``, each k of ``tradeoff.CURVES``) against each plain
    generator, as one table under two lines saying what was measured: the plain generator's MNIST-FID, MNIST-KID,
    precision and recall (mean ± std over the seeds), then each point's change d from it ± its standard error SE,
    paired seeds (``spread.compare``), marked "(noise)" when within its t-test at 5%."""
    rows = []
    for label, by in S["scores"].items():
        base = by["baseline"]
        rows.append([label, "plain generator", *(base[k].pm() for k in results.METRICS)])
        for p in (p for m in methods for p in tradeoff.CURVES[m]):
            v = [compare(base[k], by[p][k], lower_is_better=k in ("fid", "kid")) for k in results.METRICS]
            rows.append([label, p, *(x.pm() + ("" if x.beyond else " (noise)") for x in v)])
    head = (f"notebook 07's stored sweep: {S['n']:,} samples per seed, {len(S['seeds'])} seeds (the same latent codes "
            f"for every method; K_eff drawn afresh for each seed), against {S['reference']}; "
            f"DOT with SGD lr {S['settings']['dot_target']['lr']:g}.\nPlain generator: mean ± std over the seeds; "
            f"DOT rows: the change d from it ± its standard error SE (paired seeds), \"(noise)\" when "
            f"|d| <= {threshold(len(S['seeds']) - 1):.2f} SE (t-test at 5%)")
    return head + "\n" + tables.table(["generator", "point", *results.METRICS.values()], rows)


# ----------------------------------------------------------------------------- the stored sweep

def run_path(run, G, D, K, z, keep=KEEP):
    """One DOT run (``run``: a value of ``RUNS``) from the latent codes z, with K = {"target":
    K_eff, "latent": K_eff}: {update: images} at the updates of ``keep`` up to the run's steps (it
    stops at the last of them)."""
    keep = [s for s in keep if s <= run["steps"]]
    kw = {k: v for k, v in run.items() if k not in ("space", "steps")}
    if run["space"] == "latent":
        p = dot.latent(G, D, z, K["latent"], steps=max(keep), keep=keep, progress=False, **kw)
        return {s: batched(G, v) for s, v in p.items()}
    x = batched(G, z)
    return dot.target(D, x, K["target"], steps=max(keep), keep=keep, progress=False, **kw)


def compute(runs=tuple(RUNS), keep=KEEP, n=N, progress=True):
    """The sweep as ``python -m gankit.doteval`` stores it (the runs named in ``runs``, measured at
    ``keep``): {"command", ..., "K_eff", "runs", "curves": {run: {update: dict(fid, precision,
    recall, changed, top)}}}."""
    t0, ck = time.perf_counter(), checkpoints.load(MODEL)
    f_ref = metrics.features(drs_mnist.split_test()[1])
    K = {space: dot.K_eff(ck.G, ck.D, space, seed=K_SEED) for space in ("target", "latent")}
    z, curves = ck.G.noise(n, seed=Z_SEED), {}
    for name in runs:
        c = measure(run_path(RUNS[name], ck.G, ck.D, K, z, keep), f_ref)
        curves[name] = {str(s): {k: v for k, v in r.items() if k != "x"} for s, r in c.items()}
        if progress:
            print(f"{name}: measured up to {max(c)} updates ({time.perf_counter() - t0:.0f} s)")
    return {"command": COMMAND, "kit_version": __version__, "model": MODEL,
            "checkpoint_sha256": checkpoints.fingerprint(MODEL), "n": n, "z_seed": Z_SEED,
            "k_seed": K_SEED, "K_eff": K, "keep": list(keep), "runs": {r: RUNS[r] for r in runs},
            "reference": "the first 8,000 MNIST test digits", "machine": machine(),
            "threads": torch.get_num_threads(), "seconds": round(time.perf_counter() - t0),
            "curves": curves}


def stored(path=DOT_PATHS, blob=None):
    """The stored sweep (or ``blob``, what ``compute`` returns): the file's fields, with "curves" as
    {run: {update: dict(fid, precision, recall, changed, top)}}, what ``curve_table`` and
    ``curves_figure`` read."""
    blob = checkpoints.read_stored(path, "DOT sweep", COMMAND, blob)
    curves = {name: {int(s): r for s, r in c.items()} for name, c in blob["curves"].items()}
    return {**blob, "curves": curves}


def with_images(S, G, D, n=16, picks=(0, 10, None)):
    """The curves of the stored sweep ``S`` with the images "x" of its first n latent codes at the
    updates ``picks`` (None: a run's last), rerun here with the stored K_eff: ``path_grids``' input.
    A sample's updates depend on it alone: these are the stored runs' first n samples (to float
    rounding)."""
    z, out = G.noise(S["n"], seed=S["z_seed"])[:n], {}
    for name, c in S["curves"].items():
        at = sorted({max(c) if p is None else min(p, max(c)) for p in picks})
        x = run_path(S["runs"][name], G, D, S["K_eff"], z, keep=at)
        out[name] = {s: {**r, "x": x[s]} if s in x else r for s, r in c.items()}
    return out


def main(argv=None):
    p = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0])
    p.parse_args(argv)
    blob = compute()
    print(checkpoints.write_stored(DOT_PATHS, blob) + "\n")
    print(curve_table(stored()["curves"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
