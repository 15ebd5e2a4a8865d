r"""Kitagawa, Merigot & Thibert's theorem checked on a grid discretisation of mu, with POT as the judge.

Slides 001, "Dual Problem" and "Optimality of T_psi". For nu = sum_j nu_j delta_{y_j} and the semi-dual

    H(psi) = int psi^c dmu + sum_j nu_j psi_j,        dH/dpsi_j = nu_j - mu(L_psi(y_j)),

- H is flat along psi + t 1 (psi^c drops by t, sum_j nu_j psi_j rises by t), and its gradient sums to 0
  (``flat_direction``);
- for ANY psi, T_psi is an optimal map from mu to its own image (T_psi)_# mu: its cost equals POT's W to that
  image (``map_optimality``); at a maximiser of H the image is nu;
- POT's optimal plan for a discretised mu splits the points that lie on a Laguerre boundary between two cells,
  and sends every other point where T_psi does (``split_points``).

Shapes as in ``gankit.semidiscrete``: psi (J,), x (N, d) the points of mu (mass 1/N each), y (J, d).

References: Kitagawa, Merigot, Thibert, Convergence of a Newton algorithm for semi-discrete optimal transport,
JEMS 2019; Santambrogio, Optimal Transport for Applied Mathematicians (2015), Section 1.3.
"""
import torch

from .semidiscrete import exact_ot, laguerre_assign, map_cost, semi_dual, semi_dual_grad
from .tables import Report, table


def flat_direction(psi, x, y, ts=(-1.0, 0.5, 3.0), nu=None, cost="sqeuclidean"):
    r"""H(psi + t 1) - H(psi) for each t in ``ts`` (0 up to rounding: a flat direction of H) and
    sum_j dH/dpsi_j = sum_j nu_j - mu(L_psi(y_j)) = 0, on the points x (``semidiscrete.semi_dual``, in float64).

    Returns a ``tables.Report``: ``flat`` (one value per t) and ``grad_sum``.

    >>> x, y = torch.rand(50, 2, dtype=torch.float64), torch.tensor([[0.2, 0.5], [0.8, 0.5]], dtype=torch.float64)
    >>> r = flat_direction(torch.tensor([0.0, 0.3]), x, y)
    >>> max(abs(v) for v in r.flat) < 1e-12, abs(r.grad_sum) < 1e-12
    (True, True)
    """
    psi = torch.as_tensor(psi).double()
    H0 = semi_dual(psi, x, y, nu, cost).item()
    flat = [semi_dual(psi + t, x, y, nu, cost).item() - H0 for t in ts]
    grad_sum = semi_dual_grad(psi, x, y, nu, cost).sum().item()
    return Report(f"H(psi + t 1) - H(psi) for t = {', '.join(f'{t:g}' for t in ts)}: "
                  + ", ".join(f"{v:.1e}" for v in flat) + f";  sum_j dH/dpsi_j = {grad_sum:.1e}",
                  flat=flat, grad_sum=grad_sum)


def map_optimality(psis, x, y, cost="sqeuclidean"):
    r"""For each named psi of ``psis`` ({name: psi (J,)}): the cost of T_psi, mean_i c(x_i, T_psi(x_i))
    (``semidiscrete.map_cost``), POT's W(mu, (T_psi)_# mu) to its image, their difference (0 up to rounding: T_psi
    is optimal to its own image) and the image's smallest and largest J mu(L_psi(y_j)).

    Returns a ``tables.Report``, the table; ``rows``: [name, cost, W, difference, min J m, max J m] per psi.

    >>> x = torch.tensor([[0.2, 0.0], [0.9, 0.0], [0.7, 0.0]], dtype=torch.float64)    # Voronoi: 0.2 | 0.9, 0.7
    >>> r = map_optimality({"0": torch.zeros(2)}, x, torch.tensor([[0.0, 0.0], [1.0, 0.0]], dtype=torch.float64))
    >>> [round(v, 9) for v in r.rows[0][1:]]    # (0.04 + 0.01 + 0.09) / 3, the same W, masses 1/3 and 2/3
    [0.046666667, 0.046666667, 0.0, 0.666666667, 1.333333333]
    """
    rows, J = [], len(y)
    for name, psi in psis.items():
        cost_T, m = map_cost(torch.as_tensor(psi).double(), x, y, cost)   # cost of T_psi, (T_psi)_# mu
        W_img = exact_ot(x, y[m > 0], nu=m[m > 0], cost=cost)[0]          # POT's W(mu, (T_psi)_# mu)
        rows.append([name, cost_T, W_img, cost_T - W_img, J * m.min().item(), J * m.max().item()])
    cols = ["psi", "cost of T_psi", "W(mu, image)", "difference", "min J mu(cell)", "max J mu(cell)"]
    return Report(table(cols, rows, formats=dict(zip(cols[1:], [".8f", ".8f", ".0e", ".3f", ".3f"]))), rows=rows)


def split_points(plan, psi, x, y, cost="sqeuclidean"):
    r"""The points x_i that an optimal plan (N, J) splits between two cells or more (they lie on a Laguerre boundary
    of its potential psi: a map must send them to one side), and whether T_psi sends every other point where the
    plan does (argmax_j plan_ij = j(x_i), ``semidiscrete.laguerre_assign``).

    Returns a ``tables.Report``: ``split`` (how many), ``n`` (N) and ``same`` (bool).

    >>> y = torch.tensor([[0.0, 0.0], [1.0, 0.0]])
    >>> W, psi, plan = exact_ot(torch.tensor([[0.1, 0.0], [0.5, 0.0], [0.8, 0.0]]), y, [0.5, 0.5], plan=True)
    >>> r = split_points(plan, psi, torch.tensor([[0.1, 0.0], [0.5, 0.0], [0.8, 0.0]]), y)
    >>> r.split, r.same
    (1, True)
    """
    split = (torch.as_tensor(plan) > 0).sum(1) > 1     # points the plan shares between two cells
    same = (laguerre_assign(psi, x, y, cost) == torch.as_tensor(plan).argmax(1))[~split].all().item()
    where = "every other point where the plan does" if same else "some other points elsewhere than the plan"
    return Report(f"POT's plan splits {split.sum().item()} of the {len(x)} grid points between two cells; "
                  f"T_psi sends {where}",
                  split=split.sum().item(), n=len(x), same=same)
