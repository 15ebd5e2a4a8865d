"""Figures of notebook 01's experiments: rows of 2D toy scenes with one colour bar for D, filmstrips of training,
1D densities with their discriminators, JS against a shift, the generator's gradient norms (and Theorem 2.4's runs),
mode coverage.

Each function draws what one recurring figure of the lecture shows and returns its Axes; the scenes themselves are
``plots.toy_scene`` (data dark blue, samples light blue, D = sigmoid(logit) as a heat map, arrows of the generator's
push). The heat maps use ``CMAP`` on [0, 1]: dark where D is near 1 (the discriminator says "real"), light where it is
near 0 ("fake"); ``d_colorbar`` says so beside the panels. Notebooks end each plotting cell with ``plt.show()``.
"""
import math

import matplotlib.pyplot as plt
import numpy as np
import torch

from . import losses, plots, toys

CMAP = "Oranges"   # the colour map of plots.toy_scene's heat map of D
D_LABEL = "D(x): dark = 1 (real), light = 0 (fake)"


def d_colorbar(axes, label=D_LABEL):
    """One colour bar for D in [0, 1] beside ``axes`` (an Axes or an array of them), in ``toy_scene``'s colours."""
    axes = np.atleast_1d(axes)
    mappable = plt.cm.ScalarMappable(norm=plt.Normalize(0.0, 1.0), cmap=CMAP)
    bar = axes.flat[0].figure.colorbar(mappable, ax=list(axes.flat), fraction=0.025, pad=0.02)
    bar.set_label(label, fontsize=8)
    return bar


def point_sets(sets, box, size=3.3):
    """A row of scatter plots, one per entry of ``sets`` (title -> points (N, 2)), all over ``box``."""
    fig, axes = plt.subplots(1, len(sets), figsize=(size * len(sets), size + 0.1), squeeze=False)
    for ax, (title, y) in zip(axes[0], sets.items()):
        y = np.asarray(y)
        ax.scatter(y[:, 0], y[:, 1], s=2 if len(y) > 100 else 40, c="navy")
        ax.set_title(title, fontsize=10)
        ax.set(xlim=box[0], ylim=box[1], aspect="equal")
    return axes[0]


def scenes(panels, axes=None, size=4.4, colorbar=True, **common):
    """A row of ``plots.toy_scene`` panels: ``panels`` is a list of dicts of toy_scene's arguments (G, D, title,
    g_loss, ...), each completed by ``common``; one colour bar for D (``d_colorbar``) when some panel has a D.

    ``arrow_scale="common"``: one arrow scale for all panels, the longest arrow of them all a sixth of the box.
    ``axes``: draw into these Axes (e.g. a column of a larger figure) instead of a new row; the colour bar then goes
    beside the whole figure. Returns the Axes.
    """
    panels = [{**common, **p} for p in panels]
    whole = axes is not None
    if axes is None:
        _, axes = plt.subplots(1, len(panels), figsize=(size * len(panels) + 0.8, size), squeeze=False)
        axes = axes[0]
    if common.get("arrow_scale") == "common":
        top = max(_longest_arrow(**p) for p in panels)
        width = common["box"][0][1] - common["box"][0][0]
        for p in panels:
            p["arrow_scale"] = width / 6 / top if top > 0 else None
    for ax, p in zip(axes, panels):
        plots.toy_scene(ax=ax, **p)
    if colorbar and any(p.get("D") is not None for p in panels):
        d_colorbar(axes[0].figure.axes if whole else axes)
    return axes


def _longest_arrow(G, D=None, z=None, n=100, g_loss=None, **_):
    """The longest arrow toy_scene would draw for this panel (0 without a D)."""
    if D is None:
        return 0.0
    with torch.no_grad():
        x = G(G.noise(n, seed=0) if z is None else z) if isinstance(G, torch.nn.Module) else torch.as_tensor(G)[:n]
    return float(toys.generator_field(D, x.float(), g_loss or losses.gan_g_loss).norm(dim=1).max())


def drawer(y, box, res=100, colorbar=False):
    """The function frame, ax -> the toy scene of a ``toys.film`` frame (its samples, its D, data ``y``, ``box``), for
    ``filmstrip`` and ``plots.snapshot_slider``; ``colorbar`` adds D's colour bar to each drawing (for the slider)."""
    def draw(frame, ax):
        plots.toy_scene(frame.x, frame.D, y, box=box, ax=ax, title=frame.label, res=res)
        if colorbar:
            d_colorbar(ax)
    return draw


def filmstrip(frames, draw, picks=None, ncols=6, size=2.9):
    """``plots.filmstrip`` of toy scenes, with one colour bar for D on the right. Returns the Axes."""
    axes = plots.filmstrip(frames, draw, picks=picks, ncols=ncols, size=size)
    d_colorbar(axes)
    return axes


def densities(x, p, q, curves, ax=None, shade=(), fake="mu_theta (fake)", real="nu (real)", legend=None):
    """The 1D picture of section 3: densities p (of mu_theta, fake) and q (of nu, real) on the grid x, and the
    discriminators in ``curves`` (label -> function of x, or (function, plot options)); the first is drawn thick.
    ``shade``: intervals (a, b) greyed out, where p = q = 0; ``legend``: options for ``ax.legend``. The y-axis
    carries both kinds of curve: "density p, q; D(x)"."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.2))
    for a, b in shade:
        ax.axvspan(a, b, color="0.92")
    ax.plot(x, p(x), color="deepskyblue", label=f"p: density of {fake}")
    ax.plot(x, q(x), color="navy", label=f"q: density of {real}")
    for i, (label, f) in enumerate(curves.items()):
        f, style = f if isinstance(f, tuple) else (f, {})
        default = dict(color="tab:orange", lw=3, alpha=0.6) if i == 0 else dict(color="k", ls="--", lw=1)
        ax.plot(x, [f(t) for t in x], label=label, **{**default, **style})
    ax.set(xlabel="x", ylabel="density p, q; D(x)")
    ax.legend(**{"fontsize": 7, "loc": "upper left", **(legend or {})})
    return ax


def uniqueness(x, p, q, D_star, D_on, D_off, ts, gap_on, gap_off, support=(0.0, 3.0)):
    """Two panels for "where D* is unique": left, p, q, D* and changed discriminators (the bump D_on(t) at t = -2, 2
    on the supports, D_off(1) off them, greyed where p = q = 0); right, L(D) - L(D*) against t for both changes."""
    lo, hi = support
    on = lambda f: (lambda s: f(s) if lo <= s < hi else np.nan)    # noqa: E731
    off = lambda f: (lambda s: np.nan if lo <= s <= hi else f(s))  # noqa: E731
    fig, axes = plt.subplots(1, 2, figsize=(12, 3.4))
    curves = {"D* = q / (q + p)": on(D_star),
              "D_t, t = -2": (on(D_on(-2.0)), {}), "D_t, t = +2": (on(D_on(2.0)), dict(ls=":")),
              "a D off the supports": (off(D_off(1.0)), dict(color="tab:green", ls="-"))}
    densities(x, p, q, curves, ax=axes[0], shade=[(x[0], lo), (hi, x[-1])], legend=dict(bbox_to_anchor=(0.2, 0.93)))
    axes[0].set_ylim(-0.05, 1.25)
    axes[0].text(x[0] + 0.05, 1.22, "p = q = 0: D arbitrary", fontsize=8, color="0.35", va="top")
    axes[1].plot(ts, gap_on, "o-", color="k", label="bump on the overlap: L(D_t) - L(D*)")
    axes[1].plot(ts, gap_off, "s--", color="tab:green", ms=4, label="change off the supports")
    axes[1].axhline(0, color="0.6", lw=0.8)
    axes[1].set(xlabel="t", ylabel="L(D) - L(D*)")
    axes[1].legend(fontsize=8)
    return axes


def pinsker(c):
    """Pinsker's bound against the exact TV, from ``divergences.pinsker_curves``: left N(0,1) against N(m,1), right
    N(0,1) against N(0,s^2) (both orders of KL); closed forms as lines, quadrature as dots."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 3.4))
    for ax, k, what in [(axes[0], "m", "m  (N(0,1) against N(m,1))"), (axes[1], "s", "s  (N(0,1) against N(0,s^2))")]:
        x = getattr(c, k)
        ax.plot(x, getattr(c, f"tv_{k}"), color="navy", label="TV (closed form)")
        ax.plot(x[::c.every], getattr(c, f"quad_{k}"), "o", color="navy", ms=4, label="TV by quadrature")
        ax.plot(x, getattr(c, f"bound_{k}"), color="tab:orange", label="Pinsker: sqrt(KL(N(0,1) | other) / 2)")
        ax.axhline(1, color="0.6", lw=0.8)
        ax.set(xlabel=what, ylabel="TV and Pinsker's bound", ylim=(0, 2.05))
    axes[1].plot(c.s, c.bound_s_rev, "--", color="tab:orange", label="sqrt(KL(N(0,s^2) | N(0,1)) / 2)")
    axes[1].set_xscale("log")
    for ax in axes:
        ax.legend(fontsize=8, loc="upper left" if ax is axes[0] else "upper center")
    return axes


def js_against_shift(shifts, js_uniform, js_gauss, ax=None):
    """JS(U[0,1], U[a,1+a]) and JS(N(0,1), N(a,1)) (both by quadrature) against the shift a, beside W1 = a (for
    both pairs). No closed form for the uniforms: it is the answer of exercise 5, question 1."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.2))
    shifts = np.asarray(shifts)
    ax.plot(shifts, js_uniform, "o-", ms=3, lw=1, color="navy", label="JS, uniforms U[0,1], U[a,1+a]")
    ax.plot(shifts, js_gauss, color="deepskyblue", label="JS, Gaussians N(0,1), N(a,1)")
    ax.plot(shifts, shifts, color="tab:orange", label="W1 = a (both pairs)")
    ax.axhline(math.log(2), color="0.5", lw=0.8)
    ax.text(shifts[-1] - 0.7, math.log(2) + 0.03, "log 2", color="0.4")
    ax.set(ylim=(0, 1.5), xlabel="shift a", ylabel="JS and W1")
    ax.legend(fontsize=8)
    return ax


def gradient_norms(record, fit=None, ax=None, title=None):
    """The generator's gradient norms of a ``toys.vanishing_gradients`` record against D's training steps (log
    scale): saturating and non-saturating losses, and mean D(g(z)) on the same axis; with ``fit``
    (``toys.vanishing_slopes``) the fitted lines and their slopes in the legend."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 4))
    for name, color, label in [("saturating", "tab:red", "saturating  log(1 - D(g))"),
                               ("non_saturating", "tab:green", "non-saturating  -log D(g)")]:
        values = getattr(record, name)
        ax.plot(record.steps, values, color=color,
                label=label if fit is None else
                f"{label}: {fit[name] * (fit['stop'] - fit['start']) / 1000:+.1f} decades over the fit")
        if fit is not None:
            w = (record.steps >= fit["start"]) & (record.steps <= fit["stop"])
            line = np.polyfit(record.steps[w], np.log10(values[w]), 1)
            ax.plot(record.steps[w], 10 ** np.polyval(line, record.steps[w]), "--", color=color, lw=1)
    ax.plot(record.steps, record.d_fake, ":", color="k", label="mean D(g(z))  (D's belief that fakes are real)")
    ax.set_yscale("log")
    ax.set(xlabel="discriminator steps (generator fixed)", ylabel="||grad_theta of the generator loss||;  mean D(g(z))")
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    return ax


def vanishing_runs(runs, generators, y, z, box):
    """Theorem 2.4's runs, a row each (``runs``: name -> ``toys.vanishing_gradients`` record, with its trained ``D``):
    the scene of ``generators[name]`` with the trained D and the arrows of the saturating loss
    log(1 - D) (one arrow scale for all rows; data ``y``, samples at the noise ``z``), then ``gradient_norms``."""
    fig, axes = plt.subplots(len(runs), 2, figsize=(13, 4 * len(runs)), width_ratios=[1, 1.4], layout="constrained",
                             squeeze=False)
    scenes([dict(G=generators[n], D=r.D, title=f"{n}: trained D, arrows of log(1 - D)") for n, r in runs.items()],
           axes=axes[:, 0], y=y, z=z, box=box, g_loss=losses.saturating_g_loss, arrow_scale="common")
    for ax, (name, r) in zip(axes[:, 1], runs.items()):
        gradient_norms(r, ax=ax, title=name)
    return axes


def coverage(steps, quality, n_modes=8, ax=None):
    """The share of high-quality samples and the modes covered (``toys.mode_coverage`` results) at each step."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3))
    ax.plot(steps, [100 * q.high_quality for q in quality], "o-", color="deepskyblue", label="% high-quality samples")
    ax.set(ylim=(0, 100), xlabel="generator step", ylabel="% within 4 std of a centre")
    ax2 = ax.twinx()
    ax2.step(steps, [q.modes for q in quality], where="mid", color="navy", label="modes covered")
    ax2.set(ylim=(0, n_modes + 0.5), ylabel=f"modes covered (of {n_modes})")
    ax.figure.legend(loc="lower right", fontsize=8, bbox_to_anchor=(0.88, 0.2))
    return ax
