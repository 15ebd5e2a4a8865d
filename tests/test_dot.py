"""Discriminator Optimal Transport (gankit.dot) against the paper's formulas and closed forms."""
import math

import pytest
import torch

from critics import linear_D, linear_G
from gankit import dot, drs, nets


def test_dot_with_zero_steps_is_the_identity():
    G, D = nets.ToyGenerator(width=16), nets.ToyDiscriminator(width=16)
    y = torch.randn(37, 2)
    assert torch.equal(dot.target(D, y, 1.0, steps=0, progress=False), y)
    z = torch.randn(37, 2)
    assert torch.equal(dot.latent(G, D, z, 1.0, steps=0, progress=False), z)


def test_K_eff_of_a_linear_critic_is_its_slope():
    D = linear_D([3.0, 4.0])                           # ||w|| = 5, reached along w
    G = linear_G([[1.0, 0.0], [0.0, 1.0]])
    K = dot.K_eff(G, D, "target", pairs=2000)
    assert 4.8 < K <= 5.0 + 1e-5
    x = torch.tensor([[0.0, 0.0]])
    assert dot.lipschitz_ratio(D, x, x + torch.tensor([[0.6, 0.8]])) == pytest.approx(5.0, rel=1e-6)
    # latent space: D(G(z)) = w . A z has slope ||A^T w||
    G2 = linear_G([[2.0, 0.0], [0.0, 1.0]])
    assert dot.lipschitz_ratio(lambda z: D(G2(z)), x, x + torch.tensor([[6.0, 4.0]]) / math.sqrt(52)) == \
        pytest.approx(math.sqrt(52), rel=1e-6)


def test_target_dot_on_a_linear_critic_follows_the_closed_form():
    # H(x) = ||x - y + delta|| - w.x / K with K = ||w||: from x = y, SGD moves along w / ||w|| (the gradient of the
    # norm at x = y is delta / ||delta||); after one step x - y = lr * (w/|w| - delta/|delta|)
    w = torch.tensor([3.0, 4.0])
    D = linear_D(w)
    y = torch.zeros(1, 2)
    x = dot.target(D, y, 5.0, steps=1, lr=0.1, optimizer="sgd", progress=False)
    d = torch.full((2,), 1e-3)
    assert torch.allclose(x[0], 0.1 * (w / 5 - d / d.norm()), atol=1e-6)


def test_latent_dot_keeps_z_in_the_priors_support():
    G, D = linear_G([[1.0, 0.0], [0.0, 1.0]]), linear_D([3.0, 4.0])     # D(G(z)) = w . z grows along w
    z = torch.randn(64, 2, generator=torch.Generator().manual_seed(0))
    zt = dot.latent(G, D, z, 1.0, steps=30, lr=0.1, prior="gaussian", progress=False)
    assert torch.allclose(zt.norm(dim=1), z.norm(dim=1), rtol=1e-5)     # on the sphere ||z|| = ||z_y||
    w = torch.tensor([3.0, 4.0]) / 5
    assert ((zt @ w) / zt.norm(dim=1)).mean() > ((z @ w) / z.norm(dim=1)).mean() + 0.3   # turned towards w
    zu = dot.latent(G, D, z.clamp(-1, 1), 1.0, steps=30, lr=0.1, prior="uniform", progress=False)
    assert zu.abs().max() <= 1.0 and (zu - z.clamp(-1, 1)).abs().max() > 0.1
    path = dot.latent(G, D, z, 1.0, steps=5, prior="gaussian", keep=[0, 2], progress=False)
    assert sorted(path) == [0, 2, 5] and torch.equal(path[0], z) and not torch.equal(path[2], path[5])
    assert torch.equal(path[5], dot.latent(G, D, z, 1.0, steps=5, prior="gaussian", progress=False))


def test_bad_arguments_are_clear_errors():
    G, D = nets.ToyGenerator(width=8), nets.ToyDiscriminator(width=8)
    with pytest.raises(ValueError, match="latent codes"):
        dot.latent(G, D, torch.randn(4, 3), 1.0, progress=False)
    with pytest.raises(ValueError, match="prior"):
        dot.latent(G, D, torch.randn(4, 2), 1.0, prior="cauchy", progress=False)
    with pytest.raises(ValueError, match="positive"):
        dot.target(D, torch.randn(4, 2), 0.0, progress=False)
    with pytest.raises(ValueError, match="percentile"):
        drs.percentile_gamma(torch.randn(10), 120)
