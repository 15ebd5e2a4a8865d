"""gankit.replay: a stored run stands for a call only when it was made by the same call from the same random state,
and then replays it exactly (return value, the networks it trained in place, the random state after it)."""
import numpy as np
import pytest
import torch

from gankit import data, nets, replay


CALLS = []


def fit(G, D, steps, lr=0.1):
    """A tiny training run that changes D in place, draws random numbers and returns a history."""
    CALLS.append(steps)
    opt = torch.optim.SGD(D.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        loss = D(G(G.noise(16))).mean() - D(torch.randn(16, 2)).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return {"loss": losses, "last": D(torch.zeros(1, 2)).item()}


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setattr(replay, "DIR", tmp_path)
    return tmp_path


def record(name, *args, **kwargs):
    replay.RECORD = True
    try:
        return replay.run(name, fit, *args, **kwargs)
    finally:
        replay.RECORD = False


def pair(seed=0):
    torch.manual_seed(seed)
    return nets.ToyGenerator(width=8), nets.ToyDiscriminator(width=8)


def test_a_matching_call_is_replayed_exactly(store):
    G, D = pair()
    live = record("toy", G, D, 5)
    after_live = torch.rand(3)
    assert (store / "toy.pt").exists()
    G2, D2 = pair()
    CALLS.clear()
    replayed = replay.run("toy", fit, G2, D2, 5)
    assert CALLS == []                                 # loaded, not trained
    assert replayed == live
    for a, b in zip(D.state_dict().values(), D2.state_dict().values()):
        assert torch.equal(a, b)                       # D2 trained in place as D was
    assert torch.equal(torch.rand(3), after_live)      # the random state after the call


def train_on(G, D, real, steps):
    """Like ``fit``, on batches drawn from the data source ``real``."""
    opt = torch.optim.SGD(D.parameters(), lr=0.1)
    for _ in range(steps):
        loss = D(G(G.noise(8))).mean() - D(real(8)).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return D(torch.zeros(1, 2)).item()


@pytest.mark.parametrize("points", ["8gaussians", torch.arange(40.0).view(20, 2)], ids=["toy set", "finite set"])
def test_a_data_source_continues_where_the_live_run_left_it(store, points):
    G, D = pair()
    real = data.batches(points, seed=0)
    replay.RECORD = True
    try:
        live = replay.run("source", train_on, G, D, real, 3)
    finally:
        replay.RECORD = False
    after = real(8)
    G, D = pair()
    real = data.batches(points, seed=0)
    assert replay.run("source", train_on, G, D, real, 3) == live
    assert torch.equal(real(8), after)                 # the source's generator and position restored
    G, D = pair()
    assert replay.key(train_on, (G, D, data.batches(points, seed=1), 3), {}) != replay.key(
        train_on, (G, D, data.batches(points, seed=0), 3), {})


def test_other_arguments_or_random_state_train_here(store, capsys):
    record("toy", *pair(), 5)
    G, D = pair()
    CALLS.clear()
    replay.run("toy", fit, G, D, 6)                    # another step count
    G, D = pair()
    torch.rand(1)                                      # another random state
    replay.run("toy", fit, G, D, 5)
    assert CALLS == [6, 5]
    assert "trained here" in capsys.readouterr().out
    G, D = pair(seed=1)                                # other starting weights
    assert replay.key(fit, (G, D, 5), {}) != replay.key(fit, (*pair(), 5), {})


def test_retrain_trains_and_progress_is_not_part_of_the_key(store):
    G, D = pair()
    record("toy", G, D, 5)
    G, D = pair()
    k = replay.key(fit, (G, D, 5), {"lr": 0.1, "progress": True})
    assert k == replay.key(fit, (G, D, 5), {"lr": 0.1, "progress": False})
    CALLS.clear()
    replay.run("toy", fit, *pair(), 5, retrain=True)
    assert CALLS == [5]


@pytest.mark.parametrize("path", sorted(replay.DIR.glob("*.pt")), ids=lambda p: p.stem)
def test_every_stored_run_loads(path):
    """The kit's stored toy runs (written by ``python -m gankit.replay NOTEBOOK``) load, each with its key, the
    networks it trained in place and the random states after it."""
    stored = torch.load(path, weights_only=False)
    assert set(stored) == {"key", "result", "nets", "sources", "torch_rng", "numpy_rng"}
    assert len(stored["key"]) == 64
    assert all(isinstance(w, dict) for w in stored["nets"].values())
    assert isinstance(stored["numpy_rng"][1], np.ndarray)
    assert path.stat().st_size < 6e6, "a stored toy run should stay small (a few MB)"


def test_the_key_ignores_what_may_differ_between_processor_kinds_only():
    """The cached Gaussian draw in torch's random state and a float's last bits are left out of the key; the draws
    made (the Mersenne twister's position) and the float's value to 10 digits are not."""
    G, D = pair()
    torch.manual_seed(0)
    torch.randn(1)                      # one Box-Muller pair drawn, the second value cached
    one = replay.key(fit, (G, D, 5), {"lr": 0.1})
    torch.manual_seed(0)
    torch.randn(2)                      # the same pair drawn, nothing cached
    assert replay.key(fit, (G, D, 5), {"lr": 0.1}) == one
    assert replay.key(fit, (G, D, 5), {"lr": 0.1 + 1e-15}) == one
    torch.manual_seed(0)
    torch.randn(3)                      # one more pair drawn
    assert replay.key(fit, (G, D, 5), {"lr": 0.1}) != one
    torch.manual_seed(0)
    torch.randn(1)
    assert replay.key(fit, (G, D, 5), {"lr": 0.1001}) != one
