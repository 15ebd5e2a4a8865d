r"""Latent reweighting, after Issenhuth et al. (WACV 2022): a second network w(z) >= 0 on the latent space that
reweights the latent law gamma = N(0, Id) so that G#(w gamma) is closer to the data in W_1, and sampling by rejection
in the latent space, so that neither G nor D runs on a rejected code.

What the paper's abstract states (its full text is not available offline): a second network predicts importance
weights on the latent space, they give a principled way to reduce the Wasserstein distance to the data, and
sampling rejects codes in the latent space, so that neither G nor D runs on a rejected code (the abstract announces
two sampling methods; the kit implements rejection only). The formulation below is **the kit's reconstruction**, not
the paper's algorithm. By Kantorovich-Rubinstein duality, the weights that bring G#(w gamma) closest to the data nu
in W_1 solve

    min_w  max_{||D||_Lip <= 1}  E_nu[D(Y)] - E_gamma[w(Z) D(G(Z))]      subject to   E_gamma[w] = 1,   0 <= w <= m,

(the inner max is W_1(G#(w gamma), nu); against a *fixed* D the problem is linear in w and its solution keeps only
the codes D scores highest), and a code z ~ gamma is kept with probability min(w(z) / m, 1): the kept codes follow
w gamma, at the rate E_gamma[w] / m = 1 / m when w <= m. The kit's other choices:

- w(z) = softplus(h(z)), h an MLP z_dim -> 128 -> 128 -> 1 (LeakyReLU 0.2), started at w = 1 everywhere (``Weights``);
- the network returned is the exponential moving average of its parameters along training (``ema``; w against its
  critic is a min-max game whose iterates circle, as a GAN's do, and their average settles), rescaled once at the end
  so that its mean is 1 on ``CALIBRATION`` fresh codes (w is not linear in its parameters, so the average of the
  parameters does not keep the mean of w: it drifts by about 1-2% here);
- the constraints as penalties on ``penalty_batch`` fresh codes (they involve w alone, so many codes are cheap):
  lam_mean * (E[w] - 1)^2, estimated without bias as the product of the deviations of two independent halves,
  and lam_bound * E[(w - m)_+^2] (``penalties``);
- the critic's values standardised on each batch, s = (D(G(z)) - mean) / std, so that the weights of the penalties
  mean the same for every critic (with E[w] = 1 the shift changes nothing, the scale only the step size);
- the inner max by alternating steps: the critic (a copy of D; D itself is left unchanged) trained further by
  ``critic_steps`` WGAN-GP steps (the gradient penalty in place of the Lipschitz constraint) per step of w,
  against the *reweighted* model, so that its estimate stays the W_1 of G#(w gamma) (``critic_loss``).

Shapes: z (N, z_dim), w(z) (N,), G(z) (N, ...), D(x) (N,). Reference: T. Issenhuth, U. Tanielian, D. Picard,
J. Mary, Latent reweighting, an almost free improvement for GANs, WACV 2022 (arXiv:2110.09803).
"""
import copy
import math
import numbers
import time

import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from . import losses
from .loop import ema_update
from .nets import batched, device_of, evaluating, mlp

LAM_MEAN, LAM_BOUND, LAM_GP = 100.0, 100.0, 10.0   # the kit's penalty weights (see the module's docstring)
CALIBRATION = 65_536   # fresh codes on which the trained w is rescaled to mean 1


def _check_positive(value, what, integer=False):
    ok = isinstance(value, numbers.Integral) if integer else isinstance(value, numbers.Real)
    if isinstance(value, bool) or not ok or not value > 0 or (not integer and not math.isfinite(value)):
        raise ValueError(f"{what} must be a positive {'integer' if integer else 'finite number'}, got {value!r}")
    return value


def _check_bound(m):
    if isinstance(m, bool) or not isinstance(m, numbers.Real) or not 1 <= m < math.inf:
        raise ValueError(f"the bound m on w must be a finite number >= 1 (E[w] = 1 needs max w >= 1), got {m!r}")
    return float(m)


class Weights(nn.Module):
    r"""The importance weights w(z) = c softplus(h(z)) >= 0, h an MLP z_dim -> width (x depth) -> 1, c a constant
    (``scale``, 1 until ``train`` rescales), with the bound ``m`` it was trained for (the default of ``accept`` and
    ``sample``). Started at w = 1 (h's last layer zero, its bias softplus^{-1}(1) = log(e - 1)), i.e. at the plain
    generator. z (N, z_dim) -> w (N,).

    >>> W = Weights(z_dim=3, m=2.0)
    >>> W(torch.randn(4, 3)).detach()
    tensor([1., 1., 1., 1.])
    """

    def __init__(self, z_dim, width=128, depth=2, m=2.0):
        super().__init__()
        self.kwargs = dict(z_dim=z_dim, width=width, depth=depth, m=_check_bound(m))
        self.z_dim, self.m = z_dim, float(m)
        self.net = mlp([z_dim] + [width] * depth + [1], act=lambda: nn.LeakyReLU(0.2))
        nn.init.zeros_(self.net[-1].weight)
        nn.init.constant_(self.net[-1].bias, math.log(math.e - 1))
        self.register_buffer("scale", torch.ones(()))

    def forward(self, z):
        if z.dim() != 2 or z.shape[1] != self.z_dim:
            raise ValueError(f"expected latent codes of shape (N, {self.z_dim}), got {tuple(z.shape)}")
        return self.scale * F.softplus(self.net(z)).squeeze(-1)


def penalties(w, m):
    r"""The kit's constraint penalties on weights w (N,) of N >= 2 codes z ~ gamma, as a pair of scalars:

        (mean(w_A) - 1) (mean(w_B) - 1)      A, B the two halves: an unbiased estimate of (E[w] - 1)^2
        mean((w - m)_+^2)                    zero when w <= m everywhere

    (the squared deviation of one batch mean would add Var(w) / N, a pull towards w = 1). Two halves of mean 1.5 give
    (1.5 - 1)^2 = 0.25, and one weight 2.5 of four above m = 2 pays (2.5 - 2)^2 / 4:

    >>> [round(p.item(), 4) for p in penalties(torch.tensor([1.5, 1.5, 0.5, 2.5]), m=2.0)]
    [0.25, 0.0625]
    """
    if w.dim() != 1 or len(w) < 2:
        raise ValueError(f"expected weights of shape (N,) with N >= 2, got {tuple(w.shape)}")
    half = len(w) // 2
    return (w[:half].mean() - 1) * (w[half:2 * half].mean() - 1), (w - m).clamp(min=0).pow(2).mean()


def objective(w, s, m, w_pen=None, lam_mean=LAM_MEAN, lam_bound=LAM_BOUND):
    r"""The loss w is trained on: -E[w(z) s(z)] + lam_mean (E[w] - 1)^2 + lam_bound E[(w - m)_+^2], with
    s = (D(G(z)) - mean) / std the critic's values standardised on the batch. w, s (N,) on the same codes;
    ``w_pen`` (K,) the weights of other fresh codes that the penalties are estimated on (default w).

    The plain generator (w = 1) pays nothing but the mean score, 0 after standardisation:

    >>> objective(torch.ones(4), torch.tensor([1.0, 2.0, 3.0, 4.0]), m=2.0).item()
    0.0
    """
    if w.shape != s.shape or w.dim() != 1:
        raise ValueError(f"weights and critic values must both have shape (N,), got {tuple(w.shape)} and "
                         f"{tuple(s.shape)}")
    s = (s - s.mean()) / s.std().clamp(min=1e-12)
    p_mean, p_bound = penalties(w if w_pen is None else w_pen, m)
    return -(w * s).mean() + lam_mean * p_mean + lam_bound * p_bound


def dual_estimate(D, y, x, w):
    r"""The critic's Kantorovich-Rubinstein estimate of W_1(G#(w gamma), nu) on two batches:
    E_nu[D(Y)] - E_gamma[w(Z) D(G(Z))] ~ mean_j D(y_j) - sum_i w_i D(x_i) / sum_i w_i (the weights normalised on the
    batch). y (J, ...) data, x (N, ...) = G(z), w (N,) = w(z), detached. A linear critic of unit slope on 1D points
    gives the mean of y minus the weighted mean of x:

    >>> D = lambda v: v[:, 0]
    >>> dual_estimate(D, torch.tensor([[1.0], [1.0]]), torch.tensor([[0.0], [4.0]]), torch.tensor([3.0, 1.0])).item()
    0.0
    """
    w = w.detach()
    return D(y).mean() - (w * D(x)).sum() / w.sum()


def critic_loss(D, y, x, w, lam=LAM_GP):
    r"""The critic's WGAN-GP loss against the reweighted model, minimised by D: -``dual_estimate`` + lam GP(D)
    (``losses.gradient_penalty`` at interpolates of y and x, the same shapes). With w = 1 it is
    ``losses.wgan_gp_d_loss``; for a linear critic of unit slope the penalty is 0:

    >>> y, x = torch.randn(8, 2), torch.randn(8, 2); D = lambda v: v @ torch.tensor([0.6, 0.8])
    >>> bool(torch.isclose(critic_loss(D, y, x, torch.ones(8)), losses.wgan_gp_d_loss()(D, y, x)))
    True
    """
    return -dual_estimate(D, y, x, w) + lam * losses.gradient_penalty(D, y, x)


def train(G, D, steps, m=2.0, real=None, critic_steps=1, warmup=0, batch=256, critic_batch=64, penalty_batch=4096,
          lr=1e-3, critic_lr=1e-4, width=128, ema=0.99, seed=0, callback=None, progress=True, desc="latent weights"):
    r"""Train w(z) (``Weights`` with bound ``m``) for the generator G against the critic D: ``steps`` Adam steps
    (learning rate ``lr``) on ``objective`` over ``batch`` fresh codes z ~ gamma (G and D run on them without gradient:
    no gradient flows through G or D), the penalties on ``penalty_batch`` other fresh codes.

    real : function n -> n data points (``data.batches``). When given, a copy of D is trained further, first
        ``warmup`` steps against the plain generator, then ``critic_steps`` steps before each step of w
        (``critic_loss``, batches of ``critic_batch``, Adam ``critic_lr``, betas (0.5, 0.9)); None (or
        critic_steps=0): D stays as it is. D itself is never changed.
    seed : the codes, w's initial weights and the penalty's interpolates (the caller's RNG is left untouched).
    callback : called as callback(step, W, critic) after every step of w (for measurements and films).

    ema : the returned W is the exponential moving average of w's parameters with this factor (None: the last w);
        either is rescaled at the end to mean 1 on ``CALIBRATION`` fresh codes (W only runs on them).

    Returns W in eval mode, with ``W.history``: per step the batch's E[w] ("mean_w"), the loss ("loss"), and with
    ``real`` the critic's ``dual_estimate`` on the last critic batch, before its step ("gap"); the mean of w
    before the final rescaling ("mean_before_rescale"); "seconds" (wall) and "cpu_seconds" (this process's CPU time).
    """
    _check_positive(steps, "steps", integer=True)
    for v, what in ((batch, "batch"), (critic_batch, "critic_batch"), (penalty_batch, "penalty_batch")):
        _check_positive(v, what, integer=True)
    if critic_steps < 0 or warmup < 0:
        raise ValueError(f"critic_steps and warmup must be >= 0, got {critic_steps} and {warmup}")
    m, dev = _check_bound(m), device_of(G)
    g = torch.Generator().manual_seed(seed)
    codes = lambda n: torch.randn(n, G.z_dim, generator=g).to(dev)   # noqa: E731
    further = real is not None and critic_steps > 0
    critic = copy.deepcopy(D) if further else D
    hist, t0, cpu0 = {"mean_w": [], "loss": [], "gap": []}, time.perf_counter(), time.process_time()
    with torch.random.fork_rng(devices=[]), evaluating(G, critic):
        torch.manual_seed(seed)
        W = Weights(G.z_dim, width=width, m=m).to(dev)
        W_avg = copy.deepcopy(W) if ema else W
        opt = torch.optim.Adam(W.parameters(), lr=lr)
        opt_D = torch.optim.Adam(critic.parameters(), lr=critic_lr, betas=(0.5, 0.9)) if further else None

        def critic_step(weighted=True):
            z, y = codes(critic_batch), real(critic_batch).to(dev)
            with torch.no_grad():
                x, w = G(z), W(z) if weighted else torch.ones(critic_batch, device=dev)
            estimate = dual_estimate(critic, y, x, w)
            loss = -estimate + LAM_GP * losses.gradient_penalty(critic, y, x)   # = critic_loss
            opt_D.zero_grad(set_to_none=True)
            loss.backward()
            opt_D.step()
            return estimate.item()

        for _ in tqdm(range(warmup if further else 0), desc="critic warm-up", disable=not progress, leave=False):
            critic_step(weighted=False)
        for _ in tqdm(range(steps), desc=desc, disable=not progress, leave=False):
            if further:
                hist["gap"].append([critic_step() for _ in range(critic_steps)][-1])
            z = codes(batch)
            with torch.no_grad():
                s = critic(G(z)).reshape(-1)
            w = W(z)
            loss = objective(w, s, m, W(codes(penalty_batch)))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            hist["mean_w"].append(w.mean().item())
            hist["loss"].append(loss.item())
            if ema:
                ema_update(W_avg, W, ema)
            if callback is not None:
                callback(len(hist["loss"]), W_avg, critic)
        with torch.no_grad():
            mean = torch.cat([W_avg(codes(4096)) for _ in range(CALIBRATION // 4096)]).mean()
            hist["mean_before_rescale"] = mean.item()
            W_avg.scale /= mean
    hist["seconds"], hist["cpu_seconds"] = time.perf_counter() - t0, time.process_time() - cpu0
    W_avg.history = hist
    return W_avg.eval()


def accept(W, z, m=None, generator=None):
    r"""The rejection step in latent space: keep each code z_i with probability min(w(z_i) / m, 1) (m default
    ``W.m``, the bound w was trained under). z (N, z_dim) -> a boolean mask (N,); only W runs on the codes.
    The kept codes follow the law proportional to min(w, m) gamma (= w gamma where w <= m), at the rate
    E_gamma[min(w, m)] / m. A cap m below ``W.m`` gives a law between gamma (m -> 0) and w gamma (m = max w): the
    knob the kit sweeps with one trained w (the kit's choice).

    >>> W = Weights(z_dim=2, m=4.0)      # w = 1 everywhere: each code kept with probability 1/4
    >>> float(accept(W, torch.randn(40000, 2), generator=torch.Generator().manual_seed(0)).float().mean())
    0.25...
    """
    m = W.m if m is None else _check_positive(m, "the cap m")
    with torch.no_grad():
        p = (W(z.to(device_of(W))) / m).clamp(max=1).cpu()
    return torch.rand(len(p), generator=generator) < p


def sample(G, W, n, m=None, seed=0, batch=1000, max_proposals=None, progress=False):
    r"""n samples of G#(w gamma) by rejection in the latent space: codes z ~ gamma (``seed``), each kept with
    probability min(w(z) / m, 1) (``accept``), G run on the kept codes only. m defaults to ``W.m``. The first n
    proposals are ``G.sample(n, seed)``'s codes (then batches of the same stream; the coins: another stream, seed +
    10**9), so the plain generator on that seed is the control that keeps every code, and pairs with it.

    Returns (x (n, ...) on the CPU, acceptance = codes kept / codes proposed, about E[min(w, m)] / m = 1 / m).
    RuntimeError when fewer than n are kept from ``max_proposals`` codes (default 100 n).
    """
    _check_positive(n, "the number of samples n", integer=True)
    _check_positive(batch, "batch", integer=True)
    m = W.m if m is None else _check_positive(m, "the cap m")
    if getattr(G, "z_dim", W.z_dim) != W.z_dim:
        raise ValueError(f"the weights were trained on codes of size {W.z_dim}, the generator takes {G.z_dim}")
    g, coins, max_proposals = (torch.Generator().manual_seed(seed), torch.Generator().manual_seed(seed + 10**9),
                               max_proposals or 100 * n)
    kept, n_kept, proposed = [], 0, 0
    bar = tqdm(total=n, desc="reweighted (accepted)", disable=not progress, leave=False)
    while n_kept < n:
        if proposed >= max_proposals:
            raise RuntimeError(f"only {n_kept} of {n} codes kept from {proposed} proposals (acceptance "
                               f"{n_kept / proposed:.2%}): raise max_proposals or lower m")
        size = batch if proposed else n            # the first draw: G.noise(n, seed)'s codes
        z = torch.randn(size, W.z_dim, generator=g)
        z = z[accept(W, z, m, generator=coins)]
        kept.append(z)
        n_kept, proposed = n_kept + len(z), proposed + size
        bar.update(min(len(z), n - bar.n))
    bar.close()
    z = torch.cat(kept)[:n]
    with evaluating(G):
        return batched(G, z, batch), n_kept / proposed


def save(path, W, meta):
    """Save the weights W (a ``Weights``: its constructor arguments and parameters) with the dict ``meta`` (what made
    it) to the file ``path``; returns the path."""
    torch.save({"meta": meta, "kwargs": W.kwargs, "state": {k: t.detach().cpu() for k, t in W.state_dict().items()}},
               path)
    return path


def load(path, device="cpu"):
    """The ``Weights`` that ``save`` wrote to ``path``, in eval mode on ``device``, with its ``meta``.

    >>> import tempfile, os; W = Weights(z_dim=2, m=3.0); f = os.path.join(tempfile.mkdtemp(), "w.pt")
    >>> V = load(save(f, W, {"seed": 0})); V.m, V.meta, torch.equal(V(torch.ones(1, 2)), W(torch.ones(1, 2)))
    (3.0, {'seed': 0}, True)
    """
    blob = torch.load(path, map_location="cpu", weights_only=True)
    W = Weights(**blob["kwargs"])
    W.load_state_dict(blob["state"])
    W.meta = blob["meta"]
    return W.to(device).eval()
