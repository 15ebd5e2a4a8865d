r"""Semi-discrete optimal transport: c-transform, Laguerre cells, ASGD (the semi-discrete WGAN: ``gankit.sdwgan``).

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

import numpy as np
import ot as pot  # POT, the package
import torch
from tqdm.auto import tqdm

COSTS = ("sqeuclidean", "euclidean")
CHUNK = 4096  # rows of x per cost matrix: 4096 x J floats (16 MB for J = 1000)


# ----------------------------------------------------------------------------- checks (shared with sdwgan)

def as_points(x, name):
    """x as a float matrix (N, d): images (N, 1, 28, 28) are flattened."""
    x = torch.as_tensor(x)
    if x.dim() < 2:
        raise ValueError(f"{name} must be a matrix of points (N, d) (or images (N, 1, 28, 28)), got shape {tuple(x.shape)}")
    return x.flatten(1) if x.dim() > 2 else x


def check_inputs(psi, x, y, cost_kind):
    """(psi, x, y) checked and on y's device and dtype: a known cost, x and y point sets of the same dimension
    (``as_points``), psi (when not None) one value per point of y. ValueError that says what is wrong otherwise."""
    if cost_kind not in COSTS:
        raise ValueError(f"unknown cost {cost_kind!r}; choose one of {COSTS}")
    x, y = as_points(x, "x"), as_points(y, "y")
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"x and y must live in the same space: x is {tuple(x.shape)}, y is {tuple(y.shape)}")
    if psi is not None:
        psi = torch.as_tensor(psi)
        if psi.shape != (y.shape[0],):
            raise ValueError(f"psi must have one value per point of y, shape ({y.shape[0]},); got {tuple(psi.shape)}")
        psi = psi.to(device=y.device, dtype=y.dtype)
    return psi, x.to(device=y.device, dtype=y.dtype), y


def as_weights(nu, y):
    """nu as J = len(y) weights on y's device and dtype, uniform when None; ValueError unless they are non-negative and
    sum to 1."""
    J = y.shape[0]
    if nu is None:
        return torch.full((J,), 1.0 / J, dtype=y.dtype, device=y.device)
    nu = torch.as_tensor(nu, dtype=y.dtype, device=y.device)
    if nu.shape != (J,) or (nu < 0).any() or abs(nu.sum().item() - 1) > 1e-4:
        raise ValueError(f"nu must be J = {J} non-negative weights summing to 1; got shape {tuple(nu.shape)}, sum {nu.sum().item():.4g}")
    return nu


# ----------------------------------------------------------------------------- cost, c-transform, T_psi

def cost_matrix(x, y, kind="sqeuclidean"):
    r"""Cost matrix C_ij = c(x_i, y_j): |x_i - y_j|^2 (``kind="sqeuclidean"``) or |x_i - y_j| ("euclidean").

    x (N, d), y (J, d) -> (N, J). Differentiable in x (for the generator's gradient).

    >>> cost_matrix(torch.tensor([[0.0, 0.0]]), torch.tensor([[3.0, 4.0]]), "euclidean")
    tensor([[5.]])
    """
    _, x, y = check_inputs(None, x, y, kind)
    return _cost(x, y, kind)


def _cost(x, y, kind):
    if x.shape[1] <= 8:  # low dimension: the differences themselves (exact)
        sq = (x[:, None, :] - y[None, :, :]).pow(2).sum(-1)
    else:  # high dimension: |x|^2 + |y|^2 - 2 <x, y>, one matrix product
        sq = (x.pow(2).sum(1, keepdim=True) + y.pow(2).sum(1)[None, :] - 2 * x @ y.T).clamp_min(0)
    if kind == "sqeuclidean":
        return sq
    # |x - y| = sqrt(|x - y|^2), exactly 0 (with gradient 0, not NaN) where x lands on a y_j
    return torch.where(sq > 0, torch.where(sq > 0, sq, 1.0).sqrt(), 0.0)


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
    psi, x, y = check_inputs(psi, x, y, cost)
    return _min_over_j(psi, x, y, cost)[0]


def laguerre_assign(psi, x, y, cost="sqeuclidean"):
    r"""T_psi as indices: j(x_i) = argmin_j c(x_i, y_j) - psi_j, so that x_i is in the Laguerre cell L_psi(y_j).

    psi (J,), x (N, d), y (J, d) -> (N,) long. Voronoi cells when psi = 0:

    >>> laguerre_assign(torch.zeros(2), torch.tensor([[0.2, 0.0], [0.9, 0.5]]), torch.tensor([[0.0, 0.0], [1.0, 0.0]]))
    tensor([0, 1])
    """
    psi, x, y = check_inputs(psi, x, y, cost)
    with torch.no_grad():
        return _min_over_j(psi, x, y, cost)[1]


def cell_masses(psi, x, y, cost="sqeuclidean"):
    r"""mu(L_psi(y_j)) estimated on samples x ~ mu: the share of the x_i that T_psi sends to y_j.

    psi (J,), x (N, d), y (J, d) -> (J,), sums to 1.
    """
    j = laguerre_assign(psi, x, y, cost)
    return torch.bincount(j, minlength=as_points(y, "y").shape[0]).to(as_points(y, "y").dtype) / max(len(j), 1)


def map_cost(psi, x, y, cost="sqeuclidean"):
    r"""The map T_psi on the points x (N, d), each of mass 1/N: its cost mean_i c(x_i, T_psi(x_i)) (a float,
    = mean_i psi^c(x_i) + psi_j(i)) and its image (T_psi)_# mu, the ``cell_masses`` (J,). Whatever psi, T_psi is
    an optimal map from mu to that image.

    >>> map_cost(torch.zeros(2), torch.tensor([[0.2, 0.0], [0.9, 0.0]]), torch.tensor([[0.0, 0.0], [1.0, 0.0]]))
    (0.025..., tensor([0.5000, 0.5000]))
    """
    j = laguerre_assign(psi, x, y, cost)
    return (c_transform(psi, x, y, cost) + psi[j]).mean().item(), cell_masses(psi, x, y, cost)


def semi_dual(psi, x, y, nu=None, cost="sqeuclidean"):
    r"""H(psi) = E_mu[psi^c(X)] + sum_j nu_j psi_j, the expectation estimated on samples x ~ mu.

    psi (J,), x (N, d), y (J, d), nu (J,) (default uniform 1/J) -> scalar tensor. H(psi) <= W(mu, nu),
    with equality at the optimal psi. The mean is taken in float64 (H is a small difference of large terms).
    """
    psi, x, y = check_inputs(psi, x, y, cost)
    nu = as_weights(nu, y)
    return c_transform(psi, x, y, cost).double().mean() + (nu.double() * psi.double()).sum()


def semi_dual_grad(psi, x, y, nu=None, cost="sqeuclidean"):
    r"""Stochastic gradient of H on the batch x: dH/dpsi_j = nu_j - mu(L_psi(y_j)).  (J,)"""
    psi, x, y = check_inputs(psi, x, y, cost)
    return as_weights(nu, y) - cell_masses(psi, x, y, cost)


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
    gamma : step size; no general rule: notebook 04 uses 3 on the unit square (J = 100) and 2000 on MNIST
        (J = 500), both set by trial.
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
    y = as_points(y, "y")
    nu = as_weights(nu, y)
    psi_t = torch.zeros_like(nu) if psi0 is None else check_inputs(psi0, y[:1], y, cost)[0].detach().clone()
    psi = psi_t.clone()
    h, elapsed = ASGDHistory(), 0.0
    if isinstance(record_every, int):
        record = set(range(record_every, steps + 1, record_every)) if record_every > 0 else set()
    else:
        record = {int(k) for k in record_every}
    record.add(steps)
    if x_eval is not None:
        x_eval = check_inputs(None, x_eval, y, cost)[1]
    for k in tqdm(range(1, steps + 1), desc="ASGD", disable=not progress, leave=False):
        t0 = time.perf_counter()
        with torch.no_grad():
            x = as_points(sample_mu(batch), "sample_mu(n)").to(device=y.device, dtype=y.dtype)
            if not torch.isfinite(x).all():
                raise ValueError(f"sample_mu returned NaN or infinite samples at ASGD step {k}: check mu's sampler "
                                 "(e.g. a generator whose training diverged)")
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

def pixel_centres(n, box=((0, 1), (0, 1)), dtype=torch.float64):
    """The centres of an n x n grid of pixels over ``box`` = ((x_min, x_max), (y_min, y_max)), shape (n^2, 2), in
    image order (row i = i-th y from the bottom, column = x): the discretisation of mu = U(box) (weights 1/n^2),
    and the pixels of the kit's Laguerre pictures (``.reshape(n, n)`` of a per-point value is the image).

    >>> pixel_centres(2)
    tensor([[0.2500, 0.2500],
            [0.7500, 0.2500],
            [0.2500, 0.7500],
            [0.7500, 0.7500]], dtype=torch.float64)
    """
    (x0, x1), (y0, y1) = box
    gx = x0 + (x1 - x0) * (torch.arange(n, dtype=dtype) + 0.5) / n
    gy = y0 + (y1 - y0) * (torch.arange(n, dtype=dtype) + 0.5) / n
    X, Y = torch.meshgrid(gx, gy, indexing="xy")
    return torch.stack([X, Y], -1).reshape(-1, 2)


def exact_ot(x, y, nu=None, cost="sqeuclidean", mu=None, plan=False):
    r"""W between the discrete measures sum_i mu_i delta_{x_i} and sum_j nu_j delta_{y_j} (POT's exact ``ot.emd``),
    and its dual potential on Y: psi (J,) (defined up to a constant), to compare with ASGD's.

    x (N, d), y (J, d), mu (N,) default uniform, nu (J,) default uniform. Returns (W, psi), and with ``plan=True``
    also the optimal Kantorovich plan pi (N, J), pi_ij = the mass sent from x_i to y_j.
    With ``cost="euclidean"`` W is W_1, e.g. 5 between two points at distance 5:

    >>> exact_ot(torch.zeros(1, 2), torch.tensor([[3.0, 4.0]]), cost="euclidean")[0]
    5.0
    """
    _, x, y = check_inputs(None, as_points(x, "x").double(), as_points(y, "y").double(), cost)
    a = np.full(len(x), 1.0 / len(x)) if mu is None else np.asarray(mu, dtype=np.float64)
    b = as_weights(nu, y).cpu().numpy()
    M = torch.cat([_cost(x[i:i + CHUNK], y, cost) for i in range(0, len(x), CHUNK)]).cpu().numpy()
    pi, log = pot.emd(a, b, M, log=True, numItermax=10 ** 7)
    if log.get("warning"):
        raise RuntimeError(f"POT's exact solver did not converge: {log['warning']}")
    W, psi = float(log["cost"]), torch.as_tensor(log["v"])
    return (W, psi, torch.as_tensor(pi)) if plan else (W, psi)


# ----------------------------------------------------------------------------- gradient of psi^c

def grad_norm_c_transform(psi, x, y, cost="sqeuclidean"):
    r"""||grad_x psi^c(x_i)|| at each x_i, by autograd: = ||grad_x c(x, T_psi(x))||.

    For c = |x - y| it is |(x - y_j) / |x - y_j|| = 1 wherever x != y_j (slides: "Remark linked to the
    Gradient Penalty"); for c = |x - y|^2 it is 2 |x - T_psi(x)|, not 1. x (N, d) -> (N,).
    """
    psi, x, y = check_inputs(psi, x, y, cost)
    x = x.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(c_transform(psi.detach(), x, y, cost).sum(), x)
    return g.norm(dim=1)
