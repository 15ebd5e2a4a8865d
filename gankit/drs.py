r"""Discriminator Rejection Sampling (Azadi, Olsson, Darrell, Goodfellow and Odena, ICLR 2019).

The optimal discriminator of a GAN is D* = sigmoid(D~*) with D~*(x) = log p_data(x) / p_g(x) (its logit), so
rejection sampling from p_g with the bound M = max_x p_data / p_g, i.e. accepting x ~ p_g with probability
exp(D~(x) - D~_M), returns samples of p_data. It needs p_data <= M p_g: DRS can only drop samples, so it cannot
bring back a mode the generator does not produce. The paper's practical algorithm (Section 3.2):

    1. burn-in:  D~_M = max of D~ over ``burn_in`` generated samples, then  D~_M <- max(D~_M, max D~(batch))
    2. F(x) = D~(x) - D~_M - log(1 - exp(D~(x) - D~_M - eps)) - gamma        (eps = 1e-6 keeps the log finite)
    3. accept x with probability sigmoid(F(x)); gamma = the q-th percentile of F on each batch (q = 95).

With gamma = 0 and eps = 0, sigmoid(F(x)) = exp(D~(x) - D~_M): exact rejection sampling. A gamma below 0
multiplies the small acceptance probabilities by about exp(-gamma) (more samples, more diversity); gamma -> -inf
accepts everything (the plain generator). A WGAN critic is not a logit: ``calibrate`` first fits
D~ = a D + b by logistic regression on held-out real and generated samples (Platt scaling).

References: Azadi et al., Discriminator Rejection Sampling, ICLR 2019 (arXiv:1810.06758).
"""
import math
import time
from types import SimpleNamespace

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from .nets import batched, device_of


def _check_n(n, what="n"):
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"{what} must be a positive integer, got {n!r}")


class Calibrated(nn.Module):
    """D~(x) = a * D(x) + b: a discriminator or critic D turned into a calibrated logit (see ``calibrate``)."""

    def __init__(self, D, a, b):
        super().__init__()
        self.D, self.a, self.b = D, float(a), float(b)

    def forward(self, x):
        return self.a * self.D(x) + self.b


def fit_logistic(s_real, s_fake, steps=100):
    r"""Platt scaling: the (a, b) that minimise the logistic loss of a * s + b on scores of real (label 1)
    and generated (label 0) samples,

        min_{a, b}  E_real[softplus(-(a s + b))] + E_fake[softplus(a s + b)]      (each set weighted 1/2).

    s_real (n,), s_fake (m,). Returns (a, b) as floats. If real scores are N(1, 1) and fake ones N(-1, 1), the
    log density ratio is 2 s, so (a, b) -> (2, 0):

    >>> g = torch.Generator().manual_seed(0)
    >>> a, b = fit_logistic(torch.randn(20000, generator=g) + 1, torch.randn(20000, generator=g) - 1)
    >>> round(a, 1), round(b, 1) in (-0.0, 0.0)
    (2.0, True)
    """
    s_real, s_fake = torch.as_tensor(s_real).double().reshape(-1), torch.as_tensor(s_fake).double().reshape(-1)
    if len(s_real) < 2 or len(s_fake) < 2:
        raise ValueError("calibration needs at least 2 real and 2 generated scores")
    scale = float(torch.cat([s_real, s_fake]).std()) or 1.0   # fit on standardised scores, then undo
    ab = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([ab], lr=1.0, max_iter=steps, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        a, b = ab[0], ab[1]
        loss = (nn.functional.softplus(-(a * s_real / scale + b)).mean() + nn.functional.softplus(a * s_fake / scale + b).mean()) / 2
        loss.backward()
        return loss

    opt.step(closure)
    a, b = ab.detach().tolist()
    return a / scale, b


def calibrate(D, real, fake, batch=1000):
    """D~ = a D + b fitted by logistic regression (``fit_logistic``) on held-out real images ``real`` and
    generated ones ``fake`` (same shape per sample). Returns a ``Calibrated`` module (with ``.a``, ``.b``).

    Use it for a WGAN critic, whose values are not log density ratios; for a GAN discriminator it refits the
    logit's scale and offset on data D did not train on (the paper's calibration step).
    """
    if tuple(real.shape[1:]) != tuple(fake.shape[1:]):
        raise ValueError(f"real and generated samples differ in shape: {tuple(real.shape)} and {tuple(fake.shape)}")
    a, b = fit_logistic(batched(D, real, batch), batched(D, fake, batch))
    return Calibrated(D, a, b)


def F(logit, logit_max, gamma=0.0, eps=1e-6):
    r"""F(x) = D~(x) - D~_M - log(1 - exp(D~(x) - D~_M - eps)) - gamma, elementwise.

    logit (N,) the values D~(x); logit_max the bound D~_M (>= every logit: the running max). The log is
    computed as log(-expm1(.)) to stay accurate when D~(x) - D~_M is close to 0. Returns (N,) float64.

    >>> F(torch.tensor([-1.0]), 0.0, eps=0.0)       # -1 - log(1 - e^-1)
    tensor([-0.5413], dtype=torch.float64)
    """
    logit = torch.as_tensor(logit, dtype=torch.float64)
    delta = logit - float(logit_max)
    if (delta > 0).any():
        raise ValueError(f"logit_max = {float(logit_max):g} is below the largest logit {float(logit.max()):g}: "
                         "update the running max before computing F")
    return delta - torch.log(-torch.expm1(delta - eps)) - gamma


def acceptance(logit, logit_max, gamma=0.0, eps=1e-6):
    """The DRS acceptance probability sigmoid(F(x)) (see ``F``): (N,) in [0, 1], float64.

    At gamma = 0 and eps = 0 it is exp(D~(x) - D~_M), exact rejection sampling:

    >>> acceptance(torch.tensor([-1.0, -2.0]), 0.0, gamma=0.0, eps=0.0)
    tensor([0.3679, 0.1353], dtype=torch.float64)
    """
    return torch.sigmoid(F(logit, logit_max, gamma, eps))


def percentile_gamma(F0, q=95.0):
    """gamma = the q-th percentile of F0 = F(x) + gamma (i.e. F computed with gamma = 0), as in the paper.

    >>> percentile_gamma(torch.arange(101.0), 95)
    95.0
    """
    if not 0 <= q <= 100:
        raise ValueError(f"the percentile q must be in [0, 100], got {q}")
    return float(torch.quantile(torch.as_tensor(F0, dtype=torch.float64), q / 100))


def decide(logit, logit_max, percentile=95.0, gamma=None, eps=1e-6, generator=None):
    """One DRS decision per sample of a batch: accept with probability sigmoid(F(x)), gamma = the ``percentile``-th
    percentile of F on the batch (or the fixed ``gamma``). logit (N,) the values D~(x) of the batch, logit_max
    the running max D~_M (already updated with this batch). Returns (accepted (N,) bool, gamma).

    >>> decide(torch.zeros(4), 0.0, gamma=-1e4)[0].tolist()      # gamma -> -inf accepts everything
    [True, True, True, True]
    """
    F0 = F(logit, logit_max, 0.0, eps)
    gam = percentile_gamma(F0, percentile) if gamma is None else float(gamma)
    u = torch.rand(len(F0), generator=generator, dtype=torch.float64)
    return u < torch.sigmoid(F0 - gam), gam


def sample(G, D, n, burn_in=10000, percentile=95.0, gamma=None, eps=1e-6, batch=1000, max_proposals=None, seed=0,
           progress=True):
    r"""Discriminator Rejection Sampling: up to n samples of G accepted by the calibrated logit D~ = D.

    1. burn-in: D~_M = max D~(G(z)) over ``burn_in`` samples;
    2. for each batch of ``batch`` proposals x = G(z): D~_M <- max(D~_M, max D~(x)),
       F(x) = D~(x) - D~_M - log(1 - exp(D~(x) - D~_M - eps)) - gamma with gamma = the ``percentile``-th
       percentile of F on the batch (or the fixed value ``gamma`` if given), and each x accepted with
       probability sigmoid(F(x)) (``decide``);
    3. until n samples are accepted or ``max_proposals`` (default 100 n) were drawn.

    D must return logits (a GAN discriminator, or ``calibrate(critic, ...)`` for a WGAN critic).
    Returns a namespace: ``x`` the accepted samples (at most n, on the CPU), ``acceptance_rate`` (accepted /
    proposed), ``proposed``, ``logit_max`` (final D~_M), ``gammas`` (one per batch), ``seconds``.
    """
    _check_n(n)
    _check_n(batch, "batch")
    if burn_in < 0:
        raise ValueError(f"burn_in must be >= 0, got {burn_in}")
    max_proposals = max_proposals or 100 * n
    dev = device_of(G)
    g = torch.Generator().manual_seed(seed)
    t0 = time.perf_counter()

    def propose(m):
        with torch.no_grad():
            x = G(torch.randn(m, G.z_dim, generator=g).to(dev))
            return x.cpu(), D(x).reshape(-1).double().cpu()

    logit_max = -math.inf
    for i in range(0, burn_in, batch):
        logit_max = max(logit_max, float(propose(min(batch, burn_in - i))[1].max()))
    kept, gammas, n_kept, proposed = [], [], 0, 0
    bar = tqdm(total=n, desc="DRS (accepted)", disable=not progress, leave=False)
    while n_kept < n and proposed < max_proposals:
        x, logit = propose(batch)
        proposed += batch
        logit_max = max(logit_max, float(logit.max()))
        accept, gam = decide(logit, logit_max, percentile, gamma, eps, generator=g)
        kept.append(x[accept])
        gammas.append(gam)
        n_kept += int(accept.sum())
        bar.update(min(int(accept.sum()), n - bar.n))
    bar.close()
    x = torch.cat(kept)[:n]
    return SimpleNamespace(x=x, acceptance_rate=n_kept / proposed, proposed=proposed, logit_max=logit_max,
                           gammas=gammas, seconds=time.perf_counter() - t0)
