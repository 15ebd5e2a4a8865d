"""Discriminator Rejection Sampling (gankit.drs) against the paper's formula and a closed-form case."""
import math
from types import SimpleNamespace

import pytest
import torch

from critics import linear_D, linear_G
from gankit import drs, drs_mnist, losses, nets


def test_drs_acceptance_equals_the_papers_formula_on_hand_made_logits():
    logits = torch.tensor([-3.0, -1.0, 0.0, 0.5, 2.0])
    M, gamma, eps = 2.0, -1.5, 1e-6
    expected = [1 / (1 + math.exp(-(l - M - math.log(1 - math.exp(l - M - eps)) - gamma))) for l in logits.tolist()]
    assert torch.allclose(drs.acceptance(logits, M, gamma, eps), torch.tensor(expected, dtype=torch.float64),
                          rtol=1e-9, atol=0)
    # gamma = 0 is exact rejection sampling: acceptance exp(D~ - D~_M) (up to eps)
    exact = torch.exp(logits.double() - M)
    assert torch.allclose(drs.acceptance(logits[:-1], M, 0.0, 1e-12), exact[:-1], rtol=1e-6)
    with pytest.raises(ValueError, match="running max"):
        drs.F(logits, 1.0)


def test_gamma_to_minus_infinity_accepts_everything():
    G, D = linear_G([[1.0, 0.0], [0.0, 1.0]]), linear_D([3.0, -2.0])
    r = drs.sample(G, D, 500, burn_in=1000, gamma=-1e4, batch=250, progress=False)
    assert r.acceptance_rate == 1.0 and len(r.x) == 500 and r.proposed == 500
    assert torch.allclose(drs.acceptance(torch.randn(100), 5.0, -1e4), torch.ones(100, dtype=torch.float64))


def test_nan_gamma_is_refused_with_what_gamma_may_be():
    G, D = linear_G([[1.0, 0.0], [0.0, 1.0]]), linear_D([3.0, -2.0])
    for call in (lambda: drs.acceptance(torch.tensor([-1.0]), 0.0, gamma=float("nan")),
                 lambda: drs.decide(torch.zeros(3), 0.0, gamma=float("nan")),
                 lambda: drs.sample(G, D, 10, burn_in=10, gamma=float("nan"), progress=False)):
        with pytest.raises(ValueError, match="gamma is NaN: give a number"):
            call()


def test_percentile_gamma_and_drs_prefers_high_logits():
    G, D = linear_G([[1.0, 0.0], [0.0, 1.0]]), linear_D([2.0, 0.0])
    r = drs.sample(G, D, 300, burn_in=2000, percentile=95, batch=500, progress=False)
    assert 0 < r.acceptance_rate < 0.5
    assert r.x[:, 0].mean() > 1.0                       # accepted samples sit where D is large
    F0 = torch.linspace(0, 1, 101)
    assert drs.percentile_gamma(F0, 95) == pytest.approx(0.95)


def test_logistic_calibration_recovers_the_log_density_ratio():
    g = torch.Generator().manual_seed(0)
    s_real, s_fake = torch.randn(20000, generator=g) + 1, torch.randn(20000, generator=g) - 1
    a, b = drs.fit_logistic(3.0 * s_real + 5, 3.0 * s_fake + 5)     # scores of a critic D = 3 s + 5
    assert a == pytest.approx(2 / 3, abs=0.03) and b == pytest.approx(-10 / 3, abs=0.1)   # log ratio 2 s




Identity1D = drs.LineGenerator        # g(z) = z, z ~ N(0, 1): p_g = N(0, 1)


def ExactLogit(s):
    """The exact log density ratio D~(x) = log p_data(x) / p_g(x) for p_data = N(0, s^2), p_g = N(0, 1)."""
    return drs.GaussianLogRatio(0.0, s)


def test_drs_with_the_exact_logit_at_gamma_zero_samples_the_data():
    """p_g = N(0, 1), p_data = N(0, s^2), s < 1: M = max p_data / p_g = 1 / s. With the exact logit, gamma = 0
    and eps ~ 0, DRS is exact rejection sampling: the accepted samples are N(0, s^2), accepted at the rate 1 / M.
    (Catches a wrong sign or a missing term in F, a gamma taken from the percentile when it is given, a bound
    D~_M that is not the running max.)"""
    s, n = 0.5, 20000
    r = drs.sample(Identity1D(), ExactLogit(s), n, burn_in=20000, gamma=0.0, eps=1e-12, batch=5000, progress=False)
    assert len(r.x) == n
    assert r.logit_max == pytest.approx(-math.log(s), abs=1e-3)          # attained near x = 0
    assert r.x.std().item() == pytest.approx(s, rel=3 * 0.71 / math.sqrt(n))   # 3 standard errors of a sample std
    assert r.x.mean().item() == pytest.approx(0.0, abs=3 * s / math.sqrt(n))
    assert r.acceptance_rate == pytest.approx(s, abs=0.02)


def test_gaussian_log_ratio_is_the_exact_log_ratio_and_its_max():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(1000, 1, generator=g) * 2
    D = drs.GaussianLogRatio(1.0, 0.5)
    log_p = lambda x, m, s: -0.5 * ((x - m) / s) ** 2 - math.log(s * math.sqrt(2 * math.pi))
    assert torch.allclose(D(x), (log_p(x, 1.0, 0.5) - log_p(x, 0.0, 1.0)).reshape(-1), atol=1e-5)
    grid = torch.linspace(-5, 5, 100001)
    assert float(D(grid).max()) == pytest.approx(D.log_M, abs=1e-6)
    assert drs.GaussianLogRatio(1.0, 1.0).log_M == math.inf and drs.GaussianLogRatio(0.0, 1.0).log_M == 0.0
    assert drs.GaussianLogRatio(0.0, 2.0).log_M == math.inf
    with pytest.raises(ValueError, match="positive"):
        drs.GaussianLogRatio(0.0, 0.0)


def test_on_the_line_recovers_p_data_at_gamma_zero_and_reports_the_percentile_rule(capsys):
    """Notebook 05, section 1: with the exact log-ratio, DRS at gamma = 0 returns N(1, 0.5^2) (mean and std within
    2 SE) at the rate 1/M; the percentile rule sets another gamma and does not."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from gankit import drsplots
    ax = drsplots.on_the_line(n=4000)
    lines = capsys.readouterr().out.splitlines()
    one_over_M = math.exp(-drs.GaussianLogRatio(1.0, 0.5).log_M)
    assert f"1/M = {one_over_M:.1%}" in lines[0] and "4,000 accepted samples each" in lines[0]
    exact, rule = lines[-2].split(), lines[-1].split()
    assert exact[:4] == ["gamma", "=", "0", "+0.00"] and exact[-1] == "both"
    assert float(exact[4].rstrip("%")) / 100 == pytest.approx(one_over_M, abs=0.02)
    assert rule[:3] == ["q", "=", "95,"] and rule[-1] == "neither"
    assert len(ax.lines) == 2 and len(ax.patches) == 2 and ax.get_xlabel() == "x"
    plt.close("all")


def test_placebo_counts_the_q0_verdicts_beyond_the_noise():
    S = drs_mnist.stored()
    for name in drs_mnist.MODELS:
        text = drs_mnist.placebo(S, name)
        table, last = text.rsplit("\n", 1)
        assert table == drs_mnist.table(S, name, q=0)
        found = [drs_mnist.verdict(S, name, "plain", f"{v}, q=0", metric=m) for v in drs_mnist.VARIANTS
                 for m in ("fid", "kid", "precision", "recall")]
        k = sum(v.beyond for v in found)
        assert last.startswith(f"q = 0 against the plain generator, paired by seed: {k} of 8 verdicts beyond")
        assert last.count(";") == k


def test_digit_mix_prints_each_digits_share_before_and_after_and_their_tv_against_chance(monkeypatch):
    x = torch.arange(20.0)[:, None, None, None].expand(20, 1, 28, 28)
    # a fake classifier: image i is digit i % 2
    monkeypatch.setattr(drs_mnist.metrics, "digit_labels", lambda x: x[:, 0, 0, 0].long() % 2)
    keep = torch.tensor([True] * 4 + [False] * 16) | (torch.arange(20) % 2 == 1)      # 0, 2 and the 10 odd ones
    first, second = drs_mnist.digit_mix(x, keep, draws=500).splitlines()
    assert first.startswith("% of each digit, all proposals -> kept: 0: 50 -> 17, 1: 50 -> 83, 2: 0 -> 0")
    assert second.startswith("TV between the mixes 0.333, 12 kept; 12 kept at random instead (500 draws): TV ")
    # 12 of 10 even + 10 odd at random: the TV is |k_odd - 6| / 12, at least 0.333 only when k_odd = 2 or 10
    chance = lambda line: float(line.rsplit(" in ", 1)[1].rstrip("%")) / 100   # noqa: E731
    assert chance(second) < 0.01
    balanced = drs_mnist.digit_mix(x, torch.arange(20) < 10, draws=50).splitlines()[1]   # 5 even, 5 odd
    assert balanced.startswith("TV between the mixes 0.000, 10 kept") and chance(balanced) == 1.0


def test_sweep_shows_the_plain_generators_spread():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from gankit import drsplots
    S = drs_mnist.stored()
    _, axes = plt.subplots(1, 2)
    drsplots.sweep(S, "wgan_gp", axes)
    plain = S.rows["wgan_gp"]["plain"]["fid"]
    band = axes[1].patches[0]
    y = band.get_patch_transform().transform(band.get_path().vertices)[:, 1]      # a Rectangle or a Polygon
    assert y.min() == pytest.approx(plain.mean - plain.std) and y.max() == pytest.approx(plain.mean + plain.std)
    assert "plain generator" in [t.get_text() for t in axes[0].get_legend().get_texts()]
    plt.close("all")


# ----------------------------------------------------------------------------- the further training (toy with a known ratio)

W, MU, S = torch.tensor([0.75, 0.25]), torch.tensor([-1.0, 1.0]), 0.3   # p_data = 0.75 N(-1, 0.3^2) + 0.25 N(1, 0.3^2)


def _log_normal(x, m, s):
    return -0.5 * ((x - m) / s) ** 2 - math.log(s * math.sqrt(2 * math.pi))


def true_log_ratio(x):
    """log p_data(x) / p_g(x) in closed form, p_g = N(0, 1) (the generator ``Identity1D``)."""
    x = x.reshape(-1)
    log_p = torch.logsumexp(torch.stack([W[k].log() + _log_normal(x, MU[k], S) for k in range(2)]), 0)
    return log_p - _log_normal(x, 0.0, 1.0)


def two_bumps(seed):
    """``real(n)``: n draws of p_data, shape (n, 1)."""
    g = torch.Generator().manual_seed(seed)

    def real(n):
        k = torch.multinomial(W, n, replacement=True, generator=g)
        return (MU[k] + S * torch.randn(n, generator=g))[:, None]

    return real


class Shifted1D(nets.Generator):
    """g(z) = z + shift, z ~ N(0, 1): an earlier generator than ``Identity1D`` when shift != 0."""

    z_dim = 1

    def __init__(self, shift):
        super().__init__()
        self.shift = shift

    def forward(self, z):
        return z + self.shift


class MLP1D(torch.nn.Module):
    def __init__(self, width=32):
        super().__init__()
        self.net = nets.mlp([1, width, width, 1])

    def forward(self, x):
        return self.net(x).squeeze(-1)


def _train(D, d_loss, G, real, steps=300):
    opt = torch.optim.Adam(D.parameters(), lr=1e-3, betas=(0.5, 0.9))
    for _ in range(steps):
        opt.zero_grad()
        d_loss(D, real(256), G.sample(256)).backward()
        opt.step()
    return D.eval()


@pytest.fixture
def one_thread():
    """Networks of a few hundred weights: a second intra-op thread only adds overhead (20 times slower on a busy
    2-core machine), so these tests run on one."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


@pytest.mark.usefixtures("one_thread")
@pytest.mark.parametrize("start", ["R1", "earlier generator"])
def test_further_logistic_training_improves_the_calibrated_log_ratio(start):
    """p_data a two-bump mixture, p_g = N(0, 1): log p_data / p_g is known. A discriminator trained with R1
    (gamma = 1), or with the plain loss against an earlier generator N(0.7, 1), calibrated by Platt scaling, is
    still far from it (an affine map cannot fix its shape); ``further_train`` against the final generator, then the
    same calibration, cuts the error by more than a third (root mean square over samples of p_data and p_g)."""
    G, real = Identity1D(), two_bumps(1)
    trained_against = (G, losses.gan_r1_d_loss(1.0)) if start == "R1" else (Shifted1D(0.7), losses.gan_d_loss)
    D = _train(MLP1D(), trained_against[1], trained_against[0], real)
    cal_real, cal_fake = real(4000), G.sample(4000, seed=2)
    x = torch.cat([real(4000), G.sample(4000, seed=3)])

    def error(D):
        with torch.no_grad():
            return float((drs.calibrate(D, cal_real, cal_fake)(x) - true_log_ratio(x)).pow(2).mean().sqrt())

    before = error(D)
    D_further = drs.fold(drs.calibrate(D, cal_real, cal_fake))
    out = drs.further_train(G, D_further, real, steps=500, lr=1e-3, batch_size=256, progress=False)
    after = error(D_further)
    assert before > 1.2, f"the starting discriminator should be off (error {before:.2f})"
    assert after < 0.65 * before, f"error {before:.2f} -> {after:.2f}"
    assert len(out.loss) == 500 and out.steps_per_second > 0
    assert not any(p.grad is not None for p in G.parameters())


@pytest.mark.usefixtures("one_thread")
def test_fold_keeps_the_calibrated_logit_and_further_train_leaves_G_alone():
    D = MLP1D()
    Dt = drs.Calibrated(D, -2.5, 0.3)
    x = torch.randn(50, 1)
    assert torch.allclose(drs.fold(Dt)(x), Dt(x), atol=1e-5)
    G = Shifted1D(0.0)
    before = {k: v.clone() for k, v in D.state_dict().items()}
    seen = []
    out = drs.further_train(G, D, two_bumps(0), steps=20, batch_size=64, monitor=lambda D: seen.append(1) or 0.0,
                            every=10, progress=False)
    assert [s for s, _ in out.monitored] == [0, 10, 20] and len(seen) == 3
    assert any(not torch.equal(before[k], v) for k, v in D.state_dict().items())
    with pytest.raises(ValueError, match="linear layer"):
        drs.fold(drs.Calibrated(torch.nn.ReLU(), 1.0, 0.0))


@pytest.mark.usefixtures("one_thread")
def test_sweep_on_one_stream_of_proposals_matches_drs_sample():
    """``drs_mnist.sweep`` runs DRS for several logits and percentiles on one stream of proposals: each (logit, q)
    accepts as ``drs.sample`` does (acceptance rate within 3 points, mean of the accepted samples within 0.1)."""
    G = linear_G([[1.0, 0.0], [0.0, 1.0]])
    logits = {"x": linear_D([2.0, 0.0]), "y": linear_D([0.0, 1.0])}
    out = drs_mnist.sweep(G, logits, 3000, (0, 50, 95), seed=0, burn_in=2000, batch=500)
    assert set(out) == {(k, q) for k in logits for q in (0, 50, 95)}
    for (k, q), (x, rate) in out.items():
        ref = drs.sample(G, logits[k], 3000, burn_in=2000, percentile=q, batch=500, seed=1, progress=False)
        assert len(x) == 3000 and rate == pytest.approx(ref.acceptance_rate, abs=0.03)
        assert torch.allclose(x.mean(0), ref.x.mean(0), atol=0.1)
    assert out["x", 95][0][:, 0].mean() > 1.0 and out["y", 95][0][:, 1].mean() > 0.5   # each prefers its own high logits


def test_acceptance_figure_draws_drs_acceptance_beside_exact_rejection_sampling():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from gankit import drsplots
    ax = drsplots.acceptance(gammas=[0.0, -3.0])
    exact, *curves = ax.lines
    a = torch.as_tensor(exact.get_xdata())
    assert torch.allclose(torch.as_tensor(exact.get_ydata()), torch.exp(a)) and a.min() == -8 and a.max() == 0
    for line, gamma in zip(curves, [0.0, -3.0]):
        assert torch.allclose(torch.as_tensor(line.get_ydata()), drs.acceptance(a, 0.0, gamma))
        assert line.get_label() == rf"$\sigma(F)$, $\gamma$ = {gamma:g}"
    assert "~" not in ax.get_xlabel() + exact.get_label()          # mathtext, not ASCII "D~"
    plt.close("all")


def test_with_the_exact_log_ratio_the_shifted_acceptance_still_increases_with_the_ratio():
    """Notebook 05, section 1: with D~ = log r (r = p_data / p_g), D~_M = log M and eps = 0, DRS accepts with
    probability r / (M e^gamma + (1 - e^gamma) r): increasing in r for every gamma, between r / M and 1 for
    gamma < 0, below r / M for gamma > 0."""
    r, M = torch.linspace(0.01, 4.0, 200, dtype=torch.float64), 4.0
    for gamma in (-5.0, -1.0, 0.0, 1.0):
        acc = drs.acceptance(r.log(), math.log(M), gamma, eps=0.0)
        assert torch.allclose(acc, r / (M * math.exp(gamma) + (1 - math.exp(gamma)) * r), rtol=1e-9)
        assert (acc.diff() > 0).all()
        if gamma < 0:
            assert (acc >= r / M - 1e-12).all() and (acc <= 1 + 1e-12).all()
        if gamma > 0:                                    # stricter than exact rejection sampling
            assert (acc <= r / M + 1e-12).all()


def test_toy_tradeoff_prints_its_points_and_draws_them_against_q(capsys):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from gankit import drsplots
    counts = {0: torch.tensor([50] * 20 + [0] * 5), 95: torch.tensor([96] * 24 + [1])}   # 1/2305 < 1%
    outs = {q: SimpleNamespace(x=torch.zeros(300, 2), gammas=[-4.0, -3.5], acceptance_rate=r)
            for q, r in ((0, 0.9), (95, 0.1))}
    quals = {q: SimpleNamespace(counts=c, high_quality=0.5, modes=int((c > 0).sum())) for q, c in counts.items()}
    ax = drsplots.tradeoff(outs, quals)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["q", "largest", "gamma"] and lines[-2].split() == ["0", "-3.50", "90.0%", "50.0%",
                                                                                       "20", "5", "20.0%"]
    assert lines[-1].split()[-3:] == ["25", "1", "16.7%"]      # the top row (largest y): modes 4, 9, ..., 24
    assert list(ax.lines[0].get_xdata()) == [0, 95] and "300 accepted" in ax.get_xlabel()
    plt.close("all")


def test_toy_panel_lays_each_modes_share_out_where_its_centre_is():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from gankit import data, drsplots
    counts = torch.zeros(25, dtype=torch.long)
    top_left = int(((data.TWENTYFIVE_CENTRES - torch.tensor([-1.5, 1.5])).norm(dim=1)).argmin())   # top left
    counts[top_left] = 3
    counts[0] = 1
    out = SimpleNamespace(x=data.TWENTYFIVE_CENTRES, gammas=[-2.0], acceptance_rate=0.5)
    axes = drsplots.toy_panel(out, SimpleNamespace(counts=counts, high_quality=1.0, modes=2), 95, box=None)
    grid = axes[1].images[0].get_array()
    assert grid[4, 0] == 75.0 and grid[0, 0] == 25.0 and grid.sum() == 100.0        # row = y (origin lower), col = x
    assert "mean $\\gamma$ over the batches -2.00" in axes[0].get_title()
    plt.close("all")


def test_held_out_losses_prints_each_curves_first_and_last_point(capsys):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from gankit import drsplots
    ck = SimpleNamespace(drs_meta={"held_out_loss": [(0, 1.25), (500, 1.0), (1000, 1.1)]})
    drsplots.held_out_losses({"toy": ck})
    assert capsys.readouterr().out.strip().endswith("toy 1.250 (step 0) -> 1.100 (step 1000)")
    plt.close("all")


def test_loss_table_scores_each_calibrated_logit_on_held_out_reals_against_fresh_samples():
    """drs_mnist.loss_table: drs.logistic_loss of each D~ on x_ref[:n] against n samples of its generator (seed 5),
    with the calibration's (a, b); the exact log-ratio of two shifted Gaussians beats a logit that cannot tell."""
    G = linear_G([[1.0, 0.0], [0.0, 1.0]], b=(-1.0, 0.0))           # N((-1, 0), I) against the reals N((1, 0), I)
    x_ref = torch.randn(3000, 2, generator=torch.Generator().manual_seed(0)) + torch.tensor([1.0, 0.0])
    logits = {"toy": {"exact": drs.Calibrated(linear_D([2.0, 0.0]), 1.0, 0.0),     # log p_data / p_g = 2 x_1
                      "blind": drs.Calibrated(linear_D([0.0, 0.0]), 0.5, 0.0)}}
    r = drs_mnist.loss_table({"toy": SimpleNamespace(G=G)}, logits, x_ref, n=2000)
    fake = G.sample(2000, seed=5)
    for row, (variant, Dt) in zip(r.rows, logits["toy"].items()):
        assert row[:4] == ["toy", variant, Dt.a, Dt.b]
        assert row[4] == pytest.approx(drs.logistic_loss(nets.batched(Dt, x_ref[:2000]), nets.batched(Dt, fake)))
    assert r.rows[0][4] < r.rows[1][4] == pytest.approx(2 * math.log(2))
    assert str(r).splitlines()[0].split() == ["generator", "D", "a", "b", "held-out", "logistic", "loss"]
    assert str(r).splitlines()[2].endswith(f"{r.rows[0][4]:.3f}")


def test_cost_line_reads_the_further_training_and_the_evaluation():
    ck = SimpleNamespace(drs_meta=dict(settings=dict(steps=1000), seconds=1152.0, steps_per_second=0.87))
    S = SimpleNamespace(meta={"scores": {"wgan_gp": {"seconds": 4680}}, "machine": "AMD EPYC, 2 cores, no GPU"})
    size = drs_mnist.path_of("wgan_gp").stat().st_size / 1e6
    assert drs_mnist.cost(S, ck, "wgan_gp") == (f"1000 further-training steps in 19.2 min (0.9 steps/s), checkpoint "
                                                f"{size:.1f} MB, evaluation 78 min. AMD EPYC, 2 cores, no GPU")


# ----------------------------------------------------------------------------- the shipped files (gankit/checkpoints/drs)


@pytest.mark.parametrize("name", drs_mnist.MODELS)
def test_shipped_further_trained_discriminator_is_small_and_says_how_it_was_made(name):
    ck = drs_mnist.load(name)
    assert drs_mnist.path_of(name).stat().st_size < 4e6
    m = ck.drs_meta
    assert m["command"] == f"python -m gankit.drs_mnist train {name}" and m["seed"] == drs_mnist.TRAIN["seed"]
    assert m["settings"]["steps"] == len(m["loss"]) and m["held_out_loss"][0][0] == 0
    assert type(ck.D_drs) is type(ck.D) and ck.D_drs.kwargs == ck.D.kwargs
    # the further training lowered the logistic loss on the held-out digits it monitored
    assert m["held_out_loss"][-1][1] < m["held_out_loss"][0][1]


def test_shipped_drs_scores_cover_every_row_on_every_seed():
    S = drs_mnist.stored()
    assert set(S.rows) == set(drs_mnist.MODELS) and S.n == drs_mnist.N and tuple(S.seeds) == drs_mnist.SEEDS
    for name, rows in S.rows.items():
        expected = {"plain"} | {f"{v}, q={q:g}" for v in drs_mnist.VARIANTS for q in S.q}
        assert set(rows) == expected
        assert all(s.k == len(S.seeds) for r in rows.values() for s in r.values())
        assert all(0 < a <= 1 for r in rows.values() if "acceptance" in r for a in r["acceptance"].values)


def test_merge_puts_parallel_parts_back_in_seed_order():
    def part(name, seed, fid):
        return {"n": 2000, "q": [0, 95], "seeds": [seed], "machine": f"machine {seed}",
                "scores": {name: {"calibration": {}, "rows": {"plain": {"fid": [fid]}}, "seconds": 10, "threads": 1}}}

    m = drs_mnist.merge([part("b", 1, 3.0), part("a", 0, 1.0), part("a", 1, 2.0), part("b", 0, 4.0)])
    assert m["seeds"] == [0, 1] and m["scores"]["b"]["rows"]["plain"]["fid"] == [4.0, 3.0]
    assert m["scores"]["a"]["seconds"] == 20
    with pytest.raises(ValueError, match="different terms"):
        drs_mnist.merge([part("a", 0, 1.0), {**part("a", 1, 2.0), "n": 5000}])
