r"""Kantorovich duality for discrete measures, solved as linear programs (and the Lipschitz bound of c-transforms).

Slides 003 ("Defining the Wasserstein Distance": the discrete W1 problem, primal and dual) and 001 ("Two OT
formulations", "Dual Optimal Transport", "Regularity of dual solutions"). For mu = sum_i a_i delta_{x_i} and
nu = sum_j b_j delta_{y_j} with cost matrix M_ij = c(x_i, y_j), the Kantorovich problem is a linear program
and so is its dual:

    W = min { <M, P> : P >= 0, P 1 = a, P^T 1 = b }                       (primal: a transport plan P)
      = max { <a, phi> + <b, psi> : phi_i + psi_j <= M_ij for all i, j }   (dual: a pair of potentials)

and for W1 between two histograms p, q on the same points z_k (slides 003) the dual needs one potential f:

    W1(p, q) = max { sum_k (p_k - q_k) f_k : |f_k - f_l| <= |z_k - z_l| for all k, l }.

Both linear programs are solved by scipy's HiGHS (``scipy.optimize.linprog``): small problems only (a plan has
N x J unknowns); ``gankit.semidiscrete.exact_ot`` (POT's network simplex) is the solver for real sizes.

References: Peyre & Cuturi, Computational Optimal Transport (2019), Section 3.1 and Proposition 3.1 (discrete
duality); Villani, Optimal Transport: Old and New (2009), Theorem 5.10; Santambrogio, Optimal Transport for
Applied Mathematicians (2015), Section 1.2 (c-transforms, c-concavity) and Section 3.1 (W1).
"""
from types import SimpleNamespace

import numpy as np
import torch
from scipy import sparse
from scipy.optimize import linprog

from .semidiscrete import c_transform, cost_matrix, exact_ot
from .tables import Report


def _solve(cost, **constraints):
    res = linprog(cost, method="highs", **constraints)
    if res.status != 0:
        raise RuntimeError(f"linprog (HiGHS) did not solve the problem: {res.message}")
    return res


def transport_lp(a, b, M):
    r"""The discrete Kantorovich problem and its dual, as two linear programs solved by ``scipy.optimize.linprog``:

        primal  min_P  sum_ij M_ij P_ij   s.t.  sum_j P_ij = a_i,  sum_i P_ij = b_j,  P >= 0
        dual    max_{phi, psi}  sum_i a_i phi_i + sum_j b_j psi_j   s.t.  phi_i + psi_j <= M_ij

    a (N,) and b (J,) non-negative weights of equal sums, M (N, J) cost matrix. Returns a namespace with
    ``primal`` (the optimal value), ``plan`` (N, J), ``dual`` (the dual optimal value, equal to ``primal``) and the
    potentials ``phi`` (N,), ``psi`` (J,) (defined up to phi + t, psi - t). One Dirac to two (no map can split it):

    >>> r = transport_lp([1.0], [0.5, 0.5], [[1.0, 3.0]])
    >>> round(r.primal, 9), round(r.dual, 9), r.plan.tolist()
    (2.0, 2.0, [[0.5, 0.5]])
    """
    a, b, M = (np.asarray(v, dtype=np.float64) for v in (a, b, M))
    N, J = M.shape
    if a.shape != (N,) or b.shape != (J,) or (a < 0).any() or (b < 0).any() or abs(a.sum() - b.sum()) > 1e-9:
        raise ValueError(f"need weights a ({N},) and b ({J},), non-negative with equal sums, for M of shape {M.shape}")
    rows = sparse.kron(sparse.eye(N), np.ones((1, J)))   # (N, N J): row sums of P (flattened row by row)
    cols = sparse.kron(np.ones((1, N)), sparse.eye(J))   # (J, N J): column sums
    primal = _solve(M.ravel(), A_eq=sparse.vstack([rows, cols]), b_eq=np.concatenate([a, b]), bounds=(0, None))
    # one inequality phi_i + psi_j <= M_ij per pair (i, j): the transposes of the same two blocks
    dual = _solve(-np.concatenate([a, b]), A_ub=sparse.hstack([rows.T, cols.T]), b_ub=M.ravel(), bounds=(None, None))
    return SimpleNamespace(primal=float(primal.fun), plan=primal.x.reshape(N, J), dual=float(-dual.fun),
                           phi=dual.x[:N], psi=dual.x[N:])


def w1_dual_lp(z, p, q):
    r"""The dual of W1 between histograms p and q on the same points z (slides 003), a linear program over one
    potential f (scipy's ``linprog``):

        W1(p, q) = max_f  sum_k (p_k - q_k) f_k   s.t.  f_k - f_l <= |z_k - z_l|  for all k != l,

    i.e. f is 1-Lipschitz on the points. z (K, d), p and q (K,) of equal sums. Returns (W1, f (K,)), f defined up to
    a constant. Two points at distance 5, all the mass moving from the first to the second:

    >>> W1, f = w1_dual_lp([[0.0, 0.0], [3.0, 4.0]], [1.0, 0.0], [0.0, 1.0])
    >>> round(W1, 9), round(float(f[0] - f[1]), 9)
    (5.0, 5.0)
    """
    z, p, q = np.asarray(z, dtype=np.float64), np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    K = len(z)
    if z.ndim != 2 or p.shape != (K,) or q.shape != (K,) or abs(p.sum() - q.sum()) > 1e-9:
        raise ValueError(f"need points z (K, d) and two histograms p, q (K,) of equal sums; got {z.shape}, {p.shape}, {q.shape}")
    k, l = np.where(~np.eye(K, dtype=bool))   # every ordered pair k != l
    A = sparse.csr_matrix((np.r_[np.ones(len(k)), -np.ones(len(k))], (np.r_[np.arange(len(k)), np.arange(len(k))],
                                                                       np.r_[k, l])), shape=(len(k), K))
    res = _solve(-(p - q), A_ub=A, b_ub=np.linalg.norm(z[k] - z[l], axis=1), bounds=(None, None))
    return float(-res.fun), res.x


def c_concavity(lp, x, y, a, b, cost="sqeuclidean"):
    r"""Kantorovich duality checked on the optimal pair (phi, psi) of ``lp = transport_lp(a, b, C)``,
    C_ij = c(x_i, y_j): primal = dual = W (POT's, ``semidiscrete.exact_ot``); c-concavity, phi = psi^c on the x_i
    and psi = phi^cbar on the y_j, with

        psi^c(x_i) = min_j C_ij - psi_j,        phi^cbar(y_j) = min_i C_ij - phi_i;

    the semi-dual at psi, sum_i a_i psi^c(x_i) + sum_j b_j psi_j = W; phi_i + psi_j = C_ij wherever the plan moves
    mass; and the admissible pair (0^c, 0) below W. x (N, d), y (J, d), a (N,), b (J,).

    Returns a ``tables.Report`` (two lines): ``W``, ``zero`` = sum_i a_i 0^c(x_i), the largest gaps ``phi_gap``,
    ``psi_gap`` and ``slack``, and ``semi`` (the semi-dual at psi).

    >>> x, y, a, b = torch.zeros(1, 2), torch.tensor([[1.0, 0.0], [0.0, 2.0]]), [1.0], [0.5, 0.5]
    >>> r = c_concavity(transport_lp(a, b, cost_matrix(x, y)), x, y, a, b)   # one Dirac to two: W = 5 / 2
    >>> round(r.W, 9), round(r.semi, 9), r.phi_gap < 1e-9, r.psi_gap < 1e-9, r.zero
    (2.5, 2.5, True, True, 1.0)
    """
    x, y = (torch.as_tensor(v, dtype=torch.float64) for v in (x, y))
    a, b = (torch.as_tensor(v, dtype=torch.float64) for v in (a, b))
    C = cost_matrix(x, y, cost)
    phi, psi = torch.as_tensor(lp.phi), torch.as_tensor(lp.psi)
    psi_c = c_transform(psi, x, y, cost)                     # min_j c(x_i, y_j) - psi_j
    phi_cbar = (C - phi[:, None]).min(0).values              # min_i c(x_i, y_j) - phi_i
    used = torch.as_tensor(lp.plan > 1e-9)                   # where the plan moves mass
    W, zero = exact_ot(x, y, b, cost, mu=a)[0], (a * c_transform(torch.zeros_like(b), x, y, cost)).sum().item()
    phi_gap, psi_gap = (phi - psi_c).abs().max().item(), (psi - phi_cbar).abs().max().item()
    semi, slack = ((a * psi_c).sum() + (b * psi).sum()).item(), (phi[:, None] + psi - C).abs()[used].max().item()
    return Report(f"primal {lp.primal:.9f} = dual {lp.dual:.9f} = POT {W:.9f};  the admissible pair (0^c, 0) "
                  f"gives {zero:.6f} <= W\nc-concave pair: |phi - psi^c| <= {phi_gap:.1e}, |psi - phi^cbar| <= "
                  f"{psi_gap:.1e};  semi-dual at psi {semi:.9f};  where mass moves, phi_i + psi_j = c(x_i, y_j) "
                  f"to {slack:.1e}", W=W, zero=zero, phi_gap=phi_gap, psi_gap=psi_gap, semi=semi, slack=slack)


def max_slope(values, points, chunk=1024):
    r"""The largest slope max_{k != l} |f(x_k) - f(x_l)| / |x_k - x_l| of a function known at points: a lower bound
    of its Lipschitz constant (slides 001, "Regularity of dual solutions": psi^c is L-Lipschitz when every
    c(., y) is). values (K,), points (K, d); pairs of equal points are skipped. Computed ``chunk`` rows at a time.

    >>> max_slope(torch.tensor([0.0, 2.0, 3.0]), torch.tensor([[0.0], [1.0], [3.0]]))    # slopes 2, 0.5, 1
    2.0
    """
    f = torch.as_tensor(values, dtype=torch.float64).flatten()
    x = torch.as_tensor(points, dtype=torch.float64)
    if x.dim() != 2 or len(x) != len(f):
        raise ValueError(f"need values (K,) and points (K, d); got {tuple(f.shape)} and {tuple(x.shape)}")
    best = 0.0
    for i in range(0, len(x), chunk):
        dist = torch.cdist(x[i:i + chunk], x)
        ratio = (f[i:i + chunk, None] - f[None, :]).abs() / dist
        best = max(best, ratio[dist > 0].max().item() if (dist > 0).any() else 0.0)
    return best


def slackness(values, points, plan, tol=1e-9):
    r"""Complementary slackness of the W1 dual on points z_k: where an optimal plan moves mass from z_k to z_l
    (k != l), an optimal potential f has f_k - f_l = |z_k - z_l|. Returns (the moves [(k, l)], the largest
    |f_k - f_l - |z_k - z_l|| over them).

    >>> slackness(torch.tensor([1.0, 0.0]), torch.tensor([[1.0], [0.0]]), torch.tensor([[0.0, 0.5], [0.0, 0.5]]))
    ([(0, 1)], 0.0)
    """
    f, z = torch.as_tensor(values, dtype=torch.float64), torch.as_tensor(points, dtype=torch.float64)
    moves = [(k, l) for k in range(len(z)) for l in range(len(z)) if k != l and plan[k, l] > tol]
    return moves, max((abs(f[k] - f[l] - (z[k] - z[l]).norm()).item() for k, l in moves), default=0.0)
