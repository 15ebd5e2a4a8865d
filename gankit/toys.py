r"""GANs on 2D toy data: one player at a time, the generator's gradient field, and vanishing gradients.

Every experiment here runs the kit's one loop, ``gankit.loop.train``; "update only the generator" or
"train only the discriminator" just hands the other player a ``frozen`` optimiser.

Vanishing gradients (slides 001, "Insufficiency of the Jensen-Shannon divergence"; Arjovsky and Bottou 2017):
train D towards D*_theta against a FIXED generator and watch the norm of the generator's gradient

    saturating (min-max) loss     E[log(1 - D(g_theta(Z)))]          ``losses.saturating_g_loss``
    non-saturating loss          -E[log D(g_theta(Z))]               ``losses.gan_g_loss``

With D = sigmoid(l), the first has grad_theta = -E[sigmoid(l) grad_theta l]: it dies with D(g_theta(z)) -> 0.
The second has grad_theta = -E[(1 - sigmoid(l)) grad_theta l]: it does not.
"""
import copy
import math
from types import SimpleNamespace

import numpy as np
import torch

from . import losses
from .loop import train


def frozen(module):
    """An optimiser that leaves ``module`` unchanged (SGD with learning rate 0).

    ``train(..., opt_D=frozen(D))`` updates only the generator; ``opt_G=frozen(G)`` only the discriminator.
    """
    return torch.optim.SGD(module.parameters(), lr=0.0)


def generator_field(D, x, g_loss=losses.gan_g_loss):
    """The direction in which the generator loss pushes each sample: -grad_x l(x_i) at x = g_theta(z).

    x (N, d) samples, D a discriminator, ``g_loss(D, x)`` the mean of a per-sample loss l (the kit's losses
    are means, so the per-sample gradient is N times the gradient of the mean). Returns (N, d), no graph.
    """
    if x.dim() != 2:
        raise ValueError(f"expected samples of shape (N, d), got {tuple(x.shape)}")
    x = x.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(g_loss(D, x) * x.shape[0], x)
    return -grad


def generator_grad_norm(G, D, z, g_loss=losses.gan_g_loss):
    """||grad_theta g_loss(D, g_theta(z))|| for noise z (n, z_dim): the size of the signal D sends to the generator's parameters."""
    params = [p for p in G.parameters() if p.requires_grad]
    grads = torch.autograd.grad(g_loss(D, G(z)), params, allow_unused=True)
    return float(torch.sqrt(sum((g ** 2).sum() for g in grads if g is not None)))


def train_discriminator(G, D, real, steps, lr=1e-3, betas=(0.5, 0.9), batch_size=256, d_loss=losses.gan_d_loss,
                        callback=None, snapshot_every=0, snapshot_z=None, progress=True, desc="D only"):
    """``steps`` Adam steps on D against the fixed generator G (G gets a ``frozen`` optimiser). Returns the History."""
    opt_D = torch.optim.Adam(D.parameters(), lr=lr, betas=betas)
    return train(G, D, real, d_loss=d_loss, g_loss=losses.gan_g_loss, opt_G=frozen(G), opt_D=opt_D, steps=steps,
                 batch_size=batch_size, callback=callback, snapshot_every=snapshot_every, snapshot_z=snapshot_z,
                 progress=progress, desc=desc)


def train_generator(G, D, real, steps, lr=1e-3, betas=(0.5, 0.9), batch_size=256, g_loss=losses.gan_g_loss,
                    callback=None, snapshot_every=0, snapshot_z=None, progress=True, desc="G only"):
    """``steps`` Adam steps on G against the fixed discriminator D (D gets a ``frozen`` optimiser). Returns the History."""
    opt_G = torch.optim.Adam(G.parameters(), lr=lr, betas=betas)
    return train(G, D, real, d_loss=losses.gan_d_loss, g_loss=g_loss, opt_G=opt_G, opt_D=frozen(D), steps=steps,
                 batch_size=batch_size, callback=callback, snapshot_every=snapshot_every, snapshot_z=snapshot_z,
                 progress=progress, desc=desc)


def keep_discriminators(every):
    """A ``train`` callback that keeps a frozen copy of D every ``every`` generator steps.

    Returns (the list it fills, the callback). Together with the History's snapshots of g_theta(z) it gives
    the frames of a toy scene (see ``frames``).
    """
    if every < 1:
        raise ValueError(f"every must be a positive number of steps, got {every}")
    kept = []

    def callback(step, G, D):
        if step % every == 0:
            kept.append(copy.deepcopy(D).eval().requires_grad_(False))

    return kept, callback


def frames(history, discriminators, label="step", offset=0):
    """Zip a History's snapshots (step, g_theta(z)) with the discriminators kept at the same steps.

    Returns a list of namespaces with ``step`` (+ ``offset``), ``x`` (N, 2) samples, ``D`` and ``label``.
    """
    if len(history.snapshots) != len(discriminators):
        raise ValueError(f"{len(history.snapshots)} snapshots but {len(discriminators)} discriminators: use the same "
                         "period for snapshot_every and keep_discriminators")
    return [SimpleNamespace(step=s + offset, x=x, D=D, label=f"{label} {s}") for (s, x), D in zip(history.snapshots, discriminators)]


FILM_LABELS = {"both": "GAN step", "G": "only G updated, step", "D": "D retrained, step"}


def film(G, D, real, z, steps, n_frames=10, update="both", lr=1e-3, betas=(0.5, 0.9), batch_size=128,
         d_loss=losses.gan_d_loss, g_loss=losses.gan_g_loss, label=None):
    """Train and film: ``steps`` Adam steps (learning rate ``lr``, ``betas``) of the player(s) named by ``update``,
    keeping ``n_frames`` evenly spaced frames of the scene.

    update : "both" (the GAN: one D step on ``d_loss``, then one G step on ``g_loss``, alternately), "G" (the generator
        alone against a frozen D) or "D" (the discriminator alone against a frozen G): the waiting player gets a
        ``frozen`` optimiser, so all three run the same loop ``loop.train``.
    z : (N, 2) noise of the filmed samples. A frame is taken every ``steps // n_frames`` steps.

    Returns (frames, History): each frame (see ``frames``) holds ``step``, the samples ``x`` = g_theta(z) (N, 2),
    a frozen copy of ``D`` at that step and a ``label`` (default ``FILM_LABELS[update]`` and the step).

    >>> from gankit import data, nets
    >>> G, D = nets.ToyGenerator(width=8), nets.ToyDiscriminator(width=8)
    >>> shots, h = film(G, D, data.batches("8gaussians", seed=0), G.noise(5, seed=1), steps=6, n_frames=3, update="G")
    >>> [f.step for f in shots], shots[-1].label, tuple(shots[0].x.shape), len(h.g_loss)
    ([2, 4, 6], 'only G updated, step 6', (5, 2), 6)
    """
    if update not in FILM_LABELS:
        raise ValueError(f"update must be one of {sorted(FILM_LABELS)}, got {update!r}")
    if not 1 <= n_frames <= steps:
        raise ValueError(f"need 1 <= n_frames <= steps, got {n_frames} frames for {steps} steps")
    every = steps // n_frames
    kept, keep = keep_discriminators(every)
    adam = lambda net: torch.optim.Adam(net.parameters(), lr=lr, betas=betas)   # noqa: E731
    h = train(G, D, real, d_loss=d_loss, g_loss=g_loss, opt_G=frozen(G) if update == "D" else adam(G),
              opt_D=frozen(D) if update == "G" else adam(D), steps=steps, batch_size=batch_size,
              snapshot_every=every, snapshot_z=z, callback=keep, progress=False)
    return frames(h, kept, label or FILM_LABELS[update]), h


def vanishing_gradients(G, D, real, steps=2000, record_every=20, n=1000, lr=1e-3, betas=(0.5, 0.9), batch_size=256,
                        seed=0, progress=True, extra=None):
    """Train D towards optimality against the FIXED generator G and record, every ``record_every`` D steps,
    the generator's gradient norm ||grad_theta|| for both generator losses on n fixed noise vectors z.

    Returns a namespace of arrays: ``steps`` (D steps), ``saturating`` (log(1 - D(g)) loss),
    ``non_saturating`` (-log D(g) loss), ``d_fake`` = mean D(g_theta(z)) (D's belief that fakes are real), and
    one array per entry of ``extra``, a dict name -> f(G, D, z) -> float of further measurements made at the same
    steps (e.g. ``manifolds.vanishing_bound``), and ``D``, the discriminator itself (trained in place).
    """
    z = G.noise(n, seed=seed)
    extra = extra or {}
    rec = SimpleNamespace(steps=[], saturating=[], non_saturating=[], d_fake=[], **{k: [] for k in extra})

    def measure(step, G, D):
        if step % record_every == 0 or step in (0, 1):
            rec.steps.append(step)
            rec.saturating.append(generator_grad_norm(G, D, z, losses.saturating_g_loss))
            rec.non_saturating.append(generator_grad_norm(G, D, z, losses.gan_g_loss))
            with torch.no_grad():
                rec.d_fake.append(torch.sigmoid(D(G(z))).mean().item())
            for k, f in extra.items():
                getattr(rec, k).append(f(G, D, z))

    measure(0, G, D)
    train_discriminator(G, D, real, steps, lr=lr, betas=betas, batch_size=batch_size, callback=measure,
                        progress=progress, desc="D towards D*")
    return SimpleNamespace(**{k: np.asarray(v) for k, v in vars(rec).items()}, D=D)


def log_slope(steps, values, start=0, stop=None):
    """Least-squares slope of log10(values) against steps, over start <= steps <= stop, in decades per 1000 steps.

    A straight line on a log-y plot: values ~ C 10^(slope * steps / 1000). -1 means "ten times smaller
    every 1000 steps".
    """
    steps, values = np.asarray(steps, dtype=float), np.asarray(values, dtype=float)
    keep = (steps >= start) & (steps <= (np.inf if stop is None else stop)) & (values > 0)
    if keep.sum() < 2:
        raise ValueError("need at least two positive values at steps in [start, stop] to fit a slope")
    return 1000 * np.polyfit(steps[keep], np.log10(values[keep]), 1)[0]


def vanishing_slopes(record, hi=0.1, lo=1e-8):
    """The slopes of ``log_slope`` for both losses of a ``vanishing_gradients`` record, fitted over the steps
    where D is learning to win: from mean D(g_theta(z)) <= ``hi`` until it reaches ``lo`` (the whole run if D
    never gets there). Returns a dict with ``start``, ``stop``, ``saturating``, ``non_saturating``.
    """
    window = np.flatnonzero((record.d_fake <= hi) & (record.d_fake >= lo))
    if len(window) >= 2:
        start, stop = record.steps[window[0]], record.steps[window[-1]]
    else:
        start, stop = record.steps[0], record.steps[-1]
    return dict(start=int(start), stop=int(stop),
                saturating=log_slope(record.steps, record.saturating, start, stop),
                non_saturating=log_slope(record.steps, record.non_saturating, start, stop))


def mode_coverage(x, centres, std, k=4.0, min_count=1):
    """How well samples x (N, d) of a mixture of gaussians (centres (M, d), each of std ``std``) fit it
    (Azadi et al. 2019, after VEEGAN): a sample is of *high quality* if it lies within k standard deviations of
    its nearest centre, and a mode is *covered* if at least ``min_count`` high-quality samples fall on it.

    Returns a namespace: ``high_quality`` (share of high-quality samples), ``modes`` (number covered),
    ``counts`` (M,) high-quality samples per mode, and ``spread``: the mean distance of the high-quality samples
    to their centre divided by the data's, std sqrt(pi / 2) in 2D (about 1 for samples of the mixture, 0 for
    samples collapsed on the centres).

    >>> from gankit import data
    >>> q = mode_coverage(data.EIGHT_CENTRES[:3], data.EIGHT_CENTRES, 0.02 / 1.414)
    >>> q.high_quality, q.modes, q.spread
    (1.0, 3, 0.0)
    """
    x, centres = torch.as_tensor(x).detach().float().cpu(), torch.as_tensor(centres).float().cpu()
    if x.dim() != 2 or centres.dim() != 2 or x.shape[1] != centres.shape[1]:
        raise ValueError(f"expected samples (N, d) and centres (M, d), got {tuple(x.shape)} and {tuple(centres.shape)}")
    dist, nearest = torch.cdist(x, centres).min(dim=1)
    good = dist <= k * std
    counts = torch.bincount(nearest[good], minlength=len(centres))
    spread = float(dist[good].mean() / (std * math.sqrt(math.pi / 2))) if good.any() else float("nan")
    return SimpleNamespace(high_quality=float(good.float().mean()), modes=int((counts >= min_count).sum()),
                           counts=counts, spread=spread)
