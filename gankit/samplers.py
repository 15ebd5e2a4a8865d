r"""Better samples from a trained GAN, using its discriminator after training: rejection (DRS) and transport (DOT).

Discriminator Rejection Sampling (Azadi, Olsson, Darrell, Goodfellow and Odena, ICLR 2019). The optimal
discriminator of a GAN is D* = sigmoid(D~*) with D~*(x) = log p_data(x) / p_g(x) (its logit), so rejection
sampling from p_g with the bound M = max_x p_data / p_g, i.e. accepting x ~ p_g with probability
exp(D~(x) - D~_M), returns samples of p_data. The paper's practical algorithm (Section 3.2):

    1. burn-in:  D~_M = max of D~ over ``burn_in`` generated samples, then  D~_M <- max(D~_M, max D~(batch))
    2. F(x) = D~(x) - D~_M - log(1 - exp(D~(x) - D~_M - eps)) - gamma        (eps = 1e-6 keeps the log finite)
    3. accept x with probability sigmoid(F(x)); gamma = the q-th percentile of F on each batch (q = 95).

With gamma = 0, sigmoid(F(x)) = exp(D~(x) - D~_M) (up to eps): exact rejection sampling. A gamma below 0
multiplies the small acceptance probabilities by about exp(-gamma) (more samples, more diversity); gamma -> -inf
accepts everything (the plain generator). A WGAN critic is not a logit: ``calibrate`` first fits
D~ = a D + b by logistic regression on held-out real and generated samples (Platt scaling).

Discriminator Optimal Transport (Tanaka, NeurIPS 2019). For the optimal critic D* of W_1 (1-Lipschitz),
the transport map from the generator's samples y to the data is T(y) = argmin_x { ||x - y|| - D*(x) }. With a
trained D of effective Lipschitz constant K_eff, Algorithm 1 (target space) runs, from x = y,

    x <- x - eps * grad_x { ||x - y + delta||_2 - D(x) / K_eff },      delta = 0.001 in every coordinate,
    K_eff = max over pairs (x, y) of generated samples of |D(x) - D(y)| / ||x - y||_2     (about 100 pairs),

(delta keeps the gradient of the norm finite at x = y) and latent space DOT does the same on z with D o G:

    z <- z - eps * grad_z { ||z - z_y + delta||_2 - D(G(z)) / k_eff },  k_eff = max |D(G(z)) - D(G(z'))| / ||z - z'||_2,

keeping z where the prior puts its mass: clipped to [-1, 1] for a uniform prior; for the kit's Gaussian prior
N(0, Id) (mass near the sphere ||z|| = sqrt(dim)) the gradient's radial part is removed and ||z|| stays ||z_y||.
The paper's settings: SGD lr 0.01, 10 to 100 updates (images, latent space); Adam(0.01, betas (0, 0.9)), 100 steps
(2D toys, target space).
"""
import math
import time
from types import SimpleNamespace

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from . import loop

# ============================================================================= DRS


def _device(module):
    p = next(module.parameters(), None)
    return p.device if p is not None else torch.device("cpu")


def _check_n(n, what="n"):
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"{what} must be a positive integer, got {n!r}")


def scores(D, x, batch=1000):
    """D(x) for x (N, ...) in batches, no gradient: (N,) on the CPU."""
    dev = _device(D)
    with torch.no_grad():
        return torch.cat([D(x[i:i + batch].to(dev)).reshape(-1).cpu() for i in range(0, len(x), batch)])


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
    log density ratio is 2 s, so (a, b) -> (2, 0).
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
    a, b = fit_logistic(scores(D, real, batch), scores(D, fake, batch))
    return Calibrated(D, a, b)


def drs_F(logit, logit_max, gamma=0.0, eps=1e-6):
    r"""F(x) = D~(x) - D~_M - log(1 - exp(D~(x) - D~_M - eps)) - gamma, elementwise.

    logit (N,) the values D~(x); logit_max the bound D~_M (>= every logit: the running max). The log is
    computed as log(-expm1(.)) to stay accurate when D~(x) - D~_M is close to 0.
    """
    logit = torch.as_tensor(logit, dtype=torch.float64)
    delta = logit - float(logit_max)
    if (delta > 0).any():
        raise ValueError(f"logit_max = {float(logit_max):g} is below the largest logit {float(logit.max()):g}: "
                         "update the running max before computing F")
    return delta - torch.log(-torch.expm1(delta - eps)) - gamma


def drs_acceptance(logit, logit_max, gamma=0.0, eps=1e-6):
    """The DRS acceptance probability sigmoid(F(x)) (``drs_F``), (N,) in [0, 1], float64."""
    return torch.sigmoid(drs_F(logit, logit_max, gamma, eps))


def percentile_gamma(F0, q=95.0):
    """gamma = the q-th percentile of F0 = F(x) + gamma (i.e. F computed with gamma = 0), as in the paper."""
    if not 0 <= q <= 100:
        raise ValueError(f"the percentile q must be in [0, 100], got {q}")
    return float(torch.quantile(torch.as_tensor(F0, dtype=torch.float64), q / 100))


def drs_accept(logit, logit_max, percentile=95.0, gamma=None, eps=1e-6, generator=None):
    """One DRS decision per sample of a batch: accept with probability sigmoid(F(x)), gamma = the ``percentile``-th
    percentile of F on the batch (or the fixed ``gamma``). logit (N,) the values D~(x) of the batch, logit_max
    the running max D~_M (already updated with this batch). Returns (accepted (N,) bool, gamma)."""
    F0 = drs_F(logit, logit_max, 0.0, eps)
    gam = percentile_gamma(F0, percentile) if gamma is None else float(gamma)
    u = torch.rand(len(F0), generator=generator, dtype=torch.float64)
    return u < torch.sigmoid(F0 - gam), gam


def drs(G, D, n, burn_in=10000, percentile=95.0, gamma=None, eps=1e-6, batch=1000, max_proposals=None, seed=0,
        progress=True):
    r"""Discriminator Rejection Sampling: up to n samples of G accepted by the calibrated logit D~ = D.

    1. burn-in: D~_M = max D~(G(z)) over ``burn_in`` samples;
    2. for each batch of ``batch`` proposals x = G(z): D~_M <- max(D~_M, max D~(x)),
       F(x) = D~(x) - D~_M - log(1 - exp(D~(x) - D~_M - eps)) - gamma with gamma = the ``percentile``-th
       percentile of F on the batch (or the fixed value ``gamma`` if given), and each x accepted with
       probability sigmoid(F(x)) (``drs_accept``);
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
    dev = _device(G)
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
        accept, gam = drs_accept(logit, logit_max, percentile, gamma, eps, generator=g)
        kept.append(x[accept])
        gammas.append(gam)
        n_kept += int(accept.sum())
        bar.update(min(int(accept.sum()), n - bar.n))
    bar.close()
    x = torch.cat(kept)[:n]
    return SimpleNamespace(x=x, acceptance_rate=n_kept / proposed, proposed=proposed, logit_max=logit_max,
                           gammas=gammas, seconds=time.perf_counter() - t0)


def mixture_quality(x, centres, std, within=4.0):
    """The DRS paper's toy measures: a sample x (N, 2) is of high quality when it lies within ``within`` standard
    deviations of the nearest centre (centres (K, 2), each gaussian of std ``std``); a mode is covered when it has
    at least one high-quality sample. Returns a namespace: ``high_quality`` (share), ``modes`` (covered),
    ``counts`` (K,) high-quality samples per mode, and ``spread``: the mean distance of the high-quality samples
    to their centre divided by the data's, std sqrt(pi / 2) (about 1 for samples of the mixture, 0 for samples
    collapsed on the centres)."""
    if x.dim() != 2 or x.shape[1] != centres.shape[1]:
        raise ValueError(f"expected samples (N, {centres.shape[1]}), got {tuple(x.shape)}")
    d, k = torch.cdist(x.float(), centres.float()).min(1)
    good = d <= within * std
    counts = torch.bincount(k[good], minlength=len(centres))
    spread = (d[good].mean() / (std * math.sqrt(math.pi / 2))).item() if good.any() else float("nan")
    return SimpleNamespace(high_quality=good.float().mean().item(), modes=int((counts > 0).sum()), counts=counts,
                           spread=spread)


# ============================================================================= DOT


def transport_cost(x, y, delta=1e-3):
    """||x - y + delta||_2 per sample (the paper's distance, not squared), over all coordinates: (N,)."""
    return (x - y + delta).flatten(1).norm(dim=1)


def lipschitz_ratio(f, u, v):
    """max_i |f(u_i) - f(v_i)| / ||u_i - v_i||_2 over the pairs (u_i, v_i): a lower estimate of f's Lipschitz constant."""
    if u.shape != v.shape:
        raise ValueError(f"pairs need the same shapes, got {tuple(u.shape)} and {tuple(v.shape)}")
    with torch.no_grad():
        return float(((f(u) - f(v)).abs().reshape(-1) / (u - v).flatten(1).norm(dim=1)).max())


def K_eff(G, D, pairs=100, seed=0):
    """K_eff = max over ``pairs`` pairs (x, x') = (G(z), G(z')) of |D(x) - D(x')| / ||x - x'||_2 (target space)."""
    _check_n(pairs, "pairs")
    g = torch.Generator().manual_seed(seed)
    dev = _device(G)
    with torch.no_grad():
        z = torch.randn(2 * pairs, G.z_dim, generator=g).to(dev)
        x = G(z)
    return lipschitz_ratio(D, x[:pairs], x[pairs:])


def k_eff(G, D, pairs=100, seed=0):
    """k_eff = max over ``pairs`` pairs (z, z') ~ N(0, Id) of |D(G(z)) - D(G(z'))| / ||z - z'||_2 (latent space)."""
    _check_n(pairs, "pairs")
    g = torch.Generator().manual_seed(seed)
    z = torch.randn(2 * pairs, G.z_dim, generator=g).to(_device(G))
    return lipschitz_ratio(lambda u: D(G(u)), z[:pairs], z[pairs:])


def _transport(objective, start, steps, lr, optimizer, betas, project, batch, keep, progress, desc):
    """Minimise sum_i objective(u_i, u0_i) over u from u0 = start, batch by batch; ``project(u, u0, grad)``
    returns the gradient to use and ``project(u, u0, None)`` corrects u after a step. Returns u, or
    {step: u} for the steps in ``keep`` (and ``steps``)."""
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    _check_n(batch, "batch")
    marks = sorted({int(s) for s in (keep or ())} | {steps})
    if marks[0] < 0 or marks[-1] > steps:
        raise ValueError(f"keep must list steps between 0 and {steps}, got {keep!r}")
    out = {s: [] for s in marks}
    bar = tqdm(total=steps * (-(-len(start) // batch)), desc=desc, disable=not progress or steps == 0, leave=False)
    for i in range(0, len(start), batch):
        u0 = start[i:i + batch].detach()
        u = u0.clone().requires_grad_(True)
        opt = loop.optimizer(optimizer, [u], lr, betas)
        if 0 in out:
            out[0].append(u0.cpu().clone())
        for step in range(1, steps + 1):
            (grad,) = torch.autograd.grad(objective(u, u0).sum(), u)
            u.grad = project(u.detach(), u0, grad)
            opt.step()
            with torch.no_grad():
                u.copy_(project(u.detach(), u0, None))
            if step in out:
                out[step].append(u.detach().cpu().clone())
            bar.update()
    bar.close()
    result = {s: torch.cat(v) for s, v in out.items()}
    return result if keep is not None else result[steps]


def _eval_mode(*modules):
    flags = [m.training for m in modules]
    for m in modules:
        m.eval()
    return flags


def dot_target(D, y, K, steps=100, lr=0.01, optimizer="adam", betas=(0.0, 0.9), delta=1e-3, box=None, batch=1000,
               keep=None, progress=True):
    r"""Target space DOT (Tanaka 2019, Algorithm 1): from x = y, ``steps`` updates of

        x <- x - lr * grad_x { ||x - y + delta||_2 - D(x) / K }        (per sample; K = ``K_eff(G, D)``)

    with ``optimizer`` "adam" (betas, the paper's 2D setting: Adam(0.01, (0, 0.9)), 100 steps) or "sgd".
    y (N, ...) generated samples; ``box`` = (lo, hi) clips x after each step (images: (-1, 1)).
    Returns T(y) with y's shape on the CPU, or {step: x} for the steps in ``keep`` (0 gives y) and ``steps``.
    """
    if K <= 0:
        raise ValueError(f"K_eff must be positive, got {K}")
    flags = _eval_mode(D)
    dev = _device(D)

    def project(x, y0, grad):
        if grad is not None:
            return grad
        return x if box is None else x.clamp(*box)

    try:
        return _transport(lambda x, y0: transport_cost(x, y0, delta) - D(x).reshape(-1) / K, y.to(dev), steps, lr,
                          optimizer, betas, project, batch, keep, progress, "DOT (target space)")
    finally:
        D.train(flags[0])


def dot_latent(G, D, z_y, k, steps=10, lr=0.01, optimizer="sgd", betas=(0.0, 0.9), prior="gaussian", delta=1e-3,
               batch=1000, keep=None, progress=True):
    r"""Latent space DOT: from z = z_y, ``steps`` updates (SGD lr 0.01, 10 to 100 updates in the paper) of

        z <- z - lr * grad_z { ||z - z_y + delta||_2 - D(G(z)) / k }      (per sample; k = ``k_eff(G, D)``)

    keeping z in the prior's support: ``prior="gaussian"`` (the kit's N(0, Id)) removes the radial part of the
    gradient, g <- g - z <g, z> / ||z||^2, and rescales z to its starting norm ||z_y|| after each step (z stays
    on its sphere, where a high-dimensional Gaussian puts its mass); ``"uniform"`` clips z to [-1, 1]; None
    does nothing. z_y (N, z_dim). Returns T(z_y) (N, z_dim) on the CPU (images: ``G(T(z_y))``), or {step: z}
    for the steps in ``keep`` (0 gives z_y) and ``steps``.
    """
    if k <= 0:
        raise ValueError(f"k_eff must be positive, got {k}")
    if prior not in ("gaussian", "uniform", None):
        raise ValueError(f"prior must be 'gaussian', 'uniform' or None, got {prior!r}")
    if z_y.dim() != 2 or z_y.shape[1] != G.z_dim:
        raise ValueError(f"expected latent codes of shape (N, {G.z_dim}), got {tuple(z_y.shape)}")
    flags = _eval_mode(G, D)
    dev = _device(G)

    def project(z, z0, grad):
        if prior == "gaussian":
            if grad is not None:
                return grad - z * (grad * z).sum(1, keepdim=True) / (z * z).sum(1, keepdim=True)
            return z * (z0.norm(dim=1, keepdim=True) / z.norm(dim=1, keepdim=True))
        if grad is not None:
            return grad
        return z.clamp(-1, 1) if prior == "uniform" else z

    try:
        return _transport(lambda z, z0: transport_cost(z, z0, delta) - D(G(z)).reshape(-1) / k, z_y.to(dev), steps,
                          lr, optimizer, betas, project, batch, keep, progress, "DOT (latent space)")
    finally:
        G.train(flags[0])
        D.train(flags[1])


# ============================================================================= comparison


def generate(G, n, seed=0, batch=1000):
    """n samples G(z), z ~ N(0, Id) drawn with ``seed``: (N, ...) on the CPU, no gradient."""
    g = torch.Generator().manual_seed(seed)
    z = torch.randn(n, G.z_dim, generator=g)
    dev = _device(G)
    with torch.no_grad():
        return torch.cat([G(z[i:i + batch].to(dev)).cpu() for i in range(0, n, batch)])


DEFAULTS = dict(
    drs=dict(burn_in=10000, percentile=95.0),
    dot_target=dict(steps=20, lr=0.01, optimizer="sgd", box=(-1, 1)),
    dot_latent=dict(steps=10, lr=0.01, optimizer="sgd", prior="gaussian"),
)


def improve(method, G, D, n, seed=0, held_out=None, settings=None, progress=False):
    """n samples of G post-processed by ``method`` ("baseline", "DRS", "DOT target", "DOT latent") with ``settings``
    (default ``DEFAULTS``). DRS uses ``calibrate(D, held_out, fresh samples)`` when ``held_out`` real images are
    given, D's raw output otherwise. Returns (samples on the CPU, acceptance rate or None)."""
    if method == "baseline":
        return generate(G, n, seed), None
    if method == "DRS":
        Dt = D if held_out is None else calibrate(D, held_out, generate(G, len(held_out), seed + 1))
        r = drs(G, Dt, n, seed=seed, progress=progress, **{**DEFAULTS["drs"], **(settings or {})})
        return r.x, r.acceptance_rate
    if method == "DOT target":
        K = K_eff(G, D, seed=seed + 1)
        return dot_target(D, generate(G, n, seed), K, progress=progress, **{**DEFAULTS["dot_target"], **(settings or {})}), None
    if method == "DOT latent":
        k = k_eff(G, D, seed=seed + 1)
        z = torch.randn(n, G.z_dim, generator=torch.Generator().manual_seed(seed))
        z = dot_latent(G, D, z, k, progress=progress, **{**DEFAULTS["dot_latent"], **(settings or {})})
        return generate_from(G, z), None
    raise ValueError(f"unknown method {method!r}; choose one of {METHODS}")


METHODS = ("baseline", "DRS", "DOT target", "DOT latent")


def generate_from(G, z, batch=1000):
    """G(z) in batches, no gradient, on the CPU."""
    dev = _device(G)
    with torch.no_grad():
        return torch.cat([G(z[i:i + batch].to(dev)).cpu() for i in range(0, len(z), batch)])


def compare(models, real_features, n=10000, held_out=None, methods=METHODS, settings=None, seed=0, progress=True):
    """The closing comparison: for each model (name -> object with ``.G`` and ``.D``, e.g. a checkpoint) and each
    method, n post-processed samples measured by ``gankit.metrics.report`` against ``real_features`` (features of
    real test images), timed. ``settings`` maps a method to its keyword arguments (see ``DEFAULTS``).

    Returns a list of rows (dicts): model, method, fid, precision, recall, classes_covered, acceptance
    (DRS only), seconds_per_1000 (wall time to produce the samples, per 1000).
    """
    from . import metrics

    settings = settings or {}
    rows = []
    jobs = [(name, m) for name in models for m in methods]
    for name, method in tqdm(jobs, desc="compare", disable=not progress, leave=False):
        ck = models[name]
        t0 = time.perf_counter()
        x, rate = improve(method, ck.G, ck.D, n, seed=seed, held_out=held_out, settings=settings.get(method))
        seconds = time.perf_counter() - t0
        r = metrics.report(x, real_features=real_features)
        rows.append(dict(model=name, method=method, fid=r["fid"], precision=r["precision"], recall=r["recall"],
                         classes_covered=r["classes_covered"], acceptance=rate, n=len(x),
                         seconds_per_1000=1000 * seconds / len(x)))
    return rows


def comparison_table(rows):
    """The rows of ``compare`` as a Markdown table (FID change relative to each model's baseline)."""
    base = {r["model"]: r["fid"] for r in rows if r["method"] == "baseline"}
    lines = ["| generator | method | MNIST-FID | change | precision | recall | classes covered | accepted | s / 1000 samples |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        change = f"{100 * (r['fid'] / base[r['model']] - 1):+.1f}%" if r["model"] in base else ""
        acc = f"{r['acceptance']:.1%}" if r["acceptance"] is not None else ""
        lines.append(f"| {r['model']} | {r['method']} | {r['fid']:.2f} | {change} | {r['precision']:.3f} | "
                     f"{r['recall']:.3f} | {r['classes_covered']} | {acc} | {r['seconds_per_1000']:.2f} |")
    return "\n".join(lines)


def closing_comparison(n=10000, models=("dcgan_adam", "wgan_gp"), held_out=2000, progress=True):
    """Notebook 06's closing table for the shipped checkpoints ``models``: each method on n samples, measured against
    the MNIST test digits except the last ``held_out``, which calibrate DRS. Returns (rows of ``compare``, caption)."""
    from . import checkpoints, data, metrics

    x_test = data.mnist(train=False)[0]
    x_cal, x_ref = x_test[-held_out:], x_test[:-held_out]
    rows = compare({name: checkpoints.load(name) for name in models}, metrics.features(x_ref), n=n, held_out=x_cal,
                   progress=progress)
    caption = (f"{n:,} samples per method against {len(x_ref):,} MNIST test digits; DRS calibrated on the other "
               f"{len(x_cal):,}; settings `gankit.samplers.DEFAULTS` = `{DEFAULTS}`")
    return rows, caption


def main(argv=None):
    """``python -m gankit.samplers [--n 10000]``: the closing comparison of notebook 06 as a Markdown table."""
    import argparse

    p = argparse.ArgumentParser(prog="python -m gankit.samplers", description=main.__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=10000, help="samples per method (default 10,000)")
    p.add_argument("--models", nargs="+", default=["dcgan_adam", "wgan_gp"], help="checkpoint names")
    p.add_argument("--held-out", type=int, default=2000, help="test digits kept for DRS's calibration (not measured)")
    a = p.parse_args(argv)
    rows, caption = closing_comparison(a.n, a.models, a.held_out)
    print(caption + "\n")
    print(comparison_table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
