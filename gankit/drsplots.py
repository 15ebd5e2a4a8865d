"""Figures of notebook 05 (Discriminator Rejection Sampling): the acceptance probability, and the trade-off that the
percentile q sets, on the 25 gaussians and on MNIST.

Each function draws one recurring figure and returns its Axes; notebooks end each plotting cell with ``plt.show()``.
"""
import matplotlib.pyplot as plt
import numpy as np
import torch

from . import data, drs, plots


def acceptance(gammas=(0.0, -2.0, -5.0), ax=None):
    """DRS's acceptance probability sigmoid(F) (``drs.acceptance``) against D~(x) - D~_M in [-8, 0], for each gamma,
    beside exp(D~ - D~_M), exact rejection sampling."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    a = torch.linspace(-8, 0, 400)                       # D~(x) - D~_M <= 0
    ax.plot(a, torch.exp(a), "k", lw=3, alpha=0.3, label="exp(D~ - D~_M) (exact rejection sampling)")
    for gamma in gammas:
        ax.plot(a, drs.acceptance(a, 0.0, gamma), label=f"sigmoid(F), gamma = {gamma:g}")
    ax.set(xlabel="D~(x) - D~_M", ylabel="acceptance probability")
    ax.legend(fontsize=8)
    return ax


def tradeoff(points, n, ax=None):
    """The toy trade-off: for each percentile q (``points``: q -> (acceptance rate, ``toys.mode_coverage`` of the
    accepted samples)), the share of high-quality samples, the acceptance rate and the modes covered / 25, at ``n``
    accepted samples each."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    qs = list(points)
    at = range(len(qs))
    ax.plot(at, [points[q][1].high_quality for q in qs], "o-", label="high-quality share")
    ax.plot(at, [points[q][0] for q in qs], "s-", label="acceptance rate")
    ax.plot(at, [points[q][1].modes / 25 for q in qs], "^-", label="modes covered / 25")
    ax.set_xticks(list(at), [f"{q:g}" for q in qs])
    ax.set(xlabel=f"percentile q that sets gamma ({n:,} accepted samples each)", ylabel="share (0 to 1)")
    ax.legend(fontsize=8)
    return ax


def toy_panel(out, quality, q, box):
    """DRS's accepted samples at percentile q on the 25 gaussians (``out``: what ``drs.sample`` returned; ``quality``:
    ``toys.mode_coverage`` of them): the samples over the centres, and the share of high-quality samples per mode."""
    counts = quality.counts.float()
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.4))
    plots.toy_scene(out.x, None, data.TWENTYFIVE_CENTRES, n=1500, box=box, ax=axes[0],
                    title=f"q = {q:g}, gamma = {np.mean(out.gammas):.2f}: accepted {out.acceptance_rate:.1%}, "
                          f"high quality {quality.high_quality:.1%}, modes {quality.modes}")
    axes[1].bar(range(len(counts)), counts / counts.sum().clamp(min=1))
    axes[1].axhline(1 / len(counts), color="k", ls="--", lw=0.8, label=f"uniform (1/{len(counts)})")
    axes[1].set(xlabel="mode", ylabel="share of the high-quality samples")
    axes[1].set_title("high-quality samples per mode", fontsize=9)
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    return axes


def sweep(S, name, axes, title=""):
    """Two panels for generator ``name`` of the stored DRS scores ``S`` (``drs_mnist.stored``): precision against
    recall, and MNIST-FID against the percentile q, of DRS with each discriminator (mean ± std over the seeds, as
    error bars) and of the plain generator (star, dashed line)."""
    plain = S.rows[name]["plain"]
    for variant, marker in zip(S.variants, "os"):
        rows = [S.rows[name][f"{variant}, q={q:g}"] for q in S.q]
        axes[0].errorbar([r["recall"].mean for r in rows], [r["precision"].mean for r in rows], marker=marker,
                         xerr=[r["recall"].std for r in rows], yerr=[r["precision"].std for r in rows],
                         label=f"D {variant}")
        for q, r in zip(S.q, rows):
            axes[0].annotate(f"q={q:g}", (r["recall"].mean, r["precision"].mean), fontsize=7,
                             textcoords="offset points", xytext=(4, 4))
        axes[1].errorbar(S.q, [r["fid"].mean for r in rows], yerr=[r["fid"].std for r in rows], marker=marker,
                         label=f"D {variant}")
    axes[0].plot(plain["recall"].mean, plain["precision"].mean, "k*", ms=12, label="plain generator")
    axes[1].axhline(plain["fid"].mean, color="k", ls="--", lw=1, label="plain generator")
    axes[0].set(xlabel="recall (diversity)", ylabel="precision (quality)", title=title)
    axes[1].set(xlabel="percentile q that sets gamma", ylabel=f"MNIST-FID ({S.n:,} samples)", title=title)
    axes[0].margins(0.2)          # room for the q = ... labels inside the frame
    for ax in axes:
        ax.legend(fontsize=7)
    return axes


def held_out_losses(models, ax=None):
    """The logistic loss on held-out digits along each further training (``models``: label -> ``drs_mnist.load``
    result, its ``drs_meta["held_out_loss"]``), with 2 log 2, the loss of a logit that cannot tell (D~ = 0)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.2))
    for label, ck in models.items():
        ax.plot(*zip(*ck.drs_meta["held_out_loss"]), "o-", label=label)
    ax.axhline(2 * np.log(2), color="k", ls="--", lw=0.8, label="2 log 2: cannot tell")
    ax.set(xlabel="further-training step", ylabel="logistic loss, last 5,000 training digits")
    ax.legend(fontsize=8)
    return ax
