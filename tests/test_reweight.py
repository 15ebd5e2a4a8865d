"""Latent reweighting (gankit.reweight) on the 2D case whose answer is known (gankit.nogansland), and the truncation
trick (gankit.truncation): w small on the codes that land between the modes, the reweighted samples closer to the data
in exact W_1 beyond the seed spread, E[w] = 1 and the acceptance rate as stated, and clear errors on bad input."""
import math

import pytest
import torch

from gankit import checkpoints, data, metrics, nets, nogansland, reweight, reweight_mnist, spread, truncation


@pytest.fixture(scope="module")
def case():
    """The two-mode generator, its critic and the weights the kit trains for it (about 15 s on one core)."""
    c = nogansland.fit(seed=0)
    c.W = reweight.train(c.G, c.D, real=data.batches(c.y, seed=0), progress=False, **nogansland.SETTINGS)
    c.z = torch.randn(100_000, 1, generator=torch.Generator().manual_seed(1234))   # fresh codes
    with torch.no_grad():
        c.w, c.x = c.W(c.z), c.G(c.z)
    return c


def test_weights_are_small_exactly_on_the_codes_that_land_between_the_modes(case):
    mid = nogansland.between(case.x)
    assert 0.02 < mid.float().mean() < 0.3, "the premise: the generator's curve crosses the gap"
    assert case.w[mid].mean() < 0.5 < 1.0 < case.w[~mid].mean()
    low = case.w <= case.w.quantile(0.1)                          # w's lowest tenth
    assert mid[low].float().mean() > 0.9, "the codes of small weight are the ones between the modes"


def test_reweighted_samples_are_closer_to_the_data_in_exact_w1_beyond_the_seed_spread(case):
    verdict = nogansland.compare_w1(case.G, case.W)
    assert verdict.better and verdict.paired, str(verdict)


def test_the_kept_samples_stay_on_both_modes_in_about_equal_shares(case):
    """The diversity check recall is too blunt for: w empties the gap without dropping a mode."""
    x_kept = reweight.sample(case.G, case.W, 20_000, seed=3)[0]
    plain, kept = nogansland.sides(case.x), nogansland.sides(x_kept)
    assert sum(kept.values()) == pytest.approx(1.0) and kept["between"] < plain["between"]
    assert min(kept["left mode"], kept["right mode"]) > 0.4


def test_the_best_weights_solve_the_capped_reweighting_exactly_and_beat_the_trained_w(case):
    """best_w against an independent LP (scipy, on few points): same W1; within [0, m], mean 1; below the trained w."""
    from scipy.optimize import linprog
    x, y = case.G(case.G.noise(12, seed=5)).detach(), nogansland.two_modes(9, seed=6)
    w, W1 = nogansland.best_w(x, y, m=1.25)
    n, J = len(x), len(y)
    C = torch.cdist(x.double(), y.double()).numpy().ravel()        # pi (n, J) >= 0: rows <= m/n, columns = 1/J
    rows = [[1.0 if k // J == i else 0.0 for k in range(n * J)] for i in range(n)]
    cols = [[1.0 if k % J == j else 0.0 for k in range(n * J)] for j in range(J)]
    lp = linprog(C, A_ub=rows, b_ub=[1.25 / n] * n, A_eq=cols, b_eq=[1.0 / J] * J)
    assert W1 == pytest.approx(lp.fun, abs=1e-9)
    assert float(w.min()) >= -1e-12 and float(w.max()) <= 1.25 + 1e-9 and float(w.mean()) == pytest.approx(1.0)
    assert nogansland.w1(x, y, weights=w) == pytest.approx(W1, abs=1e-9)
    r = nogansland.versus_best(case.G, case.W, n=400)
    assert r.best <= r.trained + 1e-9 and r.best <= r.plain + 1e-9 and r.best_between < r.w_between
    assert all(sum(v.values()) == pytest.approx(1.0) for v in r.shares.values()) and r.shares["data"]["between"] == 0
    assert r.shares["weighted by w"]["between"] < r.shares["plain"]["between"] and len(str(r).splitlines()) == 2


def test_mean_weight_is_one_on_fresh_codes(case):
    assert abs(case.w.mean().item() - 1) < 0.02


def test_the_printed_check_of_where_w_is_small_reads_the_same_fresh_codes(case):
    r = nogansland.where_small(case.G, case.W, n=100_000, seed=1234)     # the fixture's codes
    mid = nogansland.between(case.x)
    assert r.share_between == pytest.approx(mid.float().mean().item()) and r.mean_w == pytest.approx(case.w.mean().item())
    assert r.w_between == pytest.approx(case.w[mid].mean().item()) and r.low_between > 0.9
    assert "codes landing between the blobs" in str(r) and len(str(r).splitlines()) == 2


def test_the_check_states_the_optimum_against_a_fixed_critic_and_where_the_trained_w_stands(case):
    """The bathtub optimum: w = m on the best 1/m of the codes, 0 on the rest, so 0 on every code between the modes
    when their share is at most 1 - 1/m; the trained w ranks them lowest without reaching 0 there."""
    r = nogansland.where_small(case.G, case.W, n=100_000, seed=1234)
    first, second = str(r).splitlines()
    assert r.share_between <= 1 - 1 / case.W.m and first.endswith("the codes between the blobs all get 0")
    assert f"m = {case.W.m:g} on the 80% of the codes it scores highest, 0 on the other 20%" in first
    bottom = case.w <= case.w.quantile(1 - 1 / case.W.m)
    assert r.between_in_bottom == pytest.approx(bottom[nogansland.between(case.x)].float().mean().item())
    assert r.between_in_bottom > 0.95 and 0 < r.w_between and "its lowest 20% hold" in second


def test_precision_and_recall_of_the_two_blobs_are_both_compared_on_paired_seeds(case):
    r = nogansland.compare_pr(case.G, case.W, n=1000, seeds=(0, 1, 2))
    assert r.precision.better and r.precision.paired and r.recall.paired and r.recall.metric == "recall"
    lines = str(r).splitlines()
    assert len(lines) == 3 and lines[0].startswith("plain -> reweighted") and "recall" in lines[2]


def test_the_figure_puts_w_and_the_first_coordinate_on_two_labelled_axes(case):
    import matplotlib
    matplotlib.use("Agg")
    a, b = nogansland.figure(case.G, case.W, case.y, n=200)
    twin = [ax for ax in b.figure.axes if ax is not b and ax.bbox.bounds == b.bbox.bounds]
    assert b.get_ylabel() == "weight w(z)" and twin and twin[0].get_ylabel().startswith("x_1")
    assert "G(z) between the blobs" in b.get_legend_handles_labels()[1] + [t.get_text() for t in b.get_legend().texts]


def test_acceptance_rate_is_the_mean_capped_weight_over_m(case):
    m = case.W.m
    x, rate = reweight.sample(case.G, case.W, 20_000, seed=7)
    expected = case.w.clamp(max=m).mean().item() / m          # = E[w] / m where w <= m
    proposed = 20_000 / rate
    assert x.shape == (20_000, 2)
    assert abs(rate - expected) < 4 * math.sqrt(expected * (1 - expected) / proposed)
    assert abs(rate * m - 1) < 0.03                           # E[w] = 1 within 2%, and w barely above m
    assert reweight.sample(case.G, case.W, 5000, m=m / 2, seed=7)[1] > rate, "a lower cap keeps more codes"


def test_untrained_weights_with_bound_one_are_plain_sampling():
    G = nets.ToyGenerator(width=8)
    W = reweight.Weights(z_dim=2, m=1.0)                      # w = 1 everywhere: every code is kept
    x, rate = reweight.sample(G, W, 2500, seed=3, batch=1000)
    assert rate == 1.0 and torch.equal(x, G.sample(2500, seed=3)), "the proposals are G.noise's codes, in order"


def test_a_reweighted_sample_keeps_the_plain_samples_codes_it_accepts():
    """Paired comparisons with the plain generator rest on this: the proposals are G.sample(n, seed)'s codes."""
    G = nets.ToyGenerator(width=8)
    W = reweight.Weights(z_dim=2, m=2.0)                      # w = 1: each code kept with probability 1/2
    x, rate = reweight.sample(G, W, 1000, seed=5, batch=300)
    plain = G.sample(1000, seed=5)
    shared = (x[:, None, :] == plain[None, :, :]).all(-1).any(1).sum().item()
    assert 0.4 < rate < 0.6 and 400 < shared < 600, "about half of the plain sample's codes are kept"
    assert (x[:shared, None, :] == plain[None, :, :]).all(-1).any(1).all(), "the first draw is the plain sample's"


def test_training_leaves_the_critic_unchanged_and_repeats_with_its_seed(case):
    before = {k: v.clone() for k, v in case.D.state_dict().items()}
    kw = dict(steps=3, m=2.0, warmup=2, batch=64, penalty_batch=64, progress=False)
    a, b = (reweight.train(case.G, case.D, real=data.batches(case.y, seed=0), **kw) for _ in range(2))
    assert all(torch.equal(before[k], v) for k, v in case.D.state_dict().items())
    assert torch.equal(a(case.z[:10]), b(case.z[:10])) and len(a.history["gap"]) == 3


class Identity(nets.Generator):
    """A 'generator' that returns its code, to look at the codes a sampler uses."""
    z_dim = 3

    def forward(self, z):
        return z


@pytest.mark.parametrize("t", [0.1, 0.5, 1.0, 2.0])
def test_truncated_samples_are_all_within_the_threshold_with_the_truncated_normal_variance(t):
    z = truncation.sample(Identity(), 20_000, t, seed=0)
    phi, Phi = math.exp(-t * t / 2) / math.sqrt(2 * math.pi), 0.5 * (1 + math.erf(t / math.sqrt(2)))
    assert z.abs().max() <= t
    assert abs(z.var().item() / (1 - 2 * t * phi / (2 * Phi - 1)) - 1) < 0.05


def test_truncation_at_infinity_is_the_identity():
    G = nets.ToyGenerator(width=8)
    assert torch.equal(truncation.sample(G, 100, math.inf, seed=3), G.sample(100, seed=3))
    assert not torch.equal(truncation.noise(100, 2, 1.0, seed=3), truncation.noise(100, 2, 1.0, seed=4))


@pytest.mark.parametrize("name", reweight_mnist.MODELS.values())
def test_shipped_mnist_weights_are_small_with_mean_one_and_the_stated_acceptance(name):
    p = reweight_mnist.path_of(name)
    assert p.stat().st_size <= 2_000_000
    W = reweight_mnist.load(name)
    assert W.meta["command"] == f"python -m gankit.reweight_mnist train {name}" and W.meta["seed"] == 0
    assert W.meta["generator_sha256"] == checkpoints.fingerprint(name), "trained for another generator: retrain it"
    z = torch.randn(100_000, W.z_dim, generator=torch.Generator().manual_seed(5))
    with torch.no_grad():
        w = W(z)
    assert abs(w.mean().item() - 1) < 0.02
    assert w.std() > 0.1, "the weights moved away from the plain generator's w = 1"
    kept = reweight.accept(W, z, generator=torch.Generator().manual_seed(6)).float().mean().item()
    expected = w.clamp(max=W.m).mean().item() / W.m
    assert abs(kept - expected) < 4 * math.sqrt(expected * (1 - expected) / len(z))


def test_sweep_samplers_give_n_samples_and_the_reweighting_its_acceptance():
    G, W = nets.ToyGenerator(width=8), reweight.Weights(z_dim=2, m=2.0)
    s = reweight_mnist.samplers(G, W, thresholds=(1.0,), caps=(1.0, 2.0))
    assert list(s) == ["baseline", "truncation t=1", "reweighting m=1", "reweighting m=2"]
    assert torch.equal(s["baseline"](50, 0), G.sample(50, 0)) and s["truncation t=1"](50, 0).shape == (50, 2)
    x, rate = s["reweighting m=2"](2000, 0)
    assert x.shape == (2000, 2) and abs(rate - 0.5) < 0.05 and s["reweighting m=1"](50, 0)[1] == 1.0


def test_stored_sweep_scores_every_knob_at_one_n_with_the_shipped_weights_acceptance():
    S = reweight_mnist.stored()
    assert S["n"] == reweight_mnist.N and tuple(S["seeds"]) == spread.SEEDS
    for label, name in reweight_mnist.MODELS.items():
        rows, W = S["scores"][label], reweight_mnist.load(name)
        assert list(rows) == list(reweight_mnist.samplers(None, W))
        assert all(r["fid"].n == S["n"] and r["fid"].k == len(S["seeds"]) for r in rows.values())
        z = torch.randn(100_000, W.z_dim, generator=torch.Generator().manual_seed(8))
        with torch.no_grad():
            w = W(z)
        for cap in reweight_mnist.CAPS:
            rate, expected = rows[f"reweighting m={cap:g}"]["acceptance"], w.clamp(max=cap).mean().item() / cap
            proposed = len(S["seeds"]) * S["n"] / expected
            assert abs(rate - expected) < 4 * math.sqrt(expected * (1 - expected) / proposed) + 1e-3, (label, cap)
        assert all(rows[f"truncation t={t:g}"]["acceptance"] is None for t in reweight_mnist.THRESHOLDS)


def test_missing_mnist_weights_say_how_to_make_them():
    with pytest.raises(checkpoints.CheckpointError, match="python -m gankit.reweight_mnist train mlp_sgd"):
        reweight_mnist.load("mlp_sgd")


@pytest.mark.parametrize("call, match", [
    (lambda: truncation.noise(10, 2, 0.0), "threshold"),
    (lambda: truncation.noise(10, 2, float("nan")), "threshold"),
    (lambda: truncation.noise(10, 2, True), "threshold"),
    (lambda: truncation.noise(0, 2, 1.0), "positive integer"),
    (lambda: reweight.Weights(z_dim=2, m=0.5), "bound m"),
    (lambda: reweight.Weights(z_dim=2)(torch.zeros(4, 3)), "shape"),
    (lambda: reweight.penalties(torch.ones(1), 2.0), "N >= 2"),
    (lambda: reweight.objective(torch.ones(4), torch.ones(5), 2.0), "shape"),
    (lambda: reweight.train(nets.ToyGenerator(width=8), nets.ToyDiscriminator(width=8), steps=0), "steps"),
    (lambda: reweight.train(nets.ToyGenerator(width=8), nets.ToyDiscriminator(width=8), 5, m=math.inf), "bound m"),
    (lambda: reweight.train(nets.ToyGenerator(width=8), nets.ToyDiscriminator(width=8), 5, batch=0), "batch"),
    (lambda: reweight.sample(nets.ToyGenerator(width=8), reweight.Weights(z_dim=2), 0), "positive integer"),
    (lambda: reweight.sample(nets.ToyGenerator(width=8), reweight.Weights(z_dim=2), 5, m=-1), "cap m"),
    (lambda: reweight.sample(nets.ToyGenerator(width=8), reweight.Weights(z_dim=3), 5), "codes of size 3"),
    (lambda: reweight.sample(nets.ToyGenerator(width=8), reweight.Weights(z_dim=2, m=1000.0), 100,
                             max_proposals=1000), "max_proposals"),
])
def test_bad_inputs_raise_clear_errors(call, match):
    with pytest.raises((ValueError, RuntimeError), match=match):
        call()


def test_digit_shares_of_the_test_digits_are_their_label_shares_within_the_classifier_error():
    x, labels = data.mnist(train=False)
    truth = torch.bincount(torch.as_tensor(labels[:3000]), minlength=10).float() / 3000
    share = metrics.digit_shares(x[:3000])
    assert share.sum().item() == pytest.approx(1.0) and (share - truth).abs().sum() < 0.02


def test_shipped_tells_the_shipped_weights_from_other_ones():
    W = reweight_mnist.load("dcgan_adam")
    assert reweight_mnist.shipped("dcgan_adam", W) and not reweight_mnist.shipped("wgan_gp", W)
    with torch.no_grad():
        next(W.parameters()).add_(1e-4)
    assert not reweight_mnist.shipped("dcgan_adam", W)


def test_the_sweep_scores_the_weights_it_is_given(monkeypatch):
    """``sweep(weights=...)`` samples with those w, not the shipped ones, and says so (scores faked: no metrics)."""
    W = reweight_mnist.load("dcgan_adam")
    with torch.no_grad():
        next(W.parameters()).add_(0.5)
    G, drawn = checkpoints.load("dcgan_adam", device="cpu").G, {}

    def fake_scores(samplers, f_ref, n, seeds, progress):
        drawn.update({m: samplers[m](20, 0) for m in ("reweighting m=2",)})
        return {m: {"acceptance": None, "seconds": 0.0} for m in samplers}

    monkeypatch.setattr(reweight_mnist.metrics, "features", lambda x: x)
    monkeypatch.setattr(reweight_mnist.results, "scores", fake_scores)
    blob = reweight_mnist.sweep(models={"GAN (R1)": "dcgan_adam"}, n=20, seeds=(0,), progress=False,
                                weights={"GAN (R1)": W})
    assert blob["weights"] == "trained here, not the shipped files"
    x, _ = drawn["reweighting m=2"]
    assert torch.equal(x, reweight.sample(G, W, 20, m=2.0, seed=0)[0])
    assert not torch.equal(x, reweight.sample(G, reweight_mnist.load("dcgan_adam"), 20, m=2.0, seed=0)[0])


def test_the_w1_floor_is_the_w1_between_two_draws_of_the_data():
    r = nogansland.w1_floor(n=200, seeds=(0, 1))
    assert r.floor.values[0] == pytest.approx(nogansland.w1(nogansland.two_modes(200, seed=1000),
                                                            nogansland.two_modes(200, seed=2000)))
    assert 0 < r.floor.mean < 0.3 and str(r).startswith("two draws of 200 data points")

