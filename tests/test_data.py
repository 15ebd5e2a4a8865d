import pytest
import torch

from gankit import data


@pytest.mark.parametrize("name", sorted(data.TOYS))
def test_toy_sets_are_seeded_2d(name):
    a, b = data.toy(name, 500, seed=3), data.toy(name, 500, seed=3)
    assert a.shape == (500, 2) and torch.equal(a, b)
    assert not torch.equal(a, data.toy(name, 500, seed=4))


def test_eight_gaussians_sit_on_their_centres():
    x = data.eight_gaussians(4000, seed=0)
    d = torch.cdist(x, data.EIGHT_CENTRES).min(1).values
    assert d.max() < 6 * 0.02 / 1.414 * 2  # within a few stds of a centre
    assert torch.allclose(data.EIGHT_CENTRES.norm(dim=1), torch.full((8,), 2 / 1.414))


def test_twentyfive_gaussians_cover_every_centre():
    x = data.twentyfive_gaussians(5000, seed=0)
    k = torch.cdist(x, data.TWENTYFIVE_CENTRES).argmin(1)
    assert len(k.unique()) == 25
    assert (x - data.TWENTYFIVE_CENTRES[k]).std() == pytest.approx(data.TWENTYFIVE_STD, rel=0.1)


def test_sampler_makes_epochs_over_a_finite_set():
    y = torch.arange(10.0).view(10, 1)
    real = data.batches(y, seed=0)
    seen = torch.cat([real(5), real(5)])
    assert sorted(seen.view(-1).tolist()) == list(range(10))  # one epoch sees every point once


def test_unknown_toy_is_a_clear_error():
    with pytest.raises(ValueError, match="8gaussians"):
        data.toy("nine gaussians", 10)


def test_mnist_is_real_and_scaled(mnist_test):
    x, t = mnist_test
    assert x.shape == (10000, 1, 28, 28) and t.shape == (10000,)
    assert x.min() == -1 and x.max() == 1
    assert torch.bincount(t).tolist()[1] == 1135  # the number of ones in the official test set


def _fake_root(path):
    raw = path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for f in data.MNIST_FILES:
        (raw / f).touch()
    return path


def test_root_order_argument_then_env_then_cache(tmp_path, monkeypatch):
    arg, env, cache = (_fake_root(tmp_path / k) for k in ("arg", "env", "cache"))
    monkeypatch.setattr(data, "DEFAULT_CACHE", cache)
    monkeypatch.setenv("GANKIT_DATA", str(env))
    assert data.mnist_root(arg) == arg
    assert data.mnist_root() == env
    monkeypatch.delenv("GANKIT_DATA")
    assert data.mnist_root() == cache


def test_offline_without_files_names_every_place_and_the_fix(tmp_path, monkeypatch):
    import urllib.error

    import torchvision

    def offline(*args, **kwargs):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(torchvision.datasets, "MNIST", offline)
    monkeypatch.setenv("GANKIT_DATA", str(tmp_path / "env"))
    monkeypatch.setattr(data, "DEFAULT_CACHE", tmp_path / "cache")
    with pytest.raises(data.DataNotFoundError) as e:
        data.mnist_root(tmp_path / "arg")
    msg = str(e.value)
    for place in ("arg", "env", "cache"):
        assert str(tmp_path / place / "MNIST" / "raw") in msg
    assert "no network" in msg and "GANKIT_DATA" in msg and "root=" in msg
