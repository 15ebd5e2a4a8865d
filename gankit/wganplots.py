"""Figures of notebook 03's experiments: critics against a fixed generator, the fifteen toy runs, and the MNIST runs.

Each function draws one recurring figure of the lecture and returns its Axes (the notebook ends the cell with
``plt.show()``): the clipping sweep (``clip_sweep``), a clipped critic beside the penalised one (``critic_pair``),
the samples of the architecture experiment (``stability_grid``), sample grids over training (``epoch_grids``), the
critic's loss against the MNIST-FID (``loss_and_quality``) and the MNIST-FID curves against two budgets
(``budget_curves``). Toy scenes are ``scene``: ``plots.toy_scene`` (data dark blue, samples light blue, the critic's
raw values as a heat map with its colour bar, arrows of the generator's push) over the box ``BOX``, with ticks.
"""
import math

import matplotlib.pyplot as plt
import numpy as np

from . import curves, losses, plots, toys, wganruns
from .data import EIGHT_CENTRES
from .semidiscrete import exact_ot
from .tables import Report

RING = float(EIGHT_CENTRES[0].norm())   # the radius of the circle through the 8 modes
SCENE = dict(link=None, g_loss=losses.wgan_g_loss, colorbar=True)   # toy_scene for a critic: raw values, grad_x D
BOX = ((-2.2, 2.2), (-2.2, 2.2))                                      # the toy scenes' square


def scene(G, D, y, ax=None, title=None, legend=False, box=BOX, **kw):
    """A critic's toy scene: ``plots.toy_scene`` with ``SCENE`` (the critic's raw values as a heat map with its colour
    bar, the arrows -grad_x of the WGAN generator loss, the largest norm in the corner) over ``box``, with ticks at
    -2, 0, 2 and, with ``legend``, a legend of the data and the samples. G: a generator or its samples; ``kw`` go to
    ``toy_scene`` (e.g. n). Returns the Axes."""
    ax = plots.toy_scene(G, D, y, ax=ax, title=title, box=box, **SCENE, **kw)
    ax.set(xticks=[-2, 0, 2], yticks=[-2, 0, 2])
    ax.tick_params(labelsize=6)
    if legend:
        ax.legend(fontsize=7, loc="upper left", framealpha=0.8)
    return ax


def clip_sweep(c_values, clip, gp, w1, exact_grad=None):
    """Three log-log panels against the clipping value c: the critic's W_1 estimate (exact ``w1`` as a line), its
    ``lipconstant`` (the slope c^4 dotted through c = 0.01) and the gradient it sends to the generator (an exact
    critic's, ``exact_grad``, as a line); the penalised critic ``gp`` dashed. ``clip``: {c: ``wgan.fit_critic``
    result}."""
    fig, axes = plt.subplots(1, 3, figsize=(14, 3.8))
    panels = [("W1 estimate  E[D(Y)] - E[D(g(Z))]", "w1", w1, "exact W1", "W1 estimate"),
              ("lipconstant (mean ||grad D|| on segments)", "lip", 1.0, "1-Lipschitz", "lipconstant"),
              ("generator's gradient norm", "grad_G", exact_grad, "exact critic", "||grad_theta E[-D(g_theta(Z))]||")]
    for ax, (title, key, ref, ref_label, ylabel) in zip(axes, panels):
        ax.loglog(c_values, [getattr(clip[c], key) for c in c_values], "o-", label="weight clipping")
        ax.axhline(getattr(gp, key), color="C2", ls="--", label="gradient penalty")
        if ref is not None:
            ax.axhline(ref, color="k", lw=0.8, label=ref_label)
        ax.set(xlabel="clipping value c", ylabel=ylabel)
        ax.set_title(title, fontsize=10)
    if 0.01 in clip:
        c_ref = np.array([0.003, 0.03])
        axes[1].loglog(c_ref, clip[0.01].lip * (c_ref / 0.01) ** 4, ":", color="gray", label="slope c^4")
    for ax in axes:
        ax.legend(fontsize=8)
    fig.tight_layout()
    return axes


def critic_pair(gp, clipped, c, x, y, w1, box=BOX):
    """The penalised critic and the one clipped at c as heat maps (``scene``, the first with a legend) over ``box``,
    with 100 generator samples x and 400 data points y, and both estimates of W_1 along the critic's training (log
    scale, exact ``w1`` dashed; an estimate at or below 1e-9, which a log scale cannot show, is drawn at 1e-9 and
    marked x)."""
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.3))
    pair = ((gp, "gradient penalty"), (clipped, f"clipping, c = {c:g}"))
    for ax, (r, name) in zip(axes, pair):
        scene(x[:100], r.D, y[:400], ax=ax, title=f"{name}: estimate {r.w1:.3g} (exact {w1:.3f})", box=box,
              legend=ax is axes[0])
        line, = axes[2].plot(r.steps, np.maximum(r.gaps, 1e-9), label=name)
        low = np.asarray(r.gaps) <= 1e-9
        if low.any():
            axes[2].plot(np.asarray(r.steps)[low], np.full(low.sum(), 1e-9), "x", color=line.get_color(),
                         label=f"{name}: estimate <= 1e-9, drawn at 1e-9")
    axes[2].axhline(w1, color="k", ls="--", lw=0.8, label="exact W1")
    axes[2].set(yscale="log", xlabel="critic step", ylabel="W1 estimate")
    axes[2].set_title("W1 estimate during the critic's training", fontsize=10)
    axes[2].legend(fontsize=8)
    fig.tight_layout()
    return axes


def stability_grid(runs, y, box=((-2.2, 2.2), (-2.2, 2.2))):
    """The samples of ``wgan.stability``'s runs (orange) over the data y (black) and the circle through the 8 modes
    (dotted), one row per architecture and one column per objective, each titled with its exact W_1 and the modes
    it covers."""
    archs = list(dict.fromkeys(a for a, _ in runs))
    names = list(dict.fromkeys(o for _, o in runs))
    fig, axes = plt.subplots(len(archs), len(names), figsize=(3 * len(names), 3 * len(archs)), squeeze=False)
    for (arch, name), r in runs.items():
        ax = axes[archs.index(arch), names.index(name)]
        ax.scatter(*np.asarray(y).T, s=3, c="k", alpha=0.3)
        ax.scatter(*np.asarray(r.x).T, s=3, c="C1")
        ax.add_patch(plt.Circle((0, 0), RING, fill=False, ls=":", color="0.4", lw=0.8))
        ax.set_title(f"{arch}, {name}\nW1 {r.w1:.2f}, {r.modes} of 8 modes", fontsize=9)
        ax.set(xlim=box[0], ylim=box[1], xticks=[], yticks=[], aspect="equal")
    fig.suptitle("orange: the generator's samples; black: the data points; dotted: the circle through the 8 modes",
                 fontsize=9)
    fig.tight_layout()
    return axes


def epoch_grids(checkpoints, epochs=(1, 2, 5, None), n=16):
    """The first n images of the sample grid each run stored after the given ``epochs`` (None: its last), one row
    per run, titled with the epoch, the generator steps k it took and, for a run that ships a weight average of rate
    r ("ema"), the share r^k of its random start the average still holds: ``checkpoints`` is {label: loaded
    checkpoint}, whose ``meta["grids"]`` holds one grid per epoch."""
    fig, axes = plt.subplots(len(checkpoints), len(epochs), figsize=(2 * len(epochs), 2.2 * len(checkpoints)),
                             squeeze=False)
    for row, (label, c) in zip(axes, checkpoints.items()):
        grids = c.meta["grids"]
        for ax, e in zip(row, epochs):
            e = len(grids) if e is None else min(e, len(grids))
            k, rate = e * c.meta.get("steps_per_epoch", 0), c.meta["recipe"].get("ema")
            steps = f"\n{k:,} G steps, {rate}^k = {rate ** k:.2f}" if k and rate else ""
            plots.grid(grids[e - 1][:n], nrow=int(np.sqrt(n)), ax=ax,
                       title=f"{label}, epoch {e} of {len(grids)}{steps}")
            ax.title.set_fontsize(8)
    fig.tight_layout()
    return axes


def epoch_row(checkpoints, epoch):
    """The whole sample grid each run stored after ``epoch`` (its last epoch for a shorter run), side by side."""
    fig, axes = plt.subplots(1, len(checkpoints), figsize=(4.2 * len(checkpoints), 4.4), squeeze=False)
    for ax, (label, c) in zip(axes[0], checkpoints.items()):
        grids = c.meta["grids"]
        e = min(epoch, len(grids))
        plots.grid(grids[e - 1], ax=ax, title=f"{label}, epoch {e} of {len(grids)}")
    return axes[0]


def loss_and_quality(tracks):
    """One panel per run (``tracks``: {label: ``wgan.loss_tracks_quality`` result}): the critic's W_1 estimate (or
    the discriminator's loss) per epoch, left axis, and the trained generator's MNIST-FID, right axis, on log scales
    (a slow late fall stays visible); a GAN's discriminator loss on a linear scale, with log 4 dotted (its value at
    D = 1/2 everywhere); the second half of the run, which the late correlation reads, shaded."""
    fig, axes = plt.subplots(1, len(tracks), figsize=(4.8 * len(tracks), 3.6), squeeze=False)
    for ax, (label, t) in zip(axes[0], tracks.items()):
        epochs = np.arange(1, len(t.loss) + 1)
        ax.axvspan(t.late.start - 0.5, len(t.loss) + 0.5, color="0.92")
        ax.plot(epochs, t.loss, "o-", ms=3, color="C0")
        if t.key == "critic_gap":
            ax.set_yscale("log")
        else:
            ax.axhline(math.log(4), color="C0", ls=":", lw=1, label="log 4")
            ax.legend(fontsize=8, loc="lower right")
        what = "critic's estimate E[D(y)] - E[D(G(z))]" if t.key == "critic_gap" else "discriminator loss"
        ax.set(xlabel="epoch (second half shaded)", ylabel=what)
        ax.yaxis.label.set_color("C0")
        ax2 = ax.twinx()
        ax2.semilogy(epochs, t.fid, "s--", ms=3, color="C3")
        ax2.set_ylabel("MNIST-FID (trained generator)", color="C3")
        ax.set_title(f"{label}: rho {t.rho:+.2f}, second half {t.late.rho:+.2f}", fontsize=10)
    fig.tight_layout()
    return axes[0]


def budget_curves(checkpoints, budgets):
    """Each run's stored MNIST-FID curve (one draw of ``fid_samples`` samples of the shipped generator, the weight
    average, after each epoch) against generator steps (left) and against minutes alone on the kit's machine (right;
    runs whose epoch was not timed are left out). ``budgets``: {label: ``budget.spent`` result}."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.6))
    for label, c in checkpoints.items():
        fid, b = c.meta["fid_per_epoch"], budgets[label]
        epochs = np.arange(1, len(fid) + 1)
        n = curves.samples(c.meta)
        plots.curve(fid, ax=axes[0], x=epochs * c.meta["steps_per_epoch"], label=f"{label} ({n:,} samples)",
                    logy=True, xlabel="generator steps", ylabel="MNIST-FID (shipped average)")
        if b.minutes is not None:
            plots.curve(fid, ax=axes[1], x=epochs * b.epoch_seconds / 60, label=label, logy=True,
                        xlabel="minutes alone (epoch time x epochs)", ylabel="MNIST-FID (shipped average)")
    fig.tight_layout()
    return axes


def w1_along(runs, y_eval):
    """The exact W1 (POT) between each run's snapshot samples and the data ``y_eval`` along training, one curve per
    run (``runs``: name -> dict with the critic "D" and the History "h"), and for each run a ``tables.Report``: W1 at
    the first snapshot, its lowest and at the end (placed against ``wganruns.w1_references``, the W1 of a second
    data sample and of points on the ring through the modes, at n = 500: the figure's dotted lines), then at the last
    samples the critic's estimate E[D(y)] - E[D(x)] against that W1, its ``lipconstant`` and the largest |grad_x D|
    at those samples. Returns {name: Report} (``w1``: the W1 at each snapshot, ``w1_end``, ``estimate``)."""
    _, ax = plt.subplots(figsize=(6, 3.5))
    refs, out = wganruns.w1_references(), {}
    for s, label, color in ((refs.data, "a second data sample", "0.2"), (refs.ring, "points on the ring", "0.6")):
        ax.axhline(s.mean, ls=":", color=color, label=f"{label} (mean of {s.k} draws)")
    for name, run in runs.items():
        D, h = run["D"], run["h"]
        steps, w1s = zip(*[(s, exact_ot(xs, y_eval, cost="euclidean")[0]) for s, xs in h.snapshots])
        ax.plot(steps, w1s, "o-", label=name)
        x = h.snapshots[-1][1]
        est, lip = losses.critic_gap(D, y_eval, x), losses.lipconstant(D, x[:64], y_eval[:64])
        push = toys.generator_field(D, x, losses.wgan_g_loss).norm(dim=1).max()
        low, ratio = int(np.argmin(w1s)), est / w1s[-1]
        ratio = f"{ratio:.2f}" if abs(ratio) >= 0.01 else f"{ratio:.1e}"
        out[name] = Report(f"{name}: exact W1 {w1s[0]:.3f} at step {steps[0]}, lowest {w1s[low]:.3f} at step "
                           f"{steps[low]}, {w1s[-1]:.3f} at the end, {refs.level(w1s[-1])}; critic's estimate "
                           f"{est:.3g} ({ratio} x W1), lipconstant {lip:.3g}, largest |grad_x D| at those {len(x)} "
                           f"samples {push:.1e}", w1=list(w1s), w1_end=w1s[-1], estimate=est)
    ax.set(xlabel="generator step", ylabel="exact W1(samples, data)")
    ax.legend(fontsize=8)
    return out

