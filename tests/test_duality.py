"""gankit.duality against POT and closed forms: the linear programs' primal and dual values, complementary slackness
and c-concavity of the optimal pair, the W1 dual's 1-Lipschitz potential, and the Lipschitz bound of c-transforms."""
import math
from types import SimpleNamespace

import numpy as np
import ot as pot
import pytest
import torch

from gankit import semidiscrete
from gankit import duality

try:
    from gankit import closedforms   # the exercises' answers: the student release leaves them out
except ImportError:
    closedforms = None
needs_closedforms = pytest.mark.skipif(closedforms is None, reason="the student release has no gankit.closedforms")

F64 = dict(dtype=torch.float64)


def weights(n, g):
    w = torch.rand(n, generator=g, **F64) + 0.1   # every weight positive
    return w / w.sum()


@pytest.mark.parametrize("cost", ["sqeuclidean", "euclidean"])
@pytest.mark.parametrize("seed, N, J", [(0, 5, 3), (1, 8, 8), (2, 12, 6)])
def test_lp_primal_equals_dual_equals_pot(cost, seed, N, J):
    g = torch.Generator().manual_seed(seed)
    x, y = torch.rand(N, 2, generator=g, **F64), torch.rand(J, 2, generator=g, **F64)
    a, b = weights(N, g), weights(J, g)
    M = semidiscrete.cost_matrix(x, y, cost)
    r = duality.transport_lp(a, b, M)
    W = semidiscrete.exact_ot(x, y, nu=b, mu=a, cost=cost)[0]
    assert r.primal == pytest.approx(W, rel=1e-8)
    assert r.dual == pytest.approx(W, rel=1e-8)
    np.testing.assert_allclose(r.plan.sum(1), a.numpy(), atol=1e-9)
    np.testing.assert_allclose(r.plan.sum(0), b.numpy(), atol=1e-9)
    assert r.plan.min() > -1e-12 and (r.plan * M.numpy()).sum() == pytest.approx(W, rel=1e-8)
    slack = M.numpy() - r.phi[:, None] - r.psi[None, :]
    assert slack.min() > -1e-9                               # phi_i + psi_j <= c(x_i, y_j)
    assert np.abs(slack[r.plan > 1e-9]).max() < 1e-9         # tight wherever the plan moves mass


@pytest.mark.parametrize("seed", [0, 3])
def test_the_optimal_pair_is_c_concave(seed):
    """With every a_i, b_j > 0, any optimal pair satisfies phi = psi^c on the x_i and psi = phi^cbar on the y_j."""
    g = torch.Generator().manual_seed(seed)
    x, y = torch.rand(7, 2, generator=g, **F64), torch.rand(5, 2, generator=g, **F64)
    a, b = weights(7, g), weights(5, g)
    M = semidiscrete.cost_matrix(x, y)
    r = duality.transport_lp(a, b, M)
    psi = torch.as_tensor(r.psi)
    np.testing.assert_allclose(r.phi, semidiscrete.c_transform(psi, x, y).numpy(), atol=1e-9)
    np.testing.assert_allclose(r.psi, (M - torch.as_tensor(r.phi)[:, None]).min(0).values.numpy(), atol=1e-9)
    # the semi-dual at this psi is W
    assert ((a * semidiscrete.c_transform(psi, x, y)).sum() + (b * psi).sum()).item() == pytest.approx(r.primal, rel=1e-8)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_w1_dual_lp_equals_pot_with_a_1_lipschitz_potential(seed):
    g = torch.Generator().manual_seed(seed)
    z = torch.rand(9, 2, generator=g, **F64)
    p, q = weights(9, g), weights(9, g)
    W1, f = duality.w1_dual_lp(z, p, q)
    assert W1 == pytest.approx(semidiscrete.exact_ot(z, z, nu=q, mu=p, cost="euclidean")[0], rel=1e-8)
    assert float(((p - q).numpy() * f).sum()) == pytest.approx(W1, rel=1e-9)
    assert duality.max_slope(f, z) <= 1 + 1e-9


@needs_closedforms
def test_both_programs_on_the_line_give_the_cdf_formula():
    g = torch.Generator().manual_seed(4)
    p, q = weights(12, g).numpy(), weights(12, g).numpy()
    bins = np.arange(12.0)[:, None]
    exact = closedforms.w1_cdf(p, q)
    assert duality.w1_dual_lp(bins, p, q)[0] == pytest.approx(exact, rel=1e-8)
    assert duality.transport_lp(p, q, np.abs(bins - bins.T)).primal == pytest.approx(exact, rel=1e-8)


def test_transport_lp_refuses_unbalanced_weights():
    with pytest.raises(ValueError, match="equal sums"):
        duality.transport_lp([1.0], [0.5, 0.6], [[1.0, 2.0]])


def test_max_slope_of_a_line_is_its_slope():
    x = torch.rand(50, 1, **F64)
    assert duality.max_slope(3 * x[:, 0] - 1, x) == pytest.approx(3.0, rel=1e-9)


@pytest.mark.parametrize("cost, L", [("euclidean", 1.0), ("sqeuclidean", 2 * math.sqrt(2))])
def test_c_transforms_are_L_lipschitz(cost, L):
    """Slides 001, "Regularity of dual solutions": psi^c is L-Lipschitz when every c(., y) is (L = 1 for |x - y|,
    2 sqrt(2) for |x - y|^2 on the unit square), for any psi; for |x - y| the slope 1 is reached along rays."""
    g = torch.Generator().manual_seed(5)
    grid, y = semidiscrete.pixel_centres(25), torch.rand(6, 2, generator=g, **F64)
    slopes = [duality.max_slope(semidiscrete.c_transform(torch.randn(6, generator=g, **F64), grid, y, cost), grid) for _ in range(4)]
    assert max(slopes) <= L + 1e-9
    if cost == "euclidean":
        assert min(slopes) > 0.99


@pytest.mark.parametrize("cost", ["sqeuclidean", "euclidean"])
@pytest.mark.parametrize("seed", [0, 5])
def test_c_concavity_of_the_lp_pair_against_pot_and_a_shifted_pair(cost, seed):
    """c_concavity: W is POT's, the LP's pair is c-concave with the semi-dual at psi equal to W and no slack where
    mass moves, (0^c, 0) = sum_i a_i min_j c(x_i, y_j) <= W; a pair shifted off c-concavity shows its shift."""
    g = torch.Generator().manual_seed(seed)
    x, y = torch.rand(6, 2, generator=g, **F64), torch.rand(4, 2, generator=g, **F64)
    a, b = weights(6, g), weights(4, g)
    M = semidiscrete.cost_matrix(x, y, cost)
    lp = duality.transport_lp(a, b, M)
    r = duality.c_concavity(lp, x, y, a, b, cost)
    W = float(pot.emd2(a.numpy(), b.numpy(), M.numpy()))
    assert r.W == pytest.approx(W, rel=1e-9) and r.semi == pytest.approx(W, rel=1e-8)
    assert max(r.phi_gap, r.psi_gap, r.slack) < 1e-9
    assert r.zero == pytest.approx(float((a * M.min(1).values).sum()), rel=1e-12) and r.zero <= W
    assert str(r).splitlines()[0].startswith(f"primal {lp.primal:.9f} = dual {lp.dual:.9f} = POT {W:.9f};")
    off = duality.c_concavity(SimpleNamespace(**{**vars(lp), "phi": lp.phi - 0.1}), x, y, a, b, cost)
    assert (off.phi_gap, off.psi_gap, off.slack) == pytest.approx((0.1, 0.1, 0.1), abs=1e-9)


def test_c_concavity_prints_what_notebook_04_printed():
    """Notebook 04's example (seed 5: 6 points to 4, |x - y|^2), to the digits its inline check printed."""
    g = torch.Generator().manual_seed(5)
    x, y = (torch.rand(n, 2, generator=g, **F64) for n in (6, 4))
    a, b = (h / h.sum() for h in (torch.rand(n, generator=g, **F64) for n in (6, 4)))
    r = duality.c_concavity(duality.transport_lp(a, b, semidiscrete.cost_matrix(x, y)), x, y, a, b)
    assert str(r).splitlines()[0] == ("primal 0.039897471 = dual 0.039897471 = POT 0.039897471;  the admissible "
                                      "pair (0^c, 0) gives 0.025410 <= W")
    assert f"{r.semi:.9f}" == "0.039897471" and max(r.phi_gap, r.psi_gap, r.slack) < 1e-15
