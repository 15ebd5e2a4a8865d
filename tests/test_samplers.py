"""DRS and DOT (gankit.samplers) against the papers' formulas and closed forms."""
import math

import pytest
import torch

from critics import linear_D
from gankit import nets, samplers


def linear_G(A, b=(0.0, 0.0)):
    """A 2D generator G(z) = A z + b."""
    G = nets.ToyGenerator(depth=0)
    with torch.no_grad():
        G.net[0].weight.copy_(torch.as_tensor(A, dtype=torch.float32))
        G.net[0].bias.copy_(torch.as_tensor(b, dtype=torch.float32))
    return G


# ----------------------------------------------------------------------------- DRS


def test_drs_acceptance_equals_the_papers_formula_on_hand_made_logits():
    logits = torch.tensor([-3.0, -1.0, 0.0, 0.5, 2.0])
    M, gamma, eps = 2.0, -1.5, 1e-6
    expected = [1 / (1 + math.exp(-(l - M - math.log(1 - math.exp(l - M - eps)) - gamma))) for l in logits.tolist()]
    assert torch.allclose(samplers.drs_acceptance(logits, M, gamma, eps), torch.tensor(expected, dtype=torch.float64),
                          rtol=1e-9, atol=0)
    # gamma = 0 is exact rejection sampling: acceptance exp(D~ - D~_M) (up to eps)
    exact = torch.exp(logits.double() - M)
    assert torch.allclose(samplers.drs_acceptance(logits[:-1], M, 0.0, 1e-12), exact[:-1], rtol=1e-6)
    with pytest.raises(ValueError, match="running max"):
        samplers.drs_F(logits, 1.0)


def test_gamma_to_minus_infinity_accepts_everything():
    G, D = linear_G([[1.0, 0.0], [0.0, 1.0]]), linear_D([3.0, -2.0])
    r = samplers.drs(G, D, 500, burn_in=1000, gamma=-1e4, batch=250, progress=False)
    assert r.acceptance_rate == 1.0 and len(r.x) == 500 and r.proposed == 500
    assert torch.allclose(samplers.drs_acceptance(torch.randn(100), 5.0, -1e4), torch.ones(100, dtype=torch.float64))


def test_percentile_gamma_and_drs_prefers_high_logits():
    G, D = linear_G([[1.0, 0.0], [0.0, 1.0]]), linear_D([2.0, 0.0])
    r = samplers.drs(G, D, 300, burn_in=2000, percentile=95, batch=500, progress=False)
    assert 0 < r.acceptance_rate < 0.5
    assert r.x[:, 0].mean() > 1.0                       # accepted samples sit where D is large
    F0 = torch.linspace(0, 1, 101)
    assert samplers.percentile_gamma(F0, 95) == pytest.approx(0.95)


def test_logistic_calibration_recovers_the_log_density_ratio():
    g = torch.Generator().manual_seed(0)
    s_real, s_fake = torch.randn(20000, generator=g) + 1, torch.randn(20000, generator=g) - 1
    a, b = samplers.fit_logistic(3.0 * s_real + 5, 3.0 * s_fake + 5)     # scores of a critic D = 3 s + 5
    assert a == pytest.approx(2 / 3, abs=0.03) and b == pytest.approx(-10 / 3, abs=0.1)   # log ratio 2 s


# ----------------------------------------------------------------------------- DOT


def test_dot_with_zero_steps_is_the_identity():
    G, D = nets.ToyGenerator(width=16), nets.ToyDiscriminator(width=16)
    y = torch.randn(37, 2)
    assert torch.equal(samplers.dot_target(D, y, 1.0, steps=0, progress=False), y)
    z = torch.randn(37, 2)
    assert torch.equal(samplers.dot_latent(G, D, z, 1.0, steps=0, progress=False), z)


def test_K_eff_of_a_linear_critic_is_its_slope():
    D = linear_D([3.0, 4.0])                           # ||w|| = 5, reached along w
    G = linear_G([[1.0, 0.0], [0.0, 1.0]])
    K = samplers.K_eff(G, D, pairs=2000)
    assert 4.8 < K <= 5.0 + 1e-5
    x = torch.tensor([[0.0, 0.0]])
    assert samplers.lipschitz_ratio(D, x, x + torch.tensor([[0.6, 0.8]])) == pytest.approx(5.0, rel=1e-6)
    # latent space: D(G(z)) = w . A z has slope ||A^T w||
    G2 = linear_G([[2.0, 0.0], [0.0, 1.0]])
    assert samplers.lipschitz_ratio(lambda z: D(G2(z)), x, x + torch.tensor([[6.0, 4.0]]) / math.sqrt(52)) == \
        pytest.approx(math.sqrt(52), rel=1e-6)


def test_target_dot_on_a_linear_critic_follows_the_closed_form():
    # H(x) = ||x - y + delta|| - w.x / K with K = ||w||: from x = y, SGD moves along w / ||w|| (the gradient of the
    # norm at x = y is delta / ||delta||); after one step x - y = lr * (w/|w| - delta/|delta|)
    w = torch.tensor([3.0, 4.0])
    D = linear_D(w)
    y = torch.zeros(1, 2)
    x = samplers.dot_target(D, y, 5.0, steps=1, lr=0.1, optimizer="sgd", progress=False)
    d = torch.full((2,), 1e-3)
    assert torch.allclose(x[0], 0.1 * (w / 5 - d / d.norm()), atol=1e-6)


def test_latent_dot_keeps_z_in_the_priors_support():
    G, D = linear_G([[1.0, 0.0], [0.0, 1.0]]), linear_D([3.0, 4.0])     # D(G(z)) = w . z grows along w
    z = torch.randn(64, 2, generator=torch.Generator().manual_seed(0))
    zt = samplers.dot_latent(G, D, z, 1.0, steps=30, lr=0.1, prior="gaussian", progress=False)
    assert torch.allclose(zt.norm(dim=1), z.norm(dim=1), rtol=1e-5)     # on the sphere ||z|| = ||z_y||
    w = torch.tensor([3.0, 4.0]) / 5
    assert ((zt @ w) / zt.norm(dim=1)).mean() > ((z @ w) / z.norm(dim=1)).mean() + 0.3   # turned towards w
    zu = samplers.dot_latent(G, D, z.clamp(-1, 1), 1.0, steps=30, lr=0.1, prior="uniform", progress=False)
    assert zu.abs().max() <= 1.0 and (zu - z.clamp(-1, 1)).abs().max() > 0.1
    path = samplers.dot_latent(G, D, z, 1.0, steps=5, prior="gaussian", keep=[0, 2], progress=False)
    assert sorted(path) == [0, 2, 5] and torch.equal(path[0], z) and not torch.equal(path[2], path[5])
    assert torch.equal(path[5], samplers.dot_latent(G, D, z, 1.0, steps=5, prior="gaussian", progress=False))


def test_bad_arguments_are_clear_errors():
    G, D = nets.ToyGenerator(width=8), nets.ToyDiscriminator(width=8)
    with pytest.raises(ValueError, match="latent codes"):
        samplers.dot_latent(G, D, torch.randn(4, 3), 1.0, progress=False)
    with pytest.raises(ValueError, match="prior"):
        samplers.dot_latent(G, D, torch.randn(4, 2), 1.0, prior="cauchy", progress=False)
    with pytest.raises(ValueError, match="positive"):
        samplers.dot_target(D, torch.randn(4, 2), 0.0, progress=False)
    with pytest.raises(ValueError, match="percentile"):
        samplers.percentile_gamma(torch.randn(10), 120)
