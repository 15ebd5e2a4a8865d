r"""The truncation trick (Brock, Donahue, Simonyan 2019): sample the generator on codes drawn closer to the centre
of the latent law, every coordinate beyond a threshold t resampled until it falls inside,

    z_i ~ N(0, 1) conditioned on |z_i| <= t,   independently for i = 1..z_dim,   x = G(z).

The threshold is the knob: a small t keeps codes near the centre of the prior, at the price of variety (lower
recall); t = inf is plain sampling. In d dimensions the training codes lie near the sphere ||z|| = sqrt(d), so a
small t feeds the generator shorter codes than it was trained on: Brock et al. made their generator amenable to it
(orthogonal regularisation). Nothing is rejected: every code drawn
gives a sample, at the cost of plain sampling. A module of its own because it is its own idea, the baseline the
reweighting of ``gankit.reweight`` is set against, and it needs neither a critic nor training.

Reference: A. Brock, J. Donahue, K. Simonyan, Large scale GAN training for high fidelity natural image synthesis,
ICLR 2019 (arXiv:1809.11096).
"""
import math
import numbers

import torch

from .nets import batched, evaluating


def noise(n, z_dim, threshold=math.inf, seed=None):
    r"""n codes (n, z_dim) of the truncated normal: N(0, Id) with every coordinate |z_i| > threshold redrawn until
    it is inside (a torch.Generator seeded with ``seed``). At threshold = inf it is exactly ``torch.randn`` with that
    seed, i.e. ``Generator.noise(n, seed)``; at t = 1 each coordinate has variance
    1 - 2 phi(1) / (2 Phi(1) - 1) = 0.291 (phi, Phi the standard normal density and distribution function):

    >>> z = noise(100000, 2, 1.0, seed=0)
    >>> bool(z.abs().max() <= 1), round(float(z.var()), 2)
    (True, 0.29)
    >>> torch.equal(noise(3, 2, math.inf, seed=0), torch.randn(3, 2, generator=torch.Generator().manual_seed(0)))
    True
    """
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real) or not threshold > 0:
        raise ValueError(f"the truncation threshold must be a positive number (inf: no truncation), got {threshold!r}")
    for v, what in ((n, "the number of samples n"), (z_dim, "z_dim")):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1:
            raise ValueError(f"{what} must be a positive integer, got {v!r}")
    g = torch.Generator().manual_seed(seed) if seed is not None else None
    z = torch.randn(n, z_dim, generator=g)
    outside = z.abs() > threshold
    while outside.any():
        z[outside] = torch.randn(int(outside.sum()), generator=g)
        outside = z.abs() > threshold
    return z


def sample(G, n, threshold=math.inf, seed=None, batch=1000):
    """n samples G(z) on truncated codes (``noise`` with ``threshold`` and ``seed``), on the CPU, without gradient,
    G in eval mode. ``sampler(n, seed)`` for ``gankit.results.scores``: ``lambda n, seed: sample(G, n, t, seed)``."""
    with evaluating(G):
        return batched(G, noise(n, G.z_dim, threshold, seed), batch)

