import math

import pytest
import torch
import torch.nn.functional as F
from scipy import stats

from gankit import divergences, losses, nets


def linear_critic(a):
    """D(x) = a . x (a 1-layer critic): ||grad D|| = |a| everywhere."""
    a = torch.as_tensor(a, dtype=torch.float32)
    D = torch.nn.Linear(len(a), 1, bias=False)
    with torch.no_grad():
        D.weight.copy_(a[None])
    return lambda x: D(x.flatten(1)).squeeze(-1), D


def batches(n=256, d=2):
    return torch.randn(n, d), torch.randn(n, d) + 3.0


# ----------------------------------------------------------------------------- gradient penalty

def test_penalty_is_zero_for_a_unit_gradient_linear_critic():
    D, _ = linear_critic([0.6, 0.8])
    y, x = batches()
    assert losses.gradient_penalty(D, y, x).item() == pytest.approx(0.0, abs=1e-12)
    assert losses.gradient_penalty(D, y, x, one_sided=True).item() == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("slope", [0.0, 0.5, 2.0, 3.0])
def test_penalty_is_the_squared_excess_slope(slope):
    D, _ = linear_critic([slope, 0.0])
    y, x = batches()
    assert losses.gradient_penalty(D, y, x).item() == pytest.approx((slope - 1) ** 2, rel=1e-6, abs=1e-12)
    # the one-sided penalty E[(||grad D|| - 1)_+^2] only punishes slopes above 1
    assert losses.gradient_penalty(D, y, x, one_sided=True).item() == pytest.approx(max(slope - 1, 0) ** 2, abs=1e-12)


def test_penalty_gradient_reaches_the_critic_parameters():
    """d/da (|a| - 1)^2 = 2 (|a| - 1) a / |a|: the penalty is differentiable in the critic's weights."""
    a = torch.tensor([1.2, 1.6])  # |a| = 2
    D, layer = linear_critic(a)
    losses.gradient_penalty(D, *batches()).backward()
    assert torch.allclose(layer.weight.grad[0], 2 * (2 - 1) * a / 2, atol=1e-5)


def test_penalty_is_taken_at_uniform_points_of_the_segments():
    """D(a) = ||a||^2 / 2 has ||grad D(a)|| = ||a||; with x = 0 and ||y|| = 2, A = u y and
    GP = E[(2u - 1)^2] = 1/3 for u ~ U(0, 1)."""
    n = 200_000
    y = torch.tensor([[2.0, 0.0]]).repeat(n, 1)
    gp = losses.gradient_penalty(lambda a: 0.5 * (a ** 2).sum(1), y, torch.zeros(n, 2))
    assert gp.item() == pytest.approx(1 / 3, abs=0.005)


def test_penalty_rejects_batches_of_different_shapes():
    D, _ = linear_critic([1.0, 0.0])
    with pytest.raises(ValueError, match="same shape"):
        losses.gradient_penalty(D, torch.randn(8, 2), torch.randn(6, 2))


def test_gp_critic_loss_adds_lambda_times_the_penalty():
    D, _ = linear_critic([2.0, 0.0])
    y, x = batches()
    gap = D(y).mean() - D(x).mean()
    assert losses.wgan_gp_d_loss(lam=10.0)(D, y, x).item() == pytest.approx(-gap.item() + 10.0, rel=1e-5)
    assert losses.wgan_gp_d_loss(lam=10.0, one_sided=True)(D, y, x).item() == pytest.approx(-gap.item() + 10.0, rel=1e-5)


# ----------------------------------------------------------------------------- clipping and Lipschitz constant

def test_clipping_bounds_every_weight_and_keeps_the_small_ones():
    D = nets.ToyDiscriminator(width=32)
    before = [p.detach().clone() for p in D.parameters()]
    losses.clip_weights(D, 0.05)
    for b, p in zip(before, D.parameters()):
        assert p.abs().max() <= 0.05
        assert torch.equal(p, b.clamp(-0.05, 0.05))
    assert any((p.abs() == 0.05).any() for p in D.parameters())  # something was actually clipped


@pytest.mark.parametrize("a", [[3.0, 4.0], [0.0, -0.5], [1.0, 1.0]])
def test_lipconstant_of_a_linear_map_is_its_norm(a):
    D, _ = linear_critic(a)
    x, y = batches(20)
    assert losses.lipconstant(D, x, y) == pytest.approx(math.hypot(*a), rel=1e-5)


def test_lipconstant_on_images():
    a = torch.randn(16)
    D, _ = linear_critic(a)
    x, y = torch.randn(5, 1, 4, 4), torch.randn(7, 1, 4, 4)
    assert losses.lipconstant(D, x, y) == pytest.approx(a.norm().item(), rel=1e-5)


def test_lipconstant_is_the_mean_norm_on_segments():
    """D(a) = ||a||^2 / 2 between x = 0 and y = (2, 0): mean of ||u y|| = 2 E[u] = 1."""
    y = torch.tensor([[2.0, 0.0]]).repeat(400, 1)
    assert losses.lipconstant(lambda a: 0.5 * (a ** 2).sum(1), torch.zeros(400, 2), y) == pytest.approx(1.0, abs=0.01)


# ----------------------------------------------------------------------------- losses on hand-made values

def first_coordinate(v):
    return v[:, 0]


def test_wgan_losses_on_hand_made_values():
    y = torch.tensor([[1.0], [2.0], [6.0]])  # E[D(Y)] = 3
    x = torch.tensor([[-1.0], [2.0]])       # E[D(X)] = 0.5
    assert losses.critic_gap(first_coordinate, y, x) == pytest.approx(2.5)
    assert losses.wgan_d_loss(first_coordinate, y, x).item() == pytest.approx(-2.5)
    assert losses.wgan_g_loss(first_coordinate, x).item() == pytest.approx(-0.5)


def test_gan_losses_are_the_bce_formulas():
    ly = torch.tensor([[0.0], [2.0], [-1.0]])  # logits D(y)
    lx = torch.tensor([[0.0], [-3.0]])         # logits D(x)
    sy, sx = torch.sigmoid(ly[:, 0]), torch.sigmoid(lx[:, 0])
    d = -(torch.log(sy).mean() + torch.log(1 - sx).mean())
    assert losses.gan_d_loss(first_coordinate, ly, lx).item() == pytest.approx(d.item(), rel=1e-6)
    assert losses.gan_d_loss(first_coordinate, ly, lx).item() == pytest.approx(
        (F.binary_cross_entropy(sy, torch.ones(3)) + F.binary_cross_entropy(sx, torch.zeros(2))).item(), rel=1e-6)
    assert losses.gan_g_loss(first_coordinate, lx).item() == pytest.approx(-torch.log(sx).mean().item(), rel=1e-6)
    assert losses.saturating_g_loss(first_coordinate, lx).item() == pytest.approx(torch.log(1 - sx).mean().item(), rel=1e-6)
    # D = 1/2 everywhere (logit 0): the discriminator loss is 2 log 2
    zero = torch.zeros(4, 1)
    assert losses.gan_d_loss(first_coordinate, zero, zero).item() == pytest.approx(2 * math.log(2))


def test_js_lower_bound_reaches_js_at_the_optimal_discriminator():
    """mu_theta = N(0, 1), nu = N(2, 1): D* = sigmoid(2x - 2), so (L(D*) + log 4) / 2 = JS (quadrature: divergences);
    a worse D (logit x - 1) gives less. Monte Carlo on 400,000 samples of each."""
    g = torch.Generator().manual_seed(0)
    y = 2 + torch.randn(400_000, 1, generator=g, dtype=torch.float64)
    x = torch.randn(400_000, 1, generator=g, dtype=torch.float64)
    js = divergences.js_divergence(stats.norm(0, 1).pdf, stats.norm(2, 1).pdf)
    assert losses.js_lower_bound(lambda v: 2 * v[:, 0] - 2, y, x) == pytest.approx(js, abs=3e-3)
    assert losses.js_lower_bound(lambda v: v[:, 0] - 1, y, x) < js - 0.02


@pytest.mark.parametrize("gamma", [0.0, 0.5, 10.0])
def test_r1_loss_adds_half_gamma_times_the_squared_slope_on_real_data(gamma):
    D, _ = linear_critic([3.0, 4.0])   # ||grad D|| = 5 everywhere
    y, x = batches(64)
    expected = losses.gan_d_loss(D, y, x).item() + gamma / 2 * 25.0
    assert losses.gan_r1_d_loss(gamma)(D, y, x).item() == pytest.approx(expected, rel=1e-5)


def test_r1_penalty_is_taken_on_the_real_batch_only():
    # D(v) = |v|^2 / 2 has gradient v: the penalty is gamma / 2 * E||y||^2, whatever the fakes are
    D = lambda v: 0.5 * v.flatten(1).pow(2).sum(1)
    y, x = batches(32)
    r1 = losses.gan_r1_d_loss(2.0)(D, y, x) - losses.gan_d_loss(D, y, x)
    assert r1.item() == pytest.approx(y.pow(2).sum(1).mean().item(), rel=1e-5)


def test_r1_penalty_gradient_reaches_the_discriminator():
    D = nets.DCDiscriminator(c=4)
    y = torch.rand(8, 1, 28, 28) * 2 - 1
    penalty = losses.gan_r1_d_loss(1.0)(D, y, y) - losses.gan_d_loss(D, y, y)
    penalty.backward()
    weights = [p for p in D.parameters() if p.dim() > 1]   # biases do not move grad_y D, so they get no gradient
    assert penalty.item() > 0 and all(p.grad is not None and p.grad.abs().sum() > 0 for p in weights)
