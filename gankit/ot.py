r"""Semi-discrete optimal transport: c-transform, Laguerre cells, ASGD, and the semi-discrete WGAN.

Slides 001, "WGAN in the semi-discrete case" to "Example of semi-discrete WGAN". mu has a density (or is
known through samples x ~ mu), nu = sum_j nu_j delta_{y_j} has finite support Y = {y_1, ..., y_J}, and
the dual variable is a vector psi in R^J. The c-transform and the map T_psi

    psi^c(x) = min_j c(x, y_j) - psi_j,        T_psi(x) = y_{argmin_j c(x, y_j) - psi_j}

cut space into Laguerre cells L_psi(y_j) = T_psi^{-1}(y_j) (Voronoi cells when psi = 0). The semi-dual

    H(psi) = E_mu[psi^c(X)] + sum_j nu_j psi_j,        dH/dpsi_j = nu_j - mu(L_psi(y_j)),

is concave and W(mu, nu) = max_psi H(psi); at the maximum every cell holds its mass nu_j. ASGD (Genevay et
al. 2016) climbs H with batch gradients: psi~_k = psi~_{k-1} + gamma / sqrt(k) * grad, psi_k = running mean
of psi~_1..psi~_k, and E[W - H(psi_k)] = O(log k / sqrt k).

Shapes: x (N, d) samples of mu, y (J, d) support of nu, psi and nu (J,). Images may be passed as
(N, 1, 28, 28): they are flattened to d = 784. Costs: "sqeuclidean" |x - y|^2 and "euclidean" |x - y|.
Cost matrices are built ``CHUNK`` rows of x at a time: memory stays at one (CHUNK, J) matrix (in dimension
d <= 8, where the differences x_i - y_j are used for exactness, one (CHUNK, J, d) tensor), whatever N.
"""
import math
import time
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

COSTS = ("sqeuclidean", "euclidean")
CHUNK = 4096  # rows of x per cost matrix: 4096 x J floats (16 MB for J = 1000)


# ----------------------------------------------------------------------------- checks

def _points(x, name):
    """x as a float matrix (N, d): images (N, 1, 28, 28) are flattened."""
    x = torch.as_tensor(x)
    if x.dim() < 2:
        raise ValueError(f"{name} must be a matrix of points (N, d) (or images (N, 1, 28, 28)), got shape {tuple(x.shape)}")
    return x.flatten(1) if x.dim() > 2 else x


def _check(psi, x, y, cost_kind):
    if cost_kind not in COSTS:
        raise ValueError(f"unknown cost {cost_kind!r}; choose one of {COSTS}")
    x, y = _points(x, "x"), _points(y, "y")
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"x and y must live in the same space: x is {tuple(x.shape)}, y is {tuple(y.shape)}")
    if psi is not None:
        psi = torch.as_tensor(psi)
        if psi.shape != (y.shape[0],):
            raise ValueError(f"psi must have one value per point of y, shape ({y.shape[0]},); got {tuple(psi.shape)}")
        psi = psi.to(device=y.device, dtype=y.dtype)
    return psi, x.to(device=y.device, dtype=y.dtype), y


def _weights(nu, y):
    J = y.shape[0]
    if nu is None:
        return torch.full((J,), 1.0 / J, dtype=y.dtype, device=y.device)
    nu = torch.as_tensor(nu, dtype=y.dtype, device=y.device)
    if nu.shape != (J,) or (nu < 0).any() or abs(nu.sum().item() - 1) > 1e-4:
        raise ValueError(f"nu must be J = {J} non-negative weights summing to 1; got shape {tuple(nu.shape)}, sum {nu.sum().item():.4g}")
    return nu


# ----------------------------------------------------------------------------- cost, c-transform, T_psi

def cost(x, y, kind="sqeuclidean"):
    r"""Cost matrix C_ij = c(x_i, y_j): |x_i - y_j|^2 (``kind="sqeuclidean"``) or |x_i - y_j| ("euclidean").

    x (N, d), y (J, d) -> (N, J). Differentiable in x (for the generator's gradient).

    >>> cost(torch.tensor([[0.0, 0.0]]), torch.tensor([[3.0, 4.0]]), "euclidean")
    tensor([[5.]])
    """
    _, x, y = _check(None, x, y, kind)
    return _cost(x, y, kind)


def _cost(x, y, kind):
    if x.shape[1] <= 8:  # low dimension: the differences themselves (exact)
        sq = (x[:, None, :] - y[None, :, :]).pow(2).sum(-1)
    else:  # high dimension: |x|^2 + |y|^2 - 2 <x, y>, one matrix product
        sq = (x.pow(2).sum(1, keepdim=True) + y.pow(2).sum(1)[None, :] - 2 * x @ y.T).clamp_min(0)
    # |x - y| = sqrt(|x - y|^2); the 1e-12 keeps its gradient finite should x land exactly on a y_j
    return sq if kind == "sqeuclidean" else sq.clamp_min(1e-12).sqrt()


def _min_over_j(psi, x, y, kind, chunk=None):
    """(min_j c(x_i, y_j) - psi_j, argmin_j) for each row of x, one (chunk, J) cost matrix at a time."""
    chunk, values, index = chunk or CHUNK, [], []
    for i in range(0, x.shape[0], chunk):
        v, j = (_cost(x[i:i + chunk], y, kind) - psi[None, :]).min(dim=1)
        values.append(v)
        index.append(j)
    if not values:
        return x.new_zeros(0), torch.zeros(0, dtype=torch.long, device=x.device)
    return torch.cat(values), torch.cat(index)


def c_transform(psi, x, y, cost="sqeuclidean"):
    r"""The c-transform psi^c(x_i) = min_j c(x_i, y_j) - psi_j.

    psi (J,), x (N, d), y (J, d) -> (N,). Differentiable in x and psi (autograd picks the minimising j).
    With psi = 0 it is the cost to the nearest point of Y:

    >>> y = torch.tensor([[0.0, 0.0], [1.0, 0.0]])
    >>> c_transform(torch.zeros(2), torch.tensor([[0.2, 0.0], [0.9, 0.5]]), y)
    tensor([0.0400, 0.2600])
    """
    psi, x, y = _check(psi, x, y, cost)
    return _min_over_j(psi, x, y, cost)[0]


def laguerre_assign(psi, x, y, cost="sqeuclidean"):
    r"""T_psi as indices: j(x_i) = argmin_j c(x_i, y_j) - psi_j, so that x_i is in the Laguerre cell L_psi(y_j).

    psi (J,), x (N, d), y (J, d) -> (N,) long. Voronoi cells when psi = 0:

    >>> laguerre_assign(torch.zeros(2), torch.tensor([[0.2, 0.0], [0.9, 0.5]]), torch.tensor([[0.0, 0.0], [1.0, 0.0]]))
    tensor([0, 1])
    """
    psi, x, y = _check(psi, x, y, cost)
    with torch.no_grad():
        return _min_over_j(psi, x, y, cost)[1]


def cell_masses(psi, x, y, cost="sqeuclidean"):
    r"""mu(L_psi(y_j)) estimated on samples x ~ mu: the share of the x_i that T_psi sends to y_j.

    psi (J,), x (N, d), y (J, d) -> (J,), sums to 1.
    """
    j = laguerre_assign(psi, x, y, cost)
    return torch.bincount(j, minlength=_points(y, "y").shape[0]).to(_points(y, "y").dtype) / max(len(j), 1)


def semi_dual(psi, x, y, nu=None, cost="sqeuclidean"):
    r"""H(psi) = E_mu[psi^c(X)] + sum_j nu_j psi_j, the expectation estimated on samples x ~ mu.

    psi (J,), x (N, d), y (J, d), nu (J,) (default uniform 1/J) -> scalar tensor. H(psi) <= W(mu, nu),
    with equality at the optimal psi. The mean is taken in float64 (H is a small difference of large terms).
    """
    psi, x, y = _check(psi, x, y, cost)
    nu = _weights(nu, y)
    return c_transform(psi, x, y, cost).double().mean() + (nu.double() * psi.double()).sum()


def semi_dual_grad(psi, x, y, nu=None, cost="sqeuclidean"):
    r"""Stochastic gradient of H on the batch x: dH/dpsi_j = nu_j - mu(L_psi(y_j)).  (J,)"""
    psi, x, y = _check(psi, x, y, cost)
    return _weights(nu, y) - cell_masses(psi, x, y, cost)


# ----------------------------------------------------------------------------- ASGD

@dataclass
class ASGDHistory:
    """What ``asgd`` records every ``record_every`` steps: the step k, the averaged psi_k (on the CPU) and,
    when an evaluation sample ``x_eval`` is given, H(psi_k) and the cell masses mu(L_psi_k(y_j)) on it.
    ``seconds`` is the wall time of the ASGD steps alone (evaluations excluded)."""

    k: list = field(default_factory=list)
    psi: list = field(default_factory=list)
    H: list = field(default_factory=list)
    masses: list = field(default_factory=list)
    seconds: list = field(default_factory=list)  # ASGD wall time up to step k


def asgd(sample_mu, y, nu=None, cost="sqeuclidean", gamma=1.0, steps=2000, batch=256, psi0=None, progress=True,
         record_every=0, x_eval=None):
    r"""Maximise the semi-dual H by averaged stochastic gradient ascent (Genevay et al. 2016):

        psi~_k = psi~_{k-1} + gamma / sqrt(k) * (nu - mu_Bk(L_psi~_{k-1}))      (batch B_k ~ mu)
        psi_k  = (psi~_1 + ... + psi~_k) / k

    Parameters
    ----------
    sample_mu : function n -> (n, d) samples of mu (e.g. ``lambda n: torch.rand(n, 2)`` or a generator).
    y : (J, d) support of nu (or images (J, 1, 28, 28)).  nu : (J,) weights, default uniform.
    gamma : step size. Its natural scale is the cost's: ~1 for |x - y|^2 on the unit square with J ~ 100,
        larger for MNIST distances (|x - y|^2 ~ 100).
    steps, batch : number of steps k and samples per batch |B_k|.
    psi0 : (J,) warm start psi~_0 (default 0).
    record_every : record psi_k every so many steps (0: only at the end), or at the steps of a list
        (e.g. log-spaced, for log-log plots); ``x_eval`` (M, d) also records H(psi_k) and the cell masses
        on that fixed sample (one (chunk, J) cost matrix at a time).

    Returns (psi, history): the averaged psi_K (J,) and an ``ASGDHistory``.
    """
    if not callable(sample_mu):
        raise ValueError("sample_mu must be a function n -> (n, d) samples of mu, e.g. lambda n: torch.rand(n, 2)")
    if gamma <= 0 or steps < 1 or batch < 1:
        raise ValueError(f"need gamma > 0, steps >= 1 and batch >= 1; got gamma={gamma}, steps={steps}, batch={batch}")
    y = _points(y, "y")
    nu = _weights(nu, y)
    psi_t = torch.zeros_like(nu) if psi0 is None else _check(psi0, y[:1], y, cost)[0].detach().clone()
    psi = psi_t.clone()
    h, elapsed = ASGDHistory(), 0.0
    if isinstance(record_every, int):
        record = set(range(record_every, steps + 1, record_every)) if record_every > 0 else set()
    else:
        record = {int(k) for k in record_every}
    record.add(steps)
    if x_eval is not None:
        x_eval = _check(None, x_eval, y, cost)[1]
    for k in tqdm(range(1, steps + 1), desc="ASGD", disable=not progress, leave=False):
        t0 = time.perf_counter()
        with torch.no_grad():
            x = _points(sample_mu(batch), "sample_mu(n)").to(device=y.device, dtype=y.dtype)
            psi_t = psi_t + gamma / math.sqrt(k) * semi_dual_grad(psi_t, x, y, nu, cost)
            psi = psi + (psi_t - psi) / k
        elapsed += time.perf_counter() - t0
        if k in record:
            h.k.append(k)
            h.psi.append(psi.cpu().clone())
            h.seconds.append(elapsed)
            if x_eval is not None:  # H(psi_k) and mu(L_psi_k(y_j)) from one pass over x_eval
                with torch.no_grad():
                    v, j = _min_over_j(psi, x_eval, y, cost)
                    h.H.append((v.double().mean() + (nu.double() * psi.double()).sum()).item())
                    h.masses.append((torch.bincount(j, minlength=len(y)).to(y.dtype) / len(j)).cpu())
    return psi, h


# ----------------------------------------------------------------------------- exact references with POT

def unit_square_grid(n):
    """The n x n pixel centres of [0, 1]^2, shape (n^2, 2): the discretisation of mu = U([0,1]^2) (weights 1/n^2)."""
    g = (torch.arange(n, dtype=torch.float64) + 0.5) / n
    return torch.stack(torch.meshgrid(g, g, indexing="ij"), -1).reshape(-1, 2)


def exact_ot(x, y, nu=None, cost="sqeuclidean", mu=None):
    r"""W between the discrete measures sum_i mu_i delta_{x_i} and sum_j nu_j delta_{y_j} (POT's exact ``ot.emd2``),
    and its dual potential on Y: psi (J,) (defined up to a constant), to compare with ASGD's.

    x (N, d), y (J, d), mu (N,) default uniform, nu (J,) default uniform. Returns (W, psi).
    """
    import ot as pot  # POT (the package), not this module

    _, x, y = _check(None, _points(x, "x").double(), _points(y, "y").double(), cost)
    a = np.full(len(x), 1.0 / len(x)) if mu is None else np.asarray(mu, dtype=np.float64)
    b = _weights(nu, y).cpu().numpy()
    M = torch.cat([_cost(x[i:i + CHUNK], y, cost) for i in range(0, len(x), CHUNK)]).cpu().numpy()
    W, log = pot.emd2(a, b, M, log=True, numItermax=10 ** 7)
    if log.get("warning"):
        raise RuntimeError(f"POT's exact solver did not converge: {log['warning']}")
    return float(W), torch.as_tensor(log["v"])


# ----------------------------------------------------------------------------- semi-discrete WGAN

class LaguerreCritic(nn.Module):
    r"""The critic of the semi-discrete WGAN: D(x) = psi^c(x) = min_j c(x, y_j) - psi_j.

    It holds ASGD's state: the iterate psi~ (the parameter ``psi_tilde``, moved by ``ASGDStep``), the running
    average psi (buffer; what D uses), and k, the number of steps since the last warm restart.
    y (J, d) or images (J, 1, 28, 28); nu (J,) default uniform.
    """

    def __init__(self, y, nu=None, cost="sqeuclidean", psi0=None):
        super().__init__()
        y = _points(y, "y").float()
        _check(None, y[:1], y, cost)
        self.cost, self.k = cost, 0
        self.register_buffer("y", y)
        self.register_buffer("nu", _weights(nu, y))
        psi0 = torch.zeros(len(y)) if psi0 is None else _check(psi0, y[:1], y, cost)[0]
        self.psi_tilde = nn.Parameter(psi0.clone())
        self.register_buffer("psi", psi0.clone())

    def forward(self, x):
        return c_transform(self.psi, _points(x, "x"), self.y, self.cost)

    def restart(self):
        """Warm start of a new ASGD run: psi~_0 = the current psi, k = 0."""
        with torch.no_grad():
            self.psi_tilde.copy_(self.psi)
        self.k = 0


class ASGDStep(torch.optim.Optimizer):
    r"""One ASGD step on a ``LaguerreCritic`` D, after ``semi_dual_loss`` (= -H(psi~)) was back-propagated:

        psi~_k = psi~_{k-1} - gamma / sqrt(k) * grad(-H)(psi~_{k-1}),     psi_k = psi_{k-1} + (psi~_k - psi_{k-1}) / k
    """

    def __init__(self, critic, gamma):
        if gamma <= 0:
            raise ValueError(f"gamma must be > 0, got {gamma}")
        super().__init__([critic.psi_tilde], dict(gamma=gamma))
        self.critic = critic

    @torch.no_grad()
    def step(self, closure=None):
        D = self.critic
        D.k += 1
        D.psi_tilde -= self.param_groups[0]["gamma"] / math.sqrt(D.k) * D.psi_tilde.grad
        D.psi += (D.psi_tilde - D.psi) / D.k


def semi_dual_loss(D, y, x):
    r"""Critic loss for ``gankit.train.train``: -H(psi~) = -(mean_i psi~^c(x_i) + sum_j nu_j psi~_j) on the fake
    batch x = g_theta(z). Its gradient in psi~ is mu_x(L_psi~(y_j)) - nu_j. (The real batch y is not needed:
    nu is known exactly.)"""
    return -(c_transform(D.psi_tilde, _points(x, "x"), D.y, D.cost).mean() + (D.nu * D.psi_tilde).sum())


def c_transform_loss(D, x):
    r"""Generator loss: E[psi^c(g_theta(Z))] on the batch x. Its gradient is E[D_theta g^T grad_x c(x, T_psi(x))]."""
    return D(x).mean()


def semi_discrete_wgan(G, y, nu=None, cost="sqeuclidean", steps=1000, psi_steps=10, gamma=1.0, batch=64, lr=1e-3,
                       betas=(0.5, 0.999), psi0=None, snapshot_every=0, snapshot_z=None, callback=None, progress=True):
    r"""Semi-discrete WGAN (slides: "Alternate algorithm for semi-discrete WGAN learning"):

        min_theta max_psi H(psi, theta) = E[psi^c(g_theta(Z))] + sum_j nu_j psi_j,   for n = 1..steps:
            psi   <- ASGD on H(., theta), ``psi_steps`` steps of batch ``batch``, warm-started at the previous psi
            theta <- one Adam step (lr, betas) on E[psi^c(g_theta(Z))]

    It runs the kit's one training loop ``gankit.train.train`` with the critic D = psi^c (``LaguerreCritic``),
    ``semi_dual_loss`` / ``ASGDStep`` for psi and ``c_transform_loss`` / Adam for theta.
    G : generator (``noise``); y (J, d) or images (J, 1, 28, 28). ``callback(step, G, D)`` as in ``train``.

    Returns a namespace: G, D (psi is ``D.psi``), history (``train``'s History: g_loss = E[psi^c(g(Z))]) and
    W (list, one per generator step: the estimate H(psi, theta) = g_loss + sum_j nu_j psi_j of W(mu_theta, nu)).
    """
    from .data import batches
    from .loop import train

    dev = next(G.parameters()).device
    D = LaguerreCritic(y, nu, cost, psi0).to(dev)
    nu_psi = []

    def after_g_step(step, G, D):
        nu_psi.append(float((D.nu * D.psi).sum()))
        D.restart()
        if callback is not None:
            callback(step, G, D)

    h = train(G, D, batches(D.y), d_loss=semi_dual_loss, g_loss=c_transform_loss,
              opt_G=torch.optim.Adam(G.parameters(), lr=lr, betas=betas), opt_D=ASGDStep(D, gamma),
              steps=steps, batch_size=batch, n_critic=psi_steps, snapshot_every=snapshot_every,
              snapshot_z=snapshot_z, callback=after_g_step, progress=progress, desc="semi-discrete WGAN")
    return SimpleNamespace(G=G, D=D, history=h, W=[g + p for g, p in zip(h.g_loss, nu_psi)])


# ----------------------------------------------------------------------------- gradient of psi^c

def grad_norm_c_transform(psi, x, y, cost="sqeuclidean"):
    r"""||grad_x psi^c(x_i)|| at each x_i, by autograd: = ||grad_x c(x, T_psi(x))||.

    For c = |x - y| it is |(x - y_j) / |x - y_j|| = 1 wherever x != y_j (slides: "Remark linked to the
    Gradient Penalty"); for c = |x - y|^2 it is 2 |x - T_psi(x)|, not 1. x (N, d) -> (N,).
    """
    psi, x, y = _check(psi, x, y, cost)
    x = x.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(c_transform(psi.detach(), x, y, cost).sum(), x)
    return g.norm(dim=1)
