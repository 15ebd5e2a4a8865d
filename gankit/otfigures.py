r"""The figures of notebook 04 (optimal transport, semi-discrete OT).

Each function draws one of the notebook's multi-panel figures from numbers the notebook computed and returns the
Axes; the notebook ends the cell with ``plt.show()``.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch

from . import plots
from .semidiscrete import asgd, exact_ot


def plan_and_potential(z, P, f, moves):
    """Discrete W_1 on points z (K, 2): the optimal plan P (K, K) (``plots.plan``) and the optimal potential f (K,),
    shifted to minimum 0 (its colour bar), with an arrow k -> l for each move (k, l) in ``moves`` (f drops with slope 1
    along each)."""
    z, f = np.asarray(z, dtype=float), np.asarray(f, dtype=float) - np.min(f)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2))
    plots.plan(z, z, P, ax=axes[0], title="optimal plan P (primal): p blue discs, q orange rings", names=("p", "q"))
    dots = axes[1].scatter(z[:, 0], z[:, 1], c=f, cmap="coolwarm", s=160)
    fig.colorbar(dots, ax=axes[1], label="f (shifted to min 0)", fraction=0.046)
    for k in range(len(z)):
        axes[1].annotate(f"  f = {f[k]:.2f}", z[k].tolist(), fontsize=8)
    for k, l in moves:
        axes[1].annotate("", z[l].tolist(), z[k].tolist(),
                         arrowprops=dict(arrowstyle="-|>", color="0.5", shrinkA=7, shrinkB=7))
    axes[1].set_aspect("equal")
    axes[1].margins(0.15)
    axes[1].set_title("optimal potential f (dual): slope 1 along each move", fontsize=9)
    for ax in axes:
        ax.set(xlabel="x_1", ylabel="x_2")
    return axes


def loglog(x, curves, xlabel, ylabel="value (see the legend)", ax=None):
    """Named curves {label: values at x} on log-log axes (a marker each)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 3.4))
    for (label, values), marker in zip(curves.items(), ["o-", "s-", "^-", "x--", "d-", "v-"]):
        ax.loglog(x, values, marker, label=label)
    ax.set(xlabel=xlabel, ylabel=ylabel)
    ax.legend(fontsize=8)
    return ax


def asgd_panel(psi, y, history, W, title):
    """Three panels for one ASGD run on the square: its Laguerre diagram (relative gap in the title), then
    ``plots.asgd_convergence``."""
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    plots.laguerre(psi, y, ax=axes[0], title=f"{title}: relative gap {(W - history.H[-1]) / W:.1e}")
    plots.asgd_convergence(history, W, axes=axes[1:])
    fig.tight_layout()
    return axes


def grad_norms(g1, g2):
    """Histograms of ||grad psi^c(x)|| for c = |x - y| (g1, around 1: an odd number of bins centres one on 1, so that
    float32 rounding either side of 1 falls in it) and c = |x - y|^2 (g2 = 2 |x - T_psi(x)|)."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 3))
    axes[0].hist(np.asarray(g1), bins=51, range=(0.99, 1.01))
    axes[0].set_title("c = |x - y|: ||grad psi^c(x)||", fontsize=9)
    axes[1].hist(np.asarray(g2), bins=50)
    axes[1].set_title("c = |x - y|^2: ||grad psi^c(x)|| = 2 |x - T_psi(x)|", fontsize=9)
    for ax in axes:
        ax.set(xlabel="||grad psi^c(x)||", ylabel="points")
    return axes


def grad_ot_check(psi, y, samples, t, h, h0, slope, t0, box=((-0.1, 1.6), (-0.1, 1.6))):
    """Grad-OT on the square generator: mu_theta0's ``samples`` in the Laguerre cells of psi* (points y), and the
    curve h(t) = W along the square's side theta_2 = t (theta_1 fixed) with its tangent at t0 of the formula's
    ``slope`` (h0 = h(t0)). Along theta_1 the square only translates, and any map with the right cell masses gives
    the same derivative: the side is the direction where the optimal map matters."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    plots.laguerre(psi, y, box=box, samples=samples, ax=axes[0], title="mu_theta0 (light blue), nu (dark blue) in "
                   "the Laguerre cells of psi*")
    axes[0].set(xlabel="x_1", ylabel="x_2")
    axes[1].plot(t, h, "o-", label="h(theta0_1, theta_2) = W by POT")
    axes[1].plot(t, h0 + slope * (np.asarray(t) - t0), "--", label="tangent: slope from the Grad-OT formula")
    axes[1].set(xlabel="theta_2 (the square's side)", ylabel="W(mu_theta, nu)")
    axes[1].legend(fontsize=8)
    return axes


def asgd_try(sample_mu, grid, J, gamma, steps, seed=None):
    """One ASGD run for the notebook's slider: J random points of the square (seeded by ``seed``, default J),
    ``steps`` ASGD steps of step size ``gamma`` on batches of 256 from ``sample_mu``, measured on the ``grid`` of
    the square against POT's exact W on that grid; draws ``asgd_panel``."""
    yJ = torch.rand(J, 2, generator=torch.Generator().manual_seed(J if seed is None else seed))
    psi, history = asgd(sample_mu, yJ, gamma=gamma, batch=256, steps=steps, x_eval=grid, progress=False,
                        record_every=np.geomspace(1, steps, 20).astype(int))
    W = exact_ot(grid.double(), yJ.double())[0]
    return asgd_panel(psi, yJ, history, W, title=f"J = {J}, gamma = {gamma:.2g}")
