"""Figures of notebook 05 (Discriminator Rejection Sampling): the acceptance probability, an exact case on the line,
and the trade-off that the percentile q sets, on the 25 gaussians and on MNIST.

Each function draws one recurring figure and returns its Axes; notebooks end each plotting cell with ``plt.show()``.
"""
import matplotlib.pyplot as plt
import numpy as np
import torch

from . import data, drs, plots, tables


def acceptance(gammas=(0.0, -2.0, -5.0), ax=None):
    """DRS's acceptance probability sigmoid(F) (``drs.acceptance``) against D~(x) - D~_M in [-8, 0], for each gamma,
    beside exp(D~ - D~_M), exact rejection sampling."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    a = torch.linspace(-8, 0, 400)                       # D~(x) - D~_M <= 0
    ax.plot(a, torch.exp(a), "k", lw=3, alpha=0.3, label=r"$e^{\tilde D - \tilde D_M}$ (exact rejection sampling)")
    for gamma in gammas:
        ax.plot(a, drs.acceptance(a, 0.0, gamma), label=rf"$\sigma(F)$, $\gamma$ = {gamma:g}")
    ax.set(xlabel=r"$\tilde D(x) - \tilde D_M$", ylabel="acceptance probability")
    ax.legend(fontsize=8)
    return ax


def on_the_line(mean=1.0, std=0.5, n=10_000, percentile=95, seed=0, ax=None):
    """DRS where exact rejection sampling holds: proposals p_g = N(0, 1) (``drs.LineGenerator``), p_data =
    N(mean, std^2) with std < 1 (so M = max p_data / p_g is finite), and D~ the exact log-ratio
    (``drs.GaussianLogRatio``). ``drs.sample`` (burn-in 10,000, batches of 1,000) until n are accepted, at gamma = 0
    and with gamma at the ``percentile``-th percentile per batch. Prints for each gamma's mean over the batches, the
    acceptance rate (exact rejection sampling: 1 / M), the accepted samples' mean and standard deviation with their
    standard errors (s / sqrt(n), s / sqrt(2 (n - 1))) and whether each is within 2 SE of p_data's; draws their
    histograms over the densities of p_g and p_data. Returns the Axes."""
    G, D = drs.LineGenerator(), drs.GaussianLogRatio(mean, std)
    runs = {"gamma = 0": dict(gamma=0.0), f"q = {percentile:g}, gamma per batch": dict(percentile=percentile)}
    out = {k: drs.sample(G, D, n, burn_in=10_000, seed=seed, progress=False, **v) for k, v in runs.items()}
    rows = []
    for k, r in out.items():
        x = r.x.reshape(-1).double()
        m, s = float(x.mean()), float(x.std())
        se_m, se_s = s / np.sqrt(len(x)), s / np.sqrt(2 * (len(x) - 1))
        near = [abs(m - mean) <= 2 * se_m, abs(s - std) <= 2 * se_s]
        rows.append([k, float(np.mean(r.gammas)), r.acceptance_rate, f"{m:.3f} ± {se_m:.3f}", f"{s:.3f} ± {se_s:.3f}",
                     "both" if all(near) else "neither" if not any(near) else ("mean" if near[0] else "std")])
    print(f"p_g = N(0, 1), p_data = N({mean:g}, {std:g}^2), D~ the exact log-ratio: 1/M = {np.exp(-D.log_M):.1%}; "
          f"{n:,} accepted samples each")
    print(tables.table(["DRS", "mean gamma", "accepted", f"mean (p_data: {mean:g})", f"std (p_data: {std:g})",
                        "within 2 SE of p_data's"], rows,
                       formats={"mean gamma": "+.2f", "accepted": ".1%"}))
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.2))
    t = torch.linspace(-3.5, 3.5, 400).double()
    density = lambda m, s: torch.exp(-(t - m) ** 2 / (2 * s ** 2)) / (s * np.sqrt(2 * np.pi))
    ax.plot(t, density(0.0, 1.0), color="0.6", ls="--", label="$p_g$ = N(0, 1), the proposals")
    ax.plot(t, density(mean, std), "k", lw=2, label=f"$p_{{data}}$ = N({mean:g}, {std:g}$^2$)")
    for k, r in out.items():
        ax.hist(r.x.reshape(-1).numpy(), bins=70, range=(-3.5, 3.5), density=True, histtype="step", lw=1.5,
                label=f"DRS, {k}".replace("gamma", r"$\gamma$"))
    ax.set(xlabel="x", ylabel="density")
    ax.legend(fontsize=7)
    return ax


def tradeoff(outs, qualities, ax=None):
    """The toy trade-off along the percentile q: ``outs`` q -> what ``drs.sample`` returned, ``qualities`` q ->
    ``toys.mode_coverage`` of its accepted samples (as many for every q). Prints one row per q: the largest gamma
    over the batches, the acceptance rate, the share of high-quality samples, the modes covered (at least one
    high-quality sample), the modes holding under 1% of the high-quality samples (uniform: 1/25 = 4% each) and the
    share of the high-quality samples in the top row of modes (largest y; uniform: 20%); then draws the high-quality
    share, the acceptance rate and the modes covered / 25 against q (to scale)."""
    qs = list(outs)
    n = len(outs[qs[0]].x)
    thin = {q: int((qualities[q].counts < 0.01 * qualities[q].counts.sum()).sum()) for q in qs}
    top = {q: top_row(qualities[q]) for q in qs}
    print(tables.table(["q", "largest gamma", "accepted", "high quality", "modes covered", "modes under 1%",
                        "top row"],
                       [[q, max(outs[q].gammas), outs[q].acceptance_rate, qualities[q].high_quality,
                         qualities[q].modes, thin[q], top[q]] for q in qs],
                       formats={"largest gamma": ".2f", "accepted": ".1%", "high quality": ".1%", "top row": ".1%"}))
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(qs, [qualities[q].high_quality for q in qs], "o-", label="high-quality share")
    ax.plot(qs, [outs[q].acceptance_rate for q in qs], "s-", label="acceptance rate")
    ax.plot(qs, [qualities[q].modes / 25 for q in qs], "^-", label="modes covered / 25")
    ax.set(xlabel=f"percentile q that sets gamma ({n:,} accepted samples each)", ylabel="share (0 to 1)")
    ax.legend(fontsize=8)
    return ax


def top_row(quality):
    """The share of the high-quality samples in the top row of the 25 gaussians (largest y; uniform: 20%), from
    ``toys.mode_coverage``'s counts per mode."""
    y = data.TWENTYFIVE_CENTRES[:, 1]
    return float(quality.counts[y == y.max()].sum() / quality.counts.sum().clamp(min=1))


def versus_acceptance(curves, quality, ax=None):
    """Discriminators compared at equal acceptance: for each name -> {q: what ``drs.sample`` returned} of ``curves``,
    the high-quality share (``quality(x)``, ``toys.mode_coverage``) against the acceptance rate, q written at each
    point; and the top row's share of the high-quality samples (``top_row``) dashed, same colour. Returns the Axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    for name, outs in curves.items():
        rate = [outs[q].acceptance_rate for q in outs]
        qual = [quality(outs[q].x) for q in outs]
        line, = ax.plot(rate, [v.high_quality for v in qual], "o-", label=f"{name}: high-quality share")
        ax.plot(rate, [top_row(v) for v in qual], "--", color=line.get_color(), label=f"{name}: top row's share")
        for q, r, v in zip(outs, rate, qual):
            ax.annotate(f"q={q:g}", (r, v.high_quality), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.axhline(0.2, color="0.6", lw=0.8, ls=":", label="top row, uniform: 20%")
    ax.set(xlabel="acceptance rate", ylabel="share (0 to 1)")
    ax.legend(fontsize=7)
    return ax


def toy_panel(out, quality, q, box):
    """DRS's accepted samples at percentile q on the 25 gaussians (``out``: what ``drs.sample`` returned; ``quality``:
    ``toys.mode_coverage`` of them): the samples over the centres (title: gamma's mean over the batches), and each
    mode's share of the high-quality samples as a 5 x 5 map laid out like the centres, in %."""
    counts = quality.counts.float()
    share = counts / counts.sum().clamp(min=1)
    c = data.TWENTYFIVE_CENTRES
    col = [sorted(set(c[:, 0].tolist())).index(v) for v in c[:, 0].tolist()]
    row = [sorted(set(c[:, 1].tolist())).index(v) for v in c[:, 1].tolist()]
    grid = torch.zeros(max(row) + 1, max(col) + 1)
    grid[row, col] = share
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.4), gridspec_kw=dict(width_ratios=[1, 0.9]))
    plots.toy_scene(out.x, None, c, n=1500, box=box, ax=axes[0],
                    title=f"q = {q:g}: accepted {out.acceptance_rate:.1%}, high quality {quality.high_quality:.1%}, "
                          f"modes {quality.modes}\nmean $\\gamma$ over the batches {np.mean(out.gammas):.2f}")
    im = axes[1].imshow(100 * grid.numpy(), origin="lower", cmap="Blues", vmin=0)
    for i, j, v in zip(row, col, share.tolist()):
        axes[1].text(j, i, f"{100 * v:.1f}%", ha="center", va="center", fontsize=8,
                     color="white" if v > 0.6 * float(share.max()) else "black")
    axes[1].set(xticks=[], yticks=[])
    axes[1].set_title(f"each mode's share of the high-quality samples\n(laid out as on the left; uniform: "
                      f"{100 / len(counts):.0f}%)", fontsize=9)
    fig.colorbar(im, ax=axes[1], fraction=0.046, label="% of the high-quality samples")
    fig.tight_layout()
    return axes


def sweep(S, name, axes, title=""):
    """Two panels for generator ``name`` of the stored DRS scores ``S`` (``drs_mnist.stored``): precision against
    recall, and MNIST-FID against the percentile q, of DRS with each discriminator (mean ± std over the seeds, as
    error bars; the q labels of the second discriminator below left of its points) and of the plain generator
    (star with its error bars; dashed line in a grey band of ± std)."""
    plain = S.rows[name]["plain"]
    for variant, marker in zip(S.variants, "os"):
        rows = [S.rows[name][f"{variant}, q={q:g}"] for q in S.q]
        axes[0].errorbar([r["recall"].mean for r in rows], [r["precision"].mean for r in rows], marker=marker,
                         xerr=[r["recall"].std for r in rows], yerr=[r["precision"].std for r in rows],
                         label=f"D {variant}")
        for q, r in zip(S.q, rows):          # the two variants' labels on either side of their points
            axes[0].annotate(f"q={q:g}", (r["recall"].mean, r["precision"].mean), fontsize=7,
                             textcoords="offset points", xytext=(4, 4) if marker == "o" else (-26, -10))
        axes[1].errorbar(S.q, [r["fid"].mean for r in rows], yerr=[r["fid"].std for r in rows], marker=marker,
                         label=f"D {variant}")
    axes[0].errorbar(plain["recall"].mean, plain["precision"].mean, xerr=plain["recall"].std,
                     yerr=plain["precision"].std, fmt="k*", ms=12, label="plain generator")
    fid = plain["fid"]
    axes[1].axhline(fid.mean, color="k", ls="--", lw=1, label="plain generator (band: ± std)")
    axes[1].axhspan(fid.mean - fid.std, fid.mean + fid.std, color="k", alpha=0.1, lw=0)
    axes[0].set(xlabel="recall (feature-space diversity)", ylabel="precision (feature-space quality)", title=title)
    axes[1].set(xlabel="percentile q that sets gamma", ylabel=f"MNIST-FID ({S.n:,} samples)", title=title)
    axes[0].margins(0.2)          # room for the q = ... labels inside the frame
    for ax in axes:
        ax.legend(fontsize=7)
    return axes


def extremes(x, logits, label, k=32):
    """The k images of ``x`` (N, 1, 28, 28) with the lowest and the k with the highest calibrated logit D~
    (``logits`` (N,)), side by side: the ones DRS is least and most likely to keep. Returns the two Axes."""
    order = torch.as_tensor(logits).argsort()
    _, axes = plt.subplots(1, 2, figsize=(9, 4.2))
    plots.grid(x[order[:k]], ax=axes[0], title=rf"{label}: lowest $\tilde D$ (lowest acceptance)")
    plots.grid(x[order[-k:]], ax=axes[1], title=rf"{label}: highest $\tilde D$")
    return axes


def held_out_losses(models, ax=None):
    """The logistic loss on held-out digits along each further training (``models``: label -> ``drs_mnist.load``
    result, its ``drs_meta["held_out_loss"]``), with 2 log 2, the loss of a logit that cannot tell (D~ = 0).
    Prints each curve's first and last value (one evaluation each, no noise band)."""
    curves = {label: ck.drs_meta["held_out_loss"] for label, ck in models.items()}
    print("logistic loss on 5,000 training digits kept out of the further training (the GAN saw them), "
          "first -> last point: " + ", ".join(
        f"{label} {c[0][1]:.3f} (step {c[0][0]}) -> {c[-1][1]:.3f} (step {c[-1][0]})" for label, c in curves.items()))
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.2))
    for label, c in curves.items():
        ax.plot(*zip(*c), "o-", label=label)
    ax.axhline(2 * np.log(2), color="k", ls="--", lw=0.8, label="2 log 2: cannot tell")
    ax.set(xlabel="further-training step", ylabel="logistic loss, last 5,000 training digits")
    ax.legend(fontsize=8)
    return ax
