import math

import pytest
import torch

from gankit import data, loop, losses, nets, recipes, train


def _toy_run(steps=30, seed=0, width=32, batch_size=64, **kw):
    torch.manual_seed(seed)
    G, D = nets.ToyGenerator(width=width), nets.ToyDiscriminator(width=width)
    opt_G = torch.optim.Adam(G.parameters(), 1e-3, betas=(0.5, 0.9))
    opt_D = torch.optim.Adam(D.parameters(), 1e-3, betas=(0.5, 0.9))
    real = data.batches("8gaussians", seed=seed)
    return G, loop.train(G, D, real, d_loss=losses.gan_d_loss, g_loss=losses.gan_g_loss, opt_G=opt_G, opt_D=opt_D,
                          steps=steps, batch_size=batch_size, progress=False, **kw)


def test_history_and_snapshots():
    z = torch.randn(16, 2)
    G, h = _toy_run(steps=30, n_critic=2, snapshot_every=10, snapshot_z=z)
    assert len(h.d_loss) == len(h.g_loss) == 30
    assert [s for s, _ in h.snapshots] == [10, 20, 30] and h.snapshots[-1][1].shape == (16, 2)
    assert all(math.isfinite(v) for v in h.d_loss + h.g_loss)


def test_seeded_runs_repeat_exactly_on_cpu():
    G1, h1 = _toy_run(seed=1)
    G2, h2 = _toy_run(seed=1)
    assert h1.g_loss == h2.g_loss
    assert all(torch.equal(a, b) for a, b in zip(G1.parameters(), G2.parameters()))


def test_critic_schedule_and_after_step_hook():
    calls = []
    _toy_run(steps=4, n_critic=lambda step: 3 if step == 1 else 1, after_d_step=lambda D: calls.append(1))
    assert len(calls) == 3 + 1 + 1 + 1


def test_toy_gan_learns_the_eight_gaussians():
    # 800 steps: at 500 one of the 8 modes can still be missing, depending on the seed and the CPU thread count
    G, h = _toy_run(steps=800, width=128, batch_size=256)
    x = G.sample(2000, seed=0).detach()
    d, k = torch.cdist(x, data.EIGHT_CENTRES).min(1)
    assert d.median() < 0.3  # at the start the median distance to a centre is about 1
    assert len(k[d < 0.1].unique()) == 8  # every mode is hit


def test_nan_loss_is_a_clear_error():
    G, D = nets.ToyGenerator(width=8), nets.ToyDiscriminator(width=8)
    nan_loss = lambda D, y, x: D(y).mean() * float("nan")
    with pytest.raises(FloatingPointError, match="diverged"):
        loop.train(G, D, data.batches("8gaussians"), d_loss=nan_loss, g_loss=losses.gan_g_loss,
                    opt_G=torch.optim.SGD(G.parameters(), 0.1), opt_D=torch.optim.SGD(D.parameters(), 0.1),
                    steps=2, progress=False)


def test_every_recipe_names_known_settings():
    for name, r in recipes.RECIPES.items():
        if r.get("kind") == "classifier":
            continue
        assert r["arch"] in nets.ARCHS and r["loss"] in recipes.LOSSES and r["opt"] in ("adam", "sgd", "rmsprop")


def test_zero_critic_steps_is_a_clear_error():
    with pytest.raises(ValueError, match="n_critic"):
        _toy_run(steps=2, n_critic=0)


def test_a_resumed_run_ends_with_the_weights_of_a_run_that_never_stopped(tmp_path, monkeypatch):
    """train_mnist_gan's steps (start, one_epoch, evaluate, save; resume): a run stopped after epoch 1 and resumed
    from its saved state gives bit for bit the weights, losses and curves of the same run in one go (each epoch is
    seeded). A small DCGAN on 128 digits, batches of 32: 4 generator steps an epoch."""
    (x, t), (xt, tt) = data.mnist(train=True), data.mnist(train=False)
    monkeypatch.setattr(data, "mnist", lambda train=True, root=None: (x[:128], t[:128]) if train else (xt[:100], tt[:100]))
    r = {**recipes.RECIPES["dcgan_adam"], "c": 8, "batch": 32, "epochs": 2}
    G1, D1, once = train.train_mnist_gan(r, progress=False, fid_samples=64)
    state = tmp_path / "run.pt"
    train.train_mnist_gan(r, epochs=1, progress=False, fid_samples=64, state=state)
    G2, D2, resumed = train.train_mnist_gan(r, progress=False, fid_samples=64, state=state)
    assert once["steps"] == resumed["steps"] == 8 and once["epochs"] == resumed["epochs"] == 2
    assert all(torch.equal(a, b) for a, b in zip([*G1.state_dict().values(), *D1.state_dict().values()],
                                                  [*G2.state_dict().values(), *D2.state_dict().values()]))
    for key in ("fid_per_epoch", "fid_trained_per_epoch", "d_loss", "g_loss", "grids"):
        assert torch.equal(torch.as_tensor(once[key]), torch.as_tensor(resumed[key])), key
