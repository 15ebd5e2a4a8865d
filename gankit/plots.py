"""Figures a teacher can point at: image grids, sample scatter plots, training curves.

Every function draws on a matplotlib Axes (``ax=None`` makes a new figure) and returns it; notebooks end
plotting cells with ``plt.show()`` so that the stored output is a PNG, not a repr.
"""
import matplotlib.pyplot as plt
import numpy as np
import torch
from torchvision.utils import make_grid

from . import losses, toys
from .data import as_numpy, to_unit
from .nets import device_of
from .semidiscrete import c_transform, laguerre_assign, pixel_centres


def grid(images, nrow=8, ax=None, title=None):
    """Show images (N, 1, 28, 28) in [-1, 1] (or uint8 in [0, 255]) as one grid of ``nrow`` columns."""
    x = torch.as_tensor(images).detach().cpu()
    x = x.float() / 255 if x.dtype == torch.uint8 else to_unit(x.float())
    x = x.reshape(-1, 1, 28, 28)
    ncol = min(nrow, len(x))
    rows = -(-len(x) // ncol)
    canvas = make_grid(x, nrow=ncol, padding=2, pad_value=1.0)[0]
    if ax is None:
        _, ax = plt.subplots(figsize=(ncol * 0.45, rows * 0.45))
    ax.imshow(as_numpy(canvas), cmap="gray", vmin=0, vmax=1)
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def grids(panels, nrow=4, size=2.2):
    """A row of image grids, one per entry of ``panels`` (title -> images (N, 1, 28, 28)): samples at several epochs
    or steps beside real digits, or several runs side by side. Returns the Axes."""
    _, axes = plt.subplots(1, len(panels), figsize=(size * len(panels), size * 1.15), squeeze=False)
    for ax, (title, x) in zip(axes[0], panels.items()):
        grid(x, nrow=nrow, ax=ax, title=title)
    return axes[0]


def class_histograms(reports, min_share=0.02):
    """One bar chart per ``metrics.report`` (name -> report): the share of samples the classifier puts in each digit
    class, with the uniform 10% (dotted) and the share ``min_share`` below which a class is not covered (dashed)."""
    _, axes = plt.subplots(1, len(reports), figsize=(4 * len(reports), 2.6), sharey=True, squeeze=False)
    for ax, (name, r) in zip(axes[0], reports.items()):
        ax.bar(range(10), 100 * np.asarray(r["histogram"]))
        ax.axhline(10, color="gray", ls=":", lw=1)
        ax.axhline(100 * min_share, color="tab:red", ls="--", lw=0.8)
        ax.set(xticks=range(10), xlabel="digit (by the classifier)", title=f"{name}: {r['classes_covered']} covered")
    axes[0, 0].set_ylabel("% of samples")
    return axes[0]


def curve(values, ax=None, label=None, logy=False, xlabel="step", ylabel=None, x=None):
    """A training curve (e.g. losses or MNIST-FID per epoch), at positions ``x`` (default 1, 2, ...)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3))
    ax.plot(np.arange(1, len(values) + 1) if x is None else x, values, label=label)
    ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    if label:
        ax.legend()
    return ax


# ----------------------------------------------------------------------------- semi-discrete OT (gankit.semidiscrete)

def laguerre(psi, y, cost="sqeuclidean", box=((0, 1), (0, 1)), res=300, samples=None, fill=True, edge="k",
             ax=None, title=None):
    """The Laguerre diagram of psi (J,) for points y (J, 2): every pixel of a ``res`` x ``res`` grid over
    ``box`` = ((x_min, x_max), (y_min, y_max)) coloured by its cell L_psi(y_j) = T_psi^{-1}(y_j) (``fill``),
    cell boundaries in ``edge``, the points y_j on top, and optional ``samples`` (N, 2) in light blue
    (the slides' semi-discrete WGAN picture: ``fill=False, edge="tab:orange"``). psi = 0 gives Voronoi cells.
    """
    (x0, x1), (y0, y1) = box
    y = torch.as_tensor(y).float().cpu()
    j = laguerre_assign(torch.as_tensor(psi).float().cpu(), pixel_centres(res, box, torch.float32), y, cost).reshape(res, res)
    j = as_numpy(j)
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    rgba = np.ones((res, res, 4))
    if fill:  # pastel colours, shuffled so that neighbouring cells differ
        palette = 0.55 + 0.45 * plt.cm.tab20(np.random.default_rng(0).permutation(max(len(y), 20)) % 20)[:, :3]
        rgba[..., :3] = palette[j]
    border = np.zeros((res, res), bool)
    border[:, 1:] |= j[:, 1:] != j[:, :-1]
    border[1:, :] |= j[1:, :] != j[:-1, :]
    rgba[border, :3] = plt.matplotlib.colors.to_rgb(edge)
    ax.imshow(rgba, origin="lower", extent=(x0, x1, y0, y1), interpolation="nearest")
    if samples is not None:
        s = as_numpy(torch.as_tensor(samples).detach().float().cpu())
        ax.scatter(s[:, 0], s[:, 1], s=3, c="lightskyblue", alpha=0.6, linewidths=0)
    ax.scatter(y[:, 0], y[:, 1], s=max(4.0, 120 / np.sqrt(len(y))), c="navy", linewidths=0)
    return _frame(ax, (x0, x1), (y0, y1), title)


def plan(x, y, P, ax=None, title=None, labels=False, tol=1e-9, names=("source", "target")):
    """A transport plan P (N, J) from points x (N, 2) to points y (J, 2): the x_i as blue discs and the y_j as orange
    rings, with areas proportional to their masses (the row and column sums of P), and an arrow x_i -> y_j of width
    proportional to P_ij wherever P_ij > tol (``labels``: its mass written beside it). Mass that stays in place
    (x_i = y_j) has no arrow. ``names``: the two measures' names in the legend."""
    x, y, P = (np.asarray(as_numpy(torch.as_tensor(v).detach().cpu()), dtype=float) for v in (x, y, P))
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    a, b = P.sum(1), P.sum(0)
    ax.scatter(x[:, 0], x[:, 1], s=400 * a / a.max(), c="tab:blue", alpha=0.8, edgecolors="white", label=names[0], zorder=3)
    ax.scatter(y[:, 0], y[:, 1], s=400 * b / b.max(), facecolors="none", edgecolors="tab:orange", linewidths=2.5,
               label=names[1], zorder=4)
    for i, j in zip(*np.nonzero(P > tol)):
        if np.allclose(x[i], y[j]):
            continue
        ax.annotate("", y[j], x[i], arrowprops=dict(arrowstyle="-|>", color="0.25", lw=0.6 + 4 * P[i, j] / P.max(),
                                                    shrinkA=5, shrinkB=5), zorder=2)
        if labels:
            ax.text(*(0.5 * (x[i] + y[j])), f" {P[i, j]:.3g}", fontsize=8, va="bottom")
    ax.margins(0.2)
    ax.set_aspect("equal")
    ax.legend(fontsize=8, loc="best", markerscale=0.4)
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def _frame(ax, xlim, ylim, title=None):
    """A 2D scene's frame: the box, equal axes, small ticks (the coordinates x_1, x_2), a small title."""
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.tick_params(labelsize=7)
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def voronoi(y, **kw):
    """The Voronoi diagram of y (J, 2): the Laguerre diagram at psi = 0 (same options as ``laguerre``)."""
    return laguerre(torch.zeros(len(y)), y, **kw)


def asgd_convergence(history, W, nu=None, axes=None, label=None):
    """Two panels from an ``semidiscrete.asgd`` history recorded with ``x_eval``: W - H(psi_k) on log-log axes with a
    reference slope log(k + 1)/sqrt(k), the rate of Genevay et al. (scaled to the first point: a slope to compare with,
    not a bound), and the cell masses J * mu(L_psi_k(y_j)) (their median, 5-95% and min-max bands: all should reach
    1 = J * nu_j for uniform nu)."""
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 3.5))
    k = np.asarray(history.k, dtype=float)
    gap = np.maximum(W - np.asarray(history.H), 1e-12)
    axes[0].loglog(k, gap, label=label or "W - H(psi_k)")
    ref = np.log(k + 1) / np.sqrt(k)   # log(k + 1): finite at k = 1
    axes[0].loglog(k, ref * gap[0] / ref[0], "k--", lw=1, label="reference slope log(k + 1) / sqrt(k)")
    axes[0].set_xlabel("ASGD step k")
    axes[0].set_ylabel("W - H(psi_k)")
    axes[0].legend(fontsize=8)
    m = torch.stack(history.masses).numpy()
    J = m.shape[1]
    r = m / (np.full(J, 1.0 / J) if nu is None else as_numpy(nu))[None, :]
    axes[1].fill_between(k, r.min(1), r.max(1), alpha=0.2, label="min - max")
    axes[1].fill_between(k, *np.percentile(r, [5, 95], axis=1), alpha=0.4, label="5% - 95%")
    axes[1].plot(k, np.median(r, 1), label="median")
    axes[1].axhline(1.0, color="k", lw=1, ls="--")
    axes[1].set_xscale("log")
    axes[1].set_xlabel("ASGD step k")
    axes[1].set_ylabel("mu(L_psi_k(y_j)) / nu_j")
    axes[1].legend(fontsize=8)
    return axes


# ----------------------------------------------------------------------------- 2D toy scenes (notebook 01)

def _square_box(*point_sets, margin=0.15):
    pts = torch.cat([torch.as_tensor(p).detach().float().cpu().reshape(-1, 2) for p in point_sets])
    lo, hi = pts.min(0).values, pts.max(0).values
    c, r = (lo + hi) / 2, float((hi - lo).max()) / 2 * (1 + margin) + 1e-3
    return (float(c[0]) - r, float(c[0]) + r), (float(c[1]) - r, float(c[1]) + r)


def toy_scene(G, D, y, n=100, z=None, g_loss=None, link=torch.sigmoid, box=None, res=120, arrows=True,
              arrow_scale=None, ax=None, title=None, colorbar=False):
    """The slides' 2D picture ("Illustration with a 2D example"): data points y_j (dark blue), n samples
    g_theta(z_k) (light blue), the discriminator as a heat map, and the generator's gradient field as arrows.

    G : a generator (drawn at z, default ``G.noise(n, seed=0)``) or a tensor (N, 2) of its samples (the first n are drawn).
    D : a discriminator returning one logit per sample, or None (then no heat map and no arrows).
    y : (J, 2) data points.
    g_loss : the generator loss of the arrows (default ``losses.gan_g_loss``, the non-saturating -log D(g)).
        The arrow at x = g_theta(z) is -grad_x l(x), the direction the generator's step pushes that sample
        (``toys.generator_field``).
    link : applied to D's output for the heat map: ``torch.sigmoid`` shows D = sigmoid(logit) in [0, 1] with
        its D = 1/2 level line dashed; ``None`` shows a WGAN critic's raw values.
    box : ((x_min, x_max), (y_min, y_max)), default a square around y and the samples (fix it for a slider).
    arrow_scale : plot length of an arrow of norm 1 (fix it to compare scenes); default: longest arrow = box / 6.
        The largest arrow norm is printed in the bottom-left corner.

    Returns the Axes.
    """
    if isinstance(G, torch.nn.Module):
        with torch.no_grad():
            x = G(G.noise(n, seed=0) if z is None else z).detach().float().cpu()
    else:
        x = torch.as_tensor(G).detach().float().cpu()[:n]
    y = torch.as_tensor(y).detach().float().cpu()
    if x.dim() != 2 or x.shape[1] != 2 or y.dim() != 2 or y.shape[1] != 2:
        raise ValueError(f"toy_scene draws 2D points: samples (N, 2) and data (J, 2), got {tuple(x.shape)} and {tuple(y.shape)}")
    (x0, x1), (y0, y1) = box if box is not None else _square_box(x, y)
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4.5))
    if D is not None:
        dev = device_of(D)
        gx, gy = torch.linspace(x0, x1, res), torch.linspace(y0, y1, res)
        X, Y = torch.meshgrid(gx, gy, indexing="xy")
        with torch.no_grad():
            v = D(torch.stack([X, Y], -1).reshape(-1, 2).to(dev)).cpu()
            v = (link(v) if link is not None else v).reshape(res, res).numpy()
        lims = dict(vmin=0.0, vmax=1.0) if link is torch.sigmoid else {}
        im = ax.imshow(v, origin="lower", extent=(x0, x1, y0, y1), cmap="Oranges", interpolation="bilinear", **lims)
        if link is torch.sigmoid and v.min() < 0.5 < v.max():
            ax.contour(as_numpy(X), as_numpy(Y), v, levels=[0.5], colors="0.4", linewidths=0.8, linestyles="--")
        if colorbar:
            plt.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="D(x)" if link is torch.sigmoid else "D(x) (raw)")
    ax.scatter(y[:, 0], y[:, 1], s=max(4.0, 150 / np.sqrt(len(y))), c="navy", linewidths=0, label="data y_j", zorder=3)
    ax.scatter(x[:, 0], x[:, 1], s=10, c="deepskyblue", edgecolors="white", linewidths=0.3, label="g_theta(z_k)", zorder=4)
    if D is not None and arrows:
        v = toys.generator_field(D, x.to(dev), g_loss or losses.gan_g_loss).cpu()
        top = float(v.norm(dim=1).max())
        if top > 0:
            length = arrow_scale if arrow_scale is not None else (x1 - x0) / 6 / top
            ax.quiver(x[:, 0], x[:, 1], v[:, 0], v[:, 1], angles="xy", scale_units="xy", scale=1 / length,
                      width=0.004, color="k", zorder=5)
        ax.text(0.02, 0.02, f"max |grad| = {top:.1e}", transform=ax.transAxes, fontsize=7,
                bbox=dict(facecolor="white", alpha=0.7, linewidth=0))
    return _frame(ax, (x0, x1), (y0, y1), title)


def filmstrip(frames, draw, picks=None, ncols=6, size=2.6):
    """A static row (or rows) of frames: ``draw(frames[i], ax)`` for i in ``picks`` (default: up to ``ncols``
    evenly spaced frames, first and last included). The printable companion of ``snapshot_slider``.
    Returns the array of Axes."""
    if len(frames) == 0:
        raise ValueError("no frames to draw")
    if picks is None:
        picks = sorted(set(np.linspace(0, len(frames) - 1, min(ncols, len(frames))).round().astype(int).tolist()))
    rows = -(-len(picks) // ncols)
    cols = min(ncols, len(picks))
    fig, axes = plt.subplots(rows, cols, figsize=(size * cols, size * rows), squeeze=False)
    for ax in axes.flat[len(picks):]:
        ax.set_axis_off()
    for ax, i in zip(axes.flat, picks):
        draw(frames[i], ax)
    fig.tight_layout()
    return axes


def snapshot_slider(frames, draw, description="frame", value=0, figsize=(4.5, 4.5)):
    """An ipywidgets IntSlider over saved ``frames``: moving it calls ``draw(frames[i], ax)`` on a fresh figure.

    Returns the ``ipywidgets.interactive`` widget (what ``interact`` builds): make it the last expression of
    the cell so that JupyterLab shows it. Outside a live kernel (e.g. on GitHub) the slider cannot move, so
    put a ``filmstrip`` of the same frames before it.
    """
    if len(frames) == 0:
        raise ValueError("no frames to step through")
    if not 0 <= value < len(frames):
        raise ValueError(f"value must index a frame (0..{len(frames) - 1}), got {value}")

    from ipywidgets import IntSlider, interactive   # here: importing gankit.plots needs no widgets

    def show(i):
        _, ax = plt.subplots(figsize=figsize)
        draw(frames[i], ax)
        plt.show()

    return interactive(show, i=IntSlider(value=value, min=0, max=len(frames) - 1, description=description))


def c_transform_image(psi, y, cost="sqeuclidean", box=((0, 1), (0, 1)), res=300, ax=None, title=None):
    """psi^c(x) = min_j c(x, y_j) - psi_j as an image over ``box``, the points y (J, 2) on top."""
    (x0, x1), (y0, y1) = box
    y = torch.as_tensor(y).float().cpu()
    v = c_transform(torch.as_tensor(psi).float().cpu(), pixel_centres(res, box, torch.float32), y, cost).reshape(res, res)
    if ax is None:
        _, ax = plt.subplots(figsize=(4.6, 4))
    im = ax.imshow(as_numpy(v), origin="lower", extent=(x0, x1, y0, y1), cmap="viridis")
    plt.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    ax.scatter(y[:, 0], y[:, 1], s=max(4.0, 120 / np.sqrt(len(y))), c="white", linewidths=0)
    ax.tick_params(labelsize=7)
    if title:
        ax.set_title(title, fontsize=9)
    return ax
