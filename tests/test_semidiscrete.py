"""gankit.semidiscrete against brute force, autograd and POT's exact solver (ot.emd2)."""
import math

import numpy as np
import ot as pot
import pytest
import torch

from gankit import semidiscrete
from gankit import nets, sdwgan

try:
    from gankit import closedforms   # the exercises' answers: the student release leaves them out
except ImportError:
    closedforms = None
needs_closedforms = pytest.mark.skipif(closedforms is None, reason="the student release has no gankit.closedforms")

COSTS = ["sqeuclidean", "euclidean"]


def brute_force(psi, x, y, cost):
    """min_j c(x_i, y_j) - psi_j and argmin_j by two Python loops in float64."""
    x, y, psi = (np.asarray(a, dtype=np.float64) for a in (x, y, psi))
    vals, idx = np.empty(len(x)), np.empty(len(x), dtype=int)
    for i in range(len(x)):
        c = [np.sum((x[i] - y[j]) ** 2) for j in range(len(y))]
        c = np.array(c) if cost == "sqeuclidean" else np.sqrt(c)
        idx[i] = np.argmin(c - psi)
        vals[i] = (c - psi)[idx[i]]
    return vals, idx


@pytest.mark.parametrize("cost", COSTS)
@pytest.mark.parametrize("d", [2, 784])
def test_c_transform_and_assignment_match_brute_force(cost, d, monkeypatch):
    monkeypatch.setattr(semidiscrete, "CHUNK", 7)  # several chunks over x
    g = torch.Generator().manual_seed(1)
    x, y = torch.rand(50, d, generator=g), torch.rand(13, d, generator=g)
    scale = 0.1 * d if cost == "sqeuclidean" else 0.3 * math.sqrt(d)
    psi = scale * torch.rand(13, generator=g)
    vals, idx = brute_force(psi, x, y, cost)
    rtol = 1e-6 if d == 2 else 1e-4  # d = 784 uses |x|^2 + |y|^2 - 2<x, y> in float32
    np.testing.assert_allclose(semidiscrete.c_transform(psi, x, y, cost).numpy(), vals, rtol=rtol, atol=rtol)
    np.testing.assert_array_equal(semidiscrete.laguerre_assign(psi, x, y, cost).numpy(), idx)
    m = semidiscrete.cell_masses(psi, x, y, cost)
    np.testing.assert_allclose(m.numpy(), np.bincount(idx, minlength=13) / 50, atol=1e-7)


def test_psi_zero_is_nearest_point_and_images_are_flattened():
    g = torch.Generator().manual_seed(2)
    y, x = torch.rand(20, 1, 28, 28, generator=g), torch.rand(30, 1, 28, 28, generator=g)
    d = torch.cdist(x.flatten(1).double(), y.flatten(1).double())
    np.testing.assert_allclose(semidiscrete.c_transform(torch.zeros(20), x, y).numpy(), (d.min(1).values ** 2).numpy(), rtol=1e-4)
    np.testing.assert_array_equal(semidiscrete.laguerre_assign(torch.zeros(20), x, y).numpy(), d.argmin(1).numpy())


@pytest.mark.parametrize("cost", COSTS)
def test_semi_dual_gradient_is_nu_minus_cell_masses(cost):
    """dH/dpsi_j = nu_j - mu(L_psi(y_j)): the formula against autograd of H on the same batch."""
    g = torch.Generator().manual_seed(3)
    x, y = torch.rand(400, 2, generator=g), torch.rand(6, 2, generator=g)
    nu = torch.tensor([0.1, 0.2, 0.3, 0.1, 0.2, 0.1])
    psi = (0.05 * torch.randn(6, generator=g)).requires_grad_(True)
    (auto,) = torch.autograd.grad(semidiscrete.semi_dual(psi, x, y, nu, cost), psi)
    np.testing.assert_allclose(semidiscrete.semi_dual_grad(psi.detach(), x, y, nu, cost).numpy(), auto.float().numpy(), atol=1e-6)


@pytest.mark.parametrize("cost", COSTS)
def test_asgd_solves_semi_discrete_ot_like_pot(cost):
    """mu = U([0,1]^2), nu uniform on J = 5 points: ASGD's psi gives every cell mass within 1% of nu_j, and
    H(psi) within 1% of W computed by ot.emd2 on a 100 x 100 discretisation of mu."""
    torch.manual_seed(0)
    J = 5
    y = torch.rand(J, 2, generator=torch.Generator().manual_seed(0))
    X = semidiscrete.pixel_centres(100)
    W = pot.emd2(pot.unif(len(X)), pot.unif(J), semidiscrete.cost_matrix(X, y.double(), cost).numpy(), numItermax=10 ** 7)
    psi, _ = semidiscrete.asgd(lambda n: torch.rand(n, 2), y, cost=cost, gamma=0.3, steps=1000, batch=1024, progress=False)
    fine = semidiscrete.pixel_centres(600).float()  # 360,000 pixel centres: the cell masses to < 0.1%
    masses = semidiscrete.cell_masses(psi, fine, y, cost)
    assert (masses * J - 1).abs().max() < 0.01, masses
    H = semidiscrete.semi_dual(psi, fine, y, cost=cost).item()
    assert abs(H - W) / W < 0.01, (H, W)
    # exact_ot returns the same W and a dual psi whose c-transform attains it on the grid
    W2, psi_pot = semidiscrete.exact_ot(X, y, cost=cost)
    assert W2 == pytest.approx(W, rel=1e-9)
    assert semidiscrete.semi_dual(psi_pot, X, y.double(), cost=cost).item() == pytest.approx(W, rel=1e-6)


def test_asgd_records_history_and_checks_arguments():
    y = torch.rand(4, 2)
    psi, h = semidiscrete.asgd(lambda n: torch.rand(n, 2), y, steps=20, batch=16, record_every=5, x_eval=torch.rand(100, 2),
                       progress=False)
    assert h.k == [5, 10, 15, 20] and len(h.H) == 4 and h.masses[0].shape == (4,)
    assert torch.equal(h.psi[-1], psi)
    with pytest.raises(ValueError, match="sample_mu"):
        semidiscrete.asgd(torch.rand(10, 2), y)
    with pytest.raises(ValueError, match="psi must have"):
        semidiscrete.c_transform(torch.zeros(3), torch.rand(5, 2), y)
    with pytest.raises(ValueError, match="same space"):
        semidiscrete.c_transform(torch.zeros(4), torch.rand(5, 3), y)
    with pytest.raises(ValueError, match="unknown cost"):
        semidiscrete.cost_matrix(torch.rand(5, 2), y, "l1")
    with pytest.raises(ValueError, match="nu must"):
        semidiscrete.semi_dual(torch.zeros(4), torch.rand(5, 2), y, nu=torch.ones(4))


def test_grad_of_c_transform_has_unit_norm_for_euclidean_cost_only():
    """Slides: for c = |x - y|, ||grad psi^c|| = 1 a.e.; for c = |x - y|^2 it is 2 |x - T_psi(x)|."""
    g = torch.Generator().manual_seed(4)
    x, y, psi = torch.rand(500, 2, generator=g), torch.rand(10, 2, generator=g), 0.1 * torch.rand(10, generator=g)
    np.testing.assert_allclose(semidiscrete.grad_norm_c_transform(psi, x, y, "euclidean").numpy(), 1.0, rtol=1e-5)
    T = y[semidiscrete.laguerre_assign(psi, x, y, "sqeuclidean")]
    np.testing.assert_allclose(semidiscrete.grad_norm_c_transform(psi, x, y, "sqeuclidean").numpy(),
                               (2 * (x - T).norm(dim=1)).numpy(), rtol=1e-5)


def test_asgd_step_on_the_critic_is_the_slides_update():
    """One ASGDStep after back-propagating semi_dual_loss: psi~_1 = psi~_0 + gamma (nu - mu_x(L)), psi_1 = psi~_1."""
    g = torch.Generator().manual_seed(5)
    y, x = torch.rand(6, 2, generator=g), torch.rand(64, 2, generator=g)
    D = sdwgan.LaguerreCritic(y, psi0=0.05 * torch.rand(6, generator=g))
    expected = D.psi_tilde.detach() + 0.7 * semidiscrete.semi_dual_grad(D.psi_tilde.detach(), x, y)
    opt = sdwgan.ASGDStep(D, gamma=0.7)
    sdwgan.semi_dual_loss(D, None, x).backward()
    opt.step()
    np.testing.assert_allclose(D.psi_tilde.detach().numpy(), expected.numpy(), atol=1e-6)
    np.testing.assert_allclose(D.psi.numpy(), expected.numpy(), atol=1e-6)
    np.testing.assert_allclose(D(x).detach().numpy(), semidiscrete.c_transform(expected, x, y).numpy(), atol=1e-6)


def test_semi_discrete_wgan_moves_samples_onto_the_points():
    """A few hundred alternations bring a small ToyGenerator's W (by POT) to the 4 points down by 5x or more."""
    torch.manual_seed(0)
    y = torch.tensor([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
    G = nets.ToyGenerator(width=64, depth=2)
    z = G.noise(500, seed=1)
    W = lambda: semidiscrete.exact_ot(G(z).detach(), y)[0]
    before = W()
    r = sdwgan.semi_discrete_wgan(G, y, steps=300, psi_steps=3, gamma=1.0, batch=64, lr=3e-3, progress=False)
    after = W()
    assert after < before / 5, (before, after)
    assert len(r.W) == 300 and r.D.psi.shape == (4,)


def test_asgd_refuses_nan_samples():
    y = torch.rand(5, 2, dtype=torch.float64)
    with pytest.raises(ValueError, match="NaN or infinite"):
        semidiscrete.asgd(lambda n: torch.full((n, 2), float("nan")), y, steps=3, progress=False)


def test_exact_ot_plan_splits_a_dirac_and_escaping_mass_keeps_w1_at_one():
    """Slides 001: no map sends delta_x0 to (delta_y1 + delta_y2) / 2, the plan splits the mass; and
    mu_n = (1 - 1/n) delta_0 + (1/n) delta_n -> delta_0 weakly while W_1(mu_n, delta_0) = 1 and W_2^2 = n."""
    W, _, P = semidiscrete.exact_ot(torch.zeros(1, 2), torch.tensor([[1.0, 1.0], [1.0, -1.0]]), nu=[0.5, 0.5], cost="euclidean",
                            plan=True)
    assert W == pytest.approx(math.sqrt(2), rel=1e-12)
    np.testing.assert_allclose(P.numpy(), [[0.5, 0.5]], atol=1e-12)
    origin = torch.zeros(1, 1, dtype=torch.float64)
    for n in (1, 10, 1000, 10 ** 6):
        x, mu = torch.tensor([[0.0], [float(n)]], dtype=torch.float64), [1 - 1 / n, 1 / n]
        assert semidiscrete.exact_ot(x, origin, cost="euclidean", mu=mu)[0] == pytest.approx(1.0, rel=1e-9)
        assert semidiscrete.exact_ot(x, origin, cost="sqeuclidean", mu=mu)[0] == pytest.approx(n, rel=1e-9)


def test_euclidean_cost_is_zero_on_a_point_of_y_with_a_finite_gradient():
    x = torch.tensor([[0.3, 0.4]], requires_grad=True)
    C = semidiscrete.cost_matrix(x, torch.tensor([[0.3, 0.4], [0.0, 0.0]]), "euclidean")
    assert C[0, 0].item() == 0.0 and C[0, 1].item() == pytest.approx(0.5)
    (g,) = torch.autograd.grad(C.sum(), x)
    np.testing.assert_allclose(g.numpy(), [[0.6, 0.8]], rtol=1e-6)   # 0 from the first point, x / |x| from the second


def test_grad_ot_is_the_closed_form_gradient_for_one_target_point():
    """nu = delta_0, g(theta, z) = theta_1 + theta_2 z on the line: W = E(theta_1 + theta_2 Z)^2 and its gradient
    (2 E[theta_1 + theta_2 Z], 2 E[Z (theta_1 + theta_2 Z)]), Z on the points z."""
    z = torch.linspace(0, 1, 101, dtype=torch.float64)[:, None]
    t1, t2 = 0.3, -0.7
    W, grad = sdwgan.grad_ot(lambda th, z: th[0] + th[1] * z, torch.tensor([t1, t2], dtype=torch.float64), z,
                             torch.zeros(1, 1, dtype=torch.float64))
    m1, m2 = z.mean().item(), (z ** 2).mean().item()
    assert W == pytest.approx(t1 ** 2 + 2 * t1 * t2 * m1 + t2 ** 2 * m2, rel=1e-12)
    np.testing.assert_allclose(grad.numpy(), [2 * t1 + 2 * t2 * m1, 2 * t1 * m1 + 2 * t2 * m2], rtol=1e-12)


@needs_closedforms
@pytest.mark.parametrize("a, b", [((-0.6, -0.7), (0.9, 0.8)), ((0.3, -1.0), (-0.2, 2.0)), ((-1.2, 0.1), (1.4, -0.3))])
def test_grad_ot_is_the_gradient_of_exercise_2s_closed_form(a, b):
    """mu_theta uniform on a non-vertical segment [a, b] (it never charges the vertical Laguerre interface of the two
    points, psi* is unique up to a constant, g is affine in theta = (a, b)), nu = (delta_(-1,0) + delta_(1,0)) / 2,
    c = |x - y|^2: Grad-OT equals the gradient of closedforms.w2_segment, by central differences of the closed form."""
    n = 2000
    t = ((torch.arange(n, dtype=torch.float64) + 0.5) / n)[:, None]          # midpoints: zeta = U[0, 1]
    segment = lambda th, t: th[:2] + t * (th[2:] - th[:2])
    theta = torch.tensor([*a, *b], dtype=torch.float64)
    y = torch.tensor([[-1.0, 0.0], [1.0, 0.0]], dtype=torch.float64)
    _, grad = sdwgan.grad_ot(segment, theta, t, y)
    eps, th = 1e-6, theta.numpy()
    fd = [(closedforms.w2_segment(*np.split(th + eps * e, 2)) - closedforms.w2_segment(*np.split(th - eps * e, 2))) / (2 * eps)
          for e in np.eye(4)]
    np.testing.assert_allclose(grad.numpy(), fd, atol=2e-3)   # the 2000 midpoints' discretisation error is O(1 / n)


def test_grad_ot_matches_finite_differences_of_pot_on_a_square_generator():
    """The notebook's check: mu_theta uniform on the square theta_1 (1, 1) + theta_2 [0, 1]^2, 5 weighted points."""
    g = torch.Generator().manual_seed(1)
    y = 1.5 * torch.rand(5, 2, generator=g, dtype=torch.float64)
    nu = torch.tensor([0.1, 0.3, 0.2, 0.25, 0.15], dtype=torch.float64)
    square = lambda th, z: th[0] * torch.ones(2, dtype=th.dtype) + th[1] * z
    z = semidiscrete.pixel_centres(80)
    for theta in (torch.tensor([0.2, 0.8], dtype=torch.float64), torch.tensor([-0.1, 1.2], dtype=torch.float64)):
        _, grad = sdwgan.grad_ot(square, theta, z, y, nu)
        eps = 1e-3
        fd = [(semidiscrete.exact_ot(square(theta + eps * e, z), y, nu)[0] - semidiscrete.exact_ot(square(theta - eps * e, z), y, nu)[0])
              / (2 * eps) for e in torch.eye(2, dtype=torch.float64)]
        assert np.linalg.norm(grad.numpy() - fd) < 3e-3 * np.linalg.norm(fd), (grad, fd)


def test_map_cost_is_the_cost_of_t_psi_and_the_recorder_keeps_frames():
    # T_psi at psi = 0 sends each point to its nearest y: cost = mean squared distance, image = cell masses
    x, y = torch.tensor([[0.1, 0.0], [0.8, 0.0], [0.9, 0.3]]), torch.tensor([[0.0, 0.0], [1.0, 0.0]])
    cost, image = semidiscrete.map_cost(torch.zeros(2), x, y)
    assert cost == pytest.approx((0.01 + 0.04 + 0.1) / 3) and torch.allclose(image, torch.tensor([1 / 3, 2 / 3]))
    cost, image = semidiscrete.map_cost(torch.tensor([10.0, 0.0]), x, y)   # a large psi_1 pulls all to y_1
    assert torch.equal(image, torch.tensor([1.0, 0.0])) and cost == pytest.approx((0.01 + 0.64 + 0.9) / 3)
    G = nets.ToyGenerator(width=16)
    z, y3 = G.noise(64, seed=0), torch.tensor([[0.0, 0.0], [1.0, 1.0], [-1.0, 1.0]])
    frames, record = sdwgan.recorder(G, z, y3, every=2)
    run = sdwgan.semi_discrete_wgan(G, y3, steps=5, psi_steps=2, gamma=1.0, batch=16, callback=record, progress=False)
    assert [f[0] for f in frames] == [0, 1, 2, 4] and torch.equal(frames[0][1], torch.zeros(3))
    assert run.D.psi.abs().sum() > 0 and frames[1][1].abs().sum() > 0             # psi left 0 from step 1
    with torch.no_grad():
        assert frames[-1].W == pytest.approx(semidiscrete.exact_ot(frames[-1].x, y3)[0])
        H = semidiscrete.c_transform(frames[-1].psi, frames[-1].x, y3).mean() + frames[-1].psi.mean()
    assert frames[-1].H == pytest.approx(float(H), abs=1e-6)
    assert all(f.H <= f.W + 1e-5 for f in frames)                                # weak duality, any psi


def test_the_semi_discrete_wgan_is_the_slides_alternate_algorithm_written_out():
    """ASGD on H warm-started at the previous psi (its average and k restarted), then one Adam step of theta on
    E[psi^c(g_theta(Z))]: the kit's run (through the one training loop) equals the loop written out, same draws."""
    y = torch.tensor([[0.0, 0.0], [1.0, 1.0], [-1.0, 1.0]])
    J, batch, gamma = 3, 16, 2.0
    torch.manual_seed(0)
    G = nets.ToyGenerator(width=16)
    psi = torch.zeros(J)
    opt = torch.optim.Adam(G.parameters(), lr=1e-3, betas=(0.5, 0.999))
    for _ in range(4):
        psi_t = psi.clone()
        for k in range(1, 3):
            with torch.no_grad():
                x = G(G.noise(batch))
            j = semidiscrete.laguerre_assign(psi_t, x, y)
            psi_t = psi_t + gamma / k ** 0.5 * (1 / J - torch.bincount(j, minlength=J) / batch)
            psi = psi + (psi_t - psi) / k
        opt.zero_grad()
        semidiscrete.c_transform(psi, G(G.noise(batch)), y).mean().backward()
        opt.step()
    torch.manual_seed(0)
    run = sdwgan.semi_discrete_wgan(nets.ToyGenerator(width=16), y, steps=4, psi_steps=2, gamma=gamma, batch=batch,
                                    progress=False)
    assert torch.allclose(run.D.psi, psi, atol=1e-6)
    assert all(torch.allclose(a, b, atol=1e-6) for a, b in zip(run.G.parameters(), G.parameters()))


# ------------------------------------------------------------------------ Kitagawa's theorem checked (gankit.kitagawa)

def test_flat_direction_of_h_and_its_gradient_summing_to_zero():
    from gankit import kitagawa
    g = torch.Generator().manual_seed(2)
    x, y = torch.rand(400, 2, generator=g, dtype=torch.float64), torch.rand(7, 2, generator=g, dtype=torch.float64)
    psi, nu = torch.randn(7, generator=g), torch.tensor([0.1, 0.2, 0.1, 0.2, 0.1, 0.2, 0.1], dtype=torch.float64)
    r = kitagawa.flat_direction(psi, x, y, ts=(-1.0, 0.5, 3.0), nu=nu)
    assert len(r.flat) == 3 and max(abs(v) for v in r.flat) < 1e-12
    masses = semidiscrete.cell_masses(psi.double(), x, y)
    assert abs(r.grad_sum) < 1e-12 and r.grad_sum == pytest.approx(float((nu - masses).sum()), abs=1e-15)
    # the flat direction needs sum_j nu_j = 1: H(psi + t 1) - H(psi) = t (sum_j nu_j - 1) (5e-5 passes as_weights)
    off = kitagawa.flat_direction(psi, x, y, ts=(2.0,), nu=nu * (1 + 5e-5))
    assert off.flat == pytest.approx([2 * 5e-5], rel=1e-6) and off.grad_sum == pytest.approx(5e-5, rel=1e-6)
    assert str(r).startswith("H(psi + t 1) - H(psi) for t = -1, 0.5, 3: ")
    assert str(r).endswith(f";  sum_j dH/dpsi_j = {r.grad_sum:.1e}")


def test_every_t_psi_is_optimal_to_its_own_image_and_its_cost_is_brute_force():
    """map_optimality: the cost of T_psi by brute force (nearest point for c - psi), POT's W to the image by
    ot.emd2, equal for any psi; the masses of the image J mu(L_psi(y_j)) from a bincount."""
    from gankit import kitagawa
    g = torch.Generator().manual_seed(4)
    x, y = torch.rand(300, 2, generator=g, dtype=torch.float64), torch.rand(6, 2, generator=g, dtype=torch.float64)
    psis = {"0": torch.zeros(6), "random": 0.2 * torch.randn(6, generator=g)}
    r = kitagawa.map_optimality(psis, x, y)
    C = torch.cdist(x, y) ** 2
    for (name, psi), row in zip(psis.items(), r.rows):
        j = (C - psi.double()).argmin(1)
        m = torch.bincount(j, minlength=6).double() / len(x)
        W = pot.emd2(np.full(len(x), 1 / len(x)), m[m > 0].numpy(), C[:, m > 0].numpy())
        assert row[0] == name and row[1] == pytest.approx(float(C[torch.arange(len(x)), j].mean()), rel=1e-12)
        assert row[2] == pytest.approx(W, rel=1e-9) and abs(row[3]) < 1e-12
        assert row[4:] == pytest.approx([6 * m.min().item(), 6 * m.max().item()])
    assert str(r).splitlines()[0].split() == ["psi", "cost", "of", "T_psi", "W(mu,", "image)", "difference", "min",
                                              "J", "mu(cell)", "max", "J", "mu(cell)"]


def test_split_points_of_a_plan_on_a_laguerre_boundary():
    """Three points of mass 1/3 on the line to two points of mass 1/2: the plan must split the middle one (on the
    boundary of its potential's cells) and sends the others where T_psi does; a psi that pulls everything to y_1
    does not."""
    from gankit import kitagawa
    x = torch.tensor([[0.1, 0.0], [0.5, 0.0], [0.9, 0.0]], dtype=torch.float64)
    y = torch.tensor([[0.0, 0.0], [1.0, 0.0]], dtype=torch.float64)
    _, psi, plan = semidiscrete.exact_ot(x, y, plan=True)
    r = kitagawa.split_points(plan, psi, x, y)
    assert (r.split, r.n, r.same) == (1, 3, True)
    assert str(r) == ("POT's plan splits 1 of the 3 grid points between two cells; T_psi sends every other point "
                      "where the plan does")
    other = kitagawa.split_points(plan, torch.tensor([10.0, 0.0]), x, y)
    assert other.same is False and str(other).endswith("T_psi sends some other points elsewhere than the plan")


def test_grad_ot_check_against_centred_differences():
    """grad_ot_check: the formula is grad_ot's, the differences are POT's W at theta +- eps e_k (the notebook's
    square generator), and on a parabola (one target point) both are exact."""
    g = torch.Generator().manual_seed(1)
    y = 1.5 * torch.rand(5, 2, generator=g, dtype=torch.float64)
    nu = torch.tensor([0.1, 0.3, 0.2, 0.25, 0.15], dtype=torch.float64)
    square = lambda th, z: th[0] * torch.ones(2, dtype=th.dtype) + th[1] * z
    theta, z, eps = torch.tensor([0.2, 0.8], dtype=torch.float64), semidiscrete.pixel_centres(50), 1e-3
    r = sdwgan.grad_ot_check(square, theta, z, y, nu, eps=eps)
    W, grad = sdwgan.grad_ot(square, theta, z, y, nu)
    W_at = lambda th: semidiscrete.exact_ot(square(th, z), y, nu)[0]
    fd = [(W_at(theta + eps * e) - W_at(theta - eps * e)) / (2 * eps) for e in torch.eye(2, dtype=torch.float64)]
    assert r.W == W and torch.equal(r.grad, grad) and r.diff.tolist() == pytest.approx(fd, rel=1e-12)
    np.testing.assert_allclose(r.rel, np.abs(grad.numpy() - fd) / np.abs(fd), rtol=1e-9)
    assert max(r.rel) < 5e-3 and str(r).startswith(f"W = {W:.6f}; formula ({grad[0]:.6f}, {grad[1]:.6f}), differences of POT's W (")
    # h(theta) = mean_i (theta + z_i)^2 towards the point 0: grad = 2 mean(theta + z), exact centred differences
    f64 = dict(dtype=torch.float64)
    z3 = torch.tensor([[-1.0], [0.5], [2.0]], **f64)
    line = sdwgan.grad_ot_check(lambda th, z: th + z, torch.tensor([0.3], **f64), z3, torch.zeros(1, 1, **f64))
    assert line.grad.item() == pytest.approx(2 * (0.3 + 0.5)) and line.diff.item() == pytest.approx(1.6, rel=1e-9)
