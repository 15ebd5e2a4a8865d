import math

import pytest
import torch

from gankit import semidiscrete
from gankit import nets, wgan


def w1(x, y):
    return semidiscrete.exact_ot(x, y, cost="euclidean")[0]


def test_exact_w1_is_the_sorted_matching_in_1d():
    """In 1D with equal sizes, W_1 = mean |x_(i) - y_(i)| (sorted samples)."""
    x, y = torch.randn(300, 1, dtype=torch.float64), 2 * torch.rand(300, 1, dtype=torch.float64)
    closed = (x.sort(0).values - y.sort(0).values).abs().mean().item()
    assert w1(x, y) == pytest.approx(closed, rel=1e-9)


def test_exact_w1_of_a_translation_is_the_shift_length():
    x = torch.randn(200, 2)
    assert w1(x, x + torch.tensor([0.3, 0.4])) == pytest.approx(0.5, rel=1e-6)
    with pytest.raises(ValueError, match="same space"):
        w1(x, torch.randn(10, 3))


def test_gaussian_generator():
    x = wgan.gaussian_generator(mean=(1.0, -2.0), std=0.5).sample(20000, seed=0).detach()
    assert torch.allclose(x.mean(0), torch.tensor([1.0, -2.0]), atol=0.02)
    assert torch.allclose(x.std(0), torch.tensor([0.5, 0.5]), atol=0.02)


def test_fit_critic_recovers_w1_with_the_penalty_and_vanishes_with_tiny_clipping():
    """Data = generator samples shifted by t: W_1 = |t| = 0.5. A penalised critic D = k phi maximises
    k W - lam (k - 1)^2, so its estimate is about W (1 + W / (2 lam)); a critic clipped at c = 1e-3 is flat."""
    torch.manual_seed(0)
    G = wgan.gaussian_generator(mean=(0.0, 0.0), std=0.3)
    z = G.noise(256, seed=1)
    y = G(z).detach() + torch.tensor([0.3, 0.4])
    assert w1(G(z).detach(), y) == pytest.approx(0.5, rel=1e-6)
    gp = wgan.fit_critic(nets.ToyDiscriminator(width=32), y, G, z, mode="gp", lam=10.0, steps=300, lr=3e-3,
                         batch_size=128, progress=False)
    assert gp.w1 == pytest.approx(0.5 * (1 + 0.5 / 20), rel=0.05)
    assert gp.lip == pytest.approx(1.0, abs=0.15)
    assert gp.grad_G == pytest.approx(1.0, abs=0.15)  # the mean critic gradient -a has norm ~1
    clip = wgan.fit_critic(nets.ToyDiscriminator(width=32), y, G, z, mode="clip", c=1e-3, steps=50, progress=False)
    assert abs(clip.w1) < 1e-3 and clip.lip < 1e-3 and clip.grad_G < 1e-3
    with pytest.raises(ValueError, match="mode"):
        wgan.fit_critic(nets.ToyDiscriminator(width=8), y, G, z, mode="hinge")


def test_loss_tracks_quality_ranks_the_per_epoch_means():
    """Spearman's rho of the per-epoch critic estimate against the FID: 1 when both fall together, -1 when the
    estimate rises while the FID falls; the GAN fallback reads the discriminator's loss."""
    steps = 4
    falling = [10.0 - e + 0.1 * s for e in range(6) for s in range(steps)]       # per-step values, epoch means fall
    meta = dict(critic_gap=falling, d_loss=[0.0] * 24, steps_per_epoch=steps, fid_per_epoch=[60, 50, 45, 40, 38, 30])
    r = wgan.loss_tracks_quality(meta)
    assert r.key == "critic_gap" and r.rho == pytest.approx(1.0) and len(r.loss) == 6
    assert r.loss[0].item() == pytest.approx(10.15)
    gan = dict(critic_gap=[], d_loss=[-v for v in falling], steps_per_epoch=steps, fid_per_epoch=meta["fid_per_epoch"])
    r = wgan.loss_tracks_quality(gan)
    assert r.key == "d_loss" and r.rho == pytest.approx(-1.0)
    averaged = dict(meta, fid_per_epoch=meta["fid_per_epoch"][::-1], fid_trained_per_epoch=meta["fid_per_epoch"])
    assert wgan.loss_tracks_quality(averaged).rho == pytest.approx(1.0)     # the trained generator's FID is used


def test_toy_wgan_modes_and_architectures():
    """mode="gan" trains with the GAN losses (a fresh discriminator's loss is 2 log 2 at logits near 0), the WGAN
    modes with the critic loss (near 0 for a fresh critic); depth and act build both networks; other modes fail."""
    G, D, h = wgan.toy_wgan("gan", steps=3, width=16, depth=2, act="tanh", batch_size=64, progress=False)
    assert h.d_loss[0] == pytest.approx(2 * math.log(2), abs=0.1)
    for net in (G, D):
        assert sum(isinstance(m, torch.nn.Tanh) for m in net.modules()) == 2
        assert not any(isinstance(m, torch.nn.ReLU) for m in net.modules())
    _, _, h = wgan.toy_wgan("clip", steps=3, width=16, depth=1, batch_size=64, progress=False)
    assert abs(h.d_loss[0]) < 0.1
    with pytest.raises(ValueError, match="mode"):
        wgan.toy_wgan("hinge", steps=1)
