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

Before calibrating, the paper trains D further against the final, frozen generator with the plain logistic loss
(``further_train``): at the end of GAN training D is the discriminator of the last few generators, and a
discriminator trained with a penalty (R1, a gradient penalty) or as a critic does not estimate log p_data / p_g.

References: Azadi et al., Discriminator Rejection Sampling, ICLR 2019 (arXiv:1810.06758).
"""
import copy
import math
import time
from types import SimpleNamespace

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from . import losses
from .nets import Generator, batched, device_of


def _check_gamma(gamma):
    """gamma may be any real number or -inf (accept everything); NaN would make every acceptance NaN."""
    if gamma is not None and math.isnan(float(gamma)):
        raise ValueError("gamma is NaN: give a number (gamma = 0: exact rejection sampling; gamma -> -inf accepts "
                         "everything), or gamma=None for the percentile rule")


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


def logistic_loss(logit_real, logit_fake):
    r"""The logistic (cross-entropy) loss of a logit D~ on real samples (label 1) and generated ones (label 0),

        L(D~) = E_real[softplus(-D~(y))] + E_fake[softplus(D~(x))]        (= -E log sigma(D~(y)) - E log(1 - sigma(D~(x)))),

    from the logits ``logit_real`` (n,) and ``logit_fake`` (m,); returns a float. Over all functions it is smallest
    at D~ = log p_data / p_g, the logit DRS needs, so on held-out samples it scores a density-ratio estimate: lower
    is closer (a proper scoring rule). A discriminator that cannot tell (D~ = 0) pays 2 log 2:

    >>> round(logistic_loss(torch.zeros(3), torch.zeros(5)), 4)
    1.3863
    """
    real, fake = torch.as_tensor(logit_real).double(), torch.as_tensor(logit_fake).double()
    return float(nn.functional.softplus(-real).mean() + nn.functional.softplus(fake).mean())


def fold(Dt):
    """A ``Calibrated`` logit a D + b as a plain copy of D: its last linear layer's weight and bias become
    a W and a c + b, so the copy computes a D(x) + b (for a D whose output is that layer's, as the kit's are).
    The further training starts from it, and it saves as the network it was.

    >>> D = nn.Sequential(nn.Linear(2, 1)); x = torch.randn(4, 2)
    >>> torch.allclose(fold(Calibrated(D, 3.0, -1.0))(x), 3.0 * D(x) - 1.0)
    True
    """
    D = copy.deepcopy(Dt.D)
    linear = [m for m in D.modules() if isinstance(m, nn.Linear)]
    if not linear:
        raise ValueError(f"{type(D).__name__} has no linear layer to fold the calibration into")
    last = linear[-1]
    with torch.no_grad():
        last.weight.mul_(Dt.a)
        last.bias.mul_(Dt.a).add_(Dt.b)
    return D


def further_train(G, D, real, steps, lr=1e-4, betas=(0.5, 0.999), batch_size=64, seed=0, monitor=None, every=0,
                  progress=True):
    r"""The paper's last training step: D trained further against the frozen final generator G with the plain
    logistic loss (``losses.gan_d_loss``, no R1 and no gradient penalty), ``steps`` Adam steps of

        min_D  E_{y ~ p_data}[softplus(-D(y))] + E_{z ~ N(0, I)}[softplus(D(G(z)))],

    whose minimiser over all functions is D~*(x) = log p_data(x) / p_g(x) (Goodfellow et al. 2014, Prop. 1).
    A penalty changes the minimiser: with R1, gamma / 2 E_data ||grad D||^2, the first variation gives
    p_g sigma(D) - p_data sigma(-D) = gamma div(p_data grad D), not 0, so D is flatter than log p_data / p_g where
    the data lie.

    G stays in eval mode and gets no gradient; D (in place) trains. ``real(n)`` draws n data points (e.g.
    ``data.batches``); ``monitor(D)`` -> float is recorded at step 0 and every ``every`` steps (and at the end).
    Returns a namespace: ``loss`` (per step), ``monitored`` [(step, value)], ``seconds`` (training, without the
    monitor's ``monitor_seconds``), ``steps_per_second``.
    """
    _check_n(steps, "steps")
    torch.manual_seed(seed)
    G.eval()
    opt = torch.optim.Adam(D.parameters(), lr=lr, betas=betas)
    dev = device_of(D)

    def record(step):
        t = time.perf_counter()
        D.eval()
        out.monitored.append((step, float(monitor(D))))
        D.train()
        out.monitor_seconds += time.perf_counter() - t

    out = SimpleNamespace(loss=[], monitored=[], monitor_seconds=0.0)
    t0 = time.perf_counter()
    if monitor is not None:
        record(0)
    D.train()
    for step in tqdm(range(1, steps + 1), desc="D against the frozen G", disable=not progress, leave=False):
        y = real(batch_size).to(dev)
        with torch.no_grad():
            x = G(G.noise(batch_size).to(device_of(G))).to(dev)
        loss = losses.gan_d_loss(D, y, x)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        out.loss.append(loss.item())
        if monitor is not None and every and (step % every == 0 or step == steps):
            record(step)
    D.eval()
    out.seconds = time.perf_counter() - t0 - out.monitor_seconds     # the training alone
    out.steps_per_second = steps / out.seconds
    return out


def improve(G, D, n, held_out=None, seed=0, progress=False, **settings):
    """n DRS samples of G (``sample`` with ``settings``) with the logit D calibrated on ``held_out`` real images
    against as many fresh samples of G (seed ``seed + 1``), or D's raw output when ``held_out`` is None.
    D is the discriminator DRS uses: as the paper runs it, one trained further against G (``further_train``; the
    kit's MNIST ones: ``drs_mnist.load(name).D_drs``). Returns (the samples on the CPU, the acceptance rate)."""
    Dt = D if held_out is None else calibrate(D, held_out, G.sample(len(held_out), seed + 1))
    r = sample(G, Dt, n, seed=seed, progress=progress, **settings)
    return r.x, r.acceptance_rate


class LineGenerator(Generator):
    """p_g = N(0, 1) on the line: g(z) = z, z ~ N(0, 1) (the proposals of ``GaussianLogRatio``'s exact case)."""

    z_dim = 1

    def forward(self, z):
        return z


class GaussianLogRatio(nn.Module):
    r"""The exact logit D~*(x) = log p_data(x) / p_g(x) for p_data = N(mean, std^2) and p_g = N(0, 1) on the line,

        D~*(x) = -log std - (x - mean)^2 / (2 std^2) + x^2 / 2,

    returned as (N,) for x of shape (N, 1) or (N,). For std < 1 it is bounded: its maximum, log M (``log_M``), is
    -log std + mean^2 / (2 (1 - std^2)), at x* = mean / (1 - std^2); for std >= 1 (and mean != 0 when std = 1) no
    finite M exists. Rejection sampling from N(0, 1) with it accepts at the rate 1 / M:

    >>> D = GaussianLogRatio(1.0, 0.5)
    >>> round(D.log_M, 4), round(float(D(torch.tensor([4 / 3]))), 4)
    (1.3598, 1.3598)
    """

    def __init__(self, mean, std):
        super().__init__()
        if not std > 0:
            raise ValueError(f"std must be positive, got {std}")
        self.mean, self.std = float(mean), float(std)

    def forward(self, x):
        x = torch.as_tensor(x).reshape(-1)
        return -math.log(self.std) - (x - self.mean) ** 2 / (2 * self.std ** 2) + x ** 2 / 2

    @property
    def log_M(self):
        if self.std > 1 or (self.std == 1 and self.mean != 0):
            return math.inf
        return -math.log(self.std) + (self.mean ** 2 / (2 * (1 - self.std ** 2)) if self.std < 1 else 0.0)


def F(logit, logit_max, gamma=0.0, eps=1e-6):
    r"""F(x) = D~(x) - D~_M - log(1 - exp(D~(x) - D~_M - eps)) - gamma, elementwise.

    logit (N,) the values D~(x); logit_max the bound D~_M (>= every logit: the running max). The log is
    computed as log(-expm1(.)) to stay accurate when D~(x) - D~_M is close to 0. Returns (N,) float64.

    >>> F(torch.tensor([-1.0]), 0.0, eps=0.0)       # -1 - log(1 - e^-1)
    tensor([-0.5413], dtype=torch.float64)
    """
    _check_gamma(gamma)
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
    _check_gamma(gamma)
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
    _check_gamma(gamma)
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
