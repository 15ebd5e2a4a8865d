import json
import math

import pytest
import torch

from gankit import budget, checkpoints, data, metrics, nets, semidiscrete, wgan, wganruns


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
    estimate rises while the FID falls; the GAN fallback reads the discriminator's loss; ``late`` reads the second
    half alone, where a run whose early fall is shared can disagree."""
    steps = 4
    falling = [10.0 - e + 0.1 * s for e in range(6) for s in range(steps)]       # per-step values, epoch means fall
    meta = dict(critic_gap=falling, d_loss=[0.0] * 24, steps_per_epoch=steps, fid_per_epoch=[60, 50, 45, 40, 38, 30])
    r = wgan.loss_tracks_quality(meta)
    assert r.key == "critic_gap" and r.rho == pytest.approx(1.0) and len(r.loss) == 6
    assert r.loss[0].item() == pytest.approx(10.15) and not hasattr(r, "p")
    assert (r.late.start, r.late.rho) == (4, pytest.approx(1.0))
    gan = dict(critic_gap=[], d_loss=[-v for v in falling], steps_per_epoch=steps, fid_per_epoch=meta["fid_per_epoch"])
    r = wgan.loss_tracks_quality(gan)
    assert r.key == "d_loss" and r.rho == pytest.approx(-1.0)
    averaged = dict(meta, fid_per_epoch=meta["fid_per_epoch"][::-1], fid_trained_per_epoch=meta["fid_per_epoch"])
    assert wgan.loss_tracks_quality(averaged).rho == pytest.approx(1.0)     # the trained generator's FID is used
    assert str(wgan.loss_tracks_quality(averaged)) == (
        "whole run: estimate 10.2 -> 5.15, trained generator's MNIST-FID 60 -> 30, rho +1.00\n"
        "    epochs 4 to 6: estimate 7.15 -> 5.15, trained generator's MNIST-FID 40 -> 30, rho +1.00")
    late_up = dict(meta, fid_per_epoch=[60, 50, 45, 30, 38, 40])               # falls, then rises in the second half
    r = wgan.loss_tracks_quality(late_up)
    assert r.rho > 0.5 and r.late.rho == pytest.approx(-1.0)


def test_explained_is_the_r2_of_the_best_affine_fit():
    """1 for an affine function of the features, 0 for an uncorrelated one, and the squared correlation in 1D."""
    g = torch.Generator().manual_seed(0)
    p = torch.randn(500, 2, generator=g)
    assert wgan.explained(p, 2 * p[:, 0] - 3 * p[:, 1] + 1) == pytest.approx(1.0)
    a, b = torch.randn(500, generator=g), torch.randn(500, generator=g)
    corr = torch.corrcoef(torch.stack([a, a + b]))[0, 1].item()
    assert wgan.explained(a, a + b) == pytest.approx(corr ** 2, rel=1e-6)
    assert wgan.explained(p, p[:, 0] ** 2 - 1) < 0.05                        # x^2 has no linear part here


def test_potential_is_an_optimal_1_lipschitz_critic():
    """phi = -psi^c from POT's dual: mean phi(y) - mean phi(x) = W_1, and |phi(a) - phi(b)| <= |a - b| anywhere."""
    g = torch.Generator().manual_seed(1)
    x, y = torch.randn(80, 2, generator=g), 0.5 * torch.randn(60, 2, generator=g) + torch.tensor([2.0, 0.0])
    phi = wgan.Potential(x, y)
    assert phi.w1 == pytest.approx(w1(x, y))
    assert (phi(y).mean() - phi(x).mean()).item() == pytest.approx(phi.w1, rel=1e-5)
    a, b = 4 * torch.randn(2000, 2, generator=g), 4 * torch.randn(2000, 2, generator=g)
    assert ((phi(a) - phi(b)).abs().squeeze() <= (a - b).norm(dim=1) + 1e-5).all()


def test_clipped_critic_misses_the_shape_the_penalised_one_finds():
    """Notebook 03, section 2, in small: against the exact critic phi on the same points, the penalised critic,
    rescaled at best, reproduces nearly all of phi's variation; the critic clipped at c = 0.01 is close to a linear
    function and reproduces clearly less of phi, though more than the best linear function does."""
    y = data.toy("8gaussians", 300, seed=1)
    G = wgan.gaussian_generator(mean=(0.5, 0.3), std=0.3)
    z = G.noise(300, seed=2)
    points = torch.cat([G(z).detach(), y])
    phi = wgan.Potential(G(z).detach(), y)
    fit = dict(steps=200, lr=1e-3, batch_size=128, progress=False)
    gp = wgan.shape(wgan.fit_critic(nets.ToyDiscriminator(width=64), y, G, z, mode="gp", lam=10.0, **fit).D,
                    phi, points)
    clip = wgan.shape(wgan.fit_critic(nets.ToyDiscriminator(width=64), y, G, z, mode="clip", c=0.01, **fit).D,
                      phi, points)
    linear = wgan.explained(points, phi(points).squeeze())
    print(f"share of phi: GP {gp.match:.3f}, clip {clip.match:.3f}, best linear {linear:.3f}; "
          f"linear share: GP {gp.linear:.3f}, clip {clip.linear:.3f}")
    assert gp.match > 0.97 and clip.match < gp.match - 0.1 and clip.linear > 0.85 > gp.linear


def test_stability_threads_architecture_and_settings_to_every_run():
    """Each (architecture, objective) run of ``stability`` is ``toy_wgan`` with that architecture, that objective
    and the shared settings: the same seed gives the same samples and the same exact W_1."""
    y = data.toy("8gaussians", 200, seed=3)
    archs = {"2 x 8 tanh": dict(depth=2, act="tanh"), "1 x 8 relu": dict(depth=1, act="relu")}
    objectives = {"GAN": dict(mode="gan"), "WGAN-GP": dict(mode="gp", lam=0.1)}
    shared = dict(width=8, steps=3, batch_size=32, seed=4, progress=False)
    runs = wgan.stability(archs, objectives, y, n=200, **shared)
    assert list(runs) == [(a, o) for a in archs for o in objectives]
    G, _, _ = wgan.toy_wgan(mode="gp", lam=0.1, depth=1, act="relu", **shared)
    x = G.sample(200, seed=5)
    assert torch.equal(runs["1 x 8 relu", "WGAN-GP"].x, x) and runs["1 x 8 relu", "WGAN-GP"].w1 == w1(x, y)
    assert all(0 <= r.modes <= 8 for r in runs.values())


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


def test_critic_table_lists_the_exact_w1_first_and_each_ratio():
    from types import SimpleNamespace as N
    table = wgan.critic_table({"clip c=0.01": N(w1=0.002, lip=0.004, grad_G=0.003)}, 2.0)
    head, rule, exact, clip = table.splitlines()
    assert head.split()[:3] == ["critic", "W1", "estimate"] and set(rule) <= {"-", " "}
    assert exact.split() == ["exact", "(POT)", "2", "1"]
    assert clip.split() == ["clip", "c=0.01", "0.002", "0.001", "0.004", "0.500", "0.003"]


def test_scenes_have_ticks_and_the_gan_loss_panel_its_log_4_line():
    """``wganplots.scene``: a critic's toy scene over the box with ticks at -2, 0, 2 and, asked, a legend of the data
    and the samples. ``loss_and_quality``: a critic's estimate on a log scale, a GAN's discriminator loss on a
    linear one with log 4 dotted."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from gankit import wganplots
    torch.manual_seed(0)
    y = data.toy("8gaussians", 40, seed=0)
    ax = wganplots.scene(torch.randn(50, 2), nets.ToyDiscriminator(width=8, depth=1), y, title="critic", legend=True)
    assert list(ax.get_xticks()) == list(ax.get_yticks()) == [-2, 0, 2] and ax.get_xlim() == wganplots.BOX[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["data y_j", "g_theta(z_k)"]
    steps = 4
    meta = dict(steps_per_epoch=steps, fid_per_epoch=[60, 50, 45, 40, 38, 30])
    per_step = lambda f: [f(e) for e in range(6) for _ in range(steps)]
    tracks = {"WGAN": wgan.loss_tracks_quality(dict(meta, critic_gap=per_step(lambda e: 10.0 - e))),
              "GAN": wgan.loss_tracks_quality(dict(meta, d_loss=per_step(lambda e: 0.9 + 0.08 * e)))}
    critic, gan = wganplots.loss_and_quality(tracks)
    assert critic.get_yscale() == "log" and gan.get_yscale() == "linear"
    assert [line.get_ydata()[0] for line in gan.lines if line.get_label() == "log 4"] == [pytest.approx(math.log(4))]
    plt.close("all")


# ----------------------------------------------------------------------------- notebook 03's stored

@pytest.mark.shipped
def test_stored_stability_runs_have_what_notebook_03_reads_at_the_stated_settings():
    """checkpoints/stability.json: the twelve runs of ``wganruns.ARCHS`` x ``LOSSES``, made by the
    module's command at its settings, each with its W_1, modes and 500 samples (rounded to 1e-3:
    their W_1 is the stored one to rounding); the notebook's figure draws from it."""
    S = wganruns.stability_stored()
    settings = dict(architectures=wganruns.ARCHS, losses=wganruns.LOSSES, shared=wganruns.SHARED,
                    data=wganruns.DATA, samples=wganruns.SAMPLES)
    assert S["command"] == "python -m gankit.wganruns stability"
    assert S["settings"] == json.loads(json.dumps(settings))
    assert S["settings"]["shared"]["steps"] == 500
    assert {"kit_version", "machine", "threads", "seconds"} <= set(S)
    assert list(S["runs"]) == [(a, o) for a in wganruns.ARCHS for o in wganruns.LOSSES]
    y = wganruns.reference()
    assert torch.equal(y, data.toy("8gaussians", 500, seed=3))          # notebook 03's y_eval
    for r in S["runs"].values():
        assert r.x.shape == (500, 2) and r.modes in range(9) and r.seconds > 0
        assert w1(r.x, y) == pytest.approx(r.w1, abs=2e-3)
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from gankit import wganplots
    axes = wganplots.stability_grid(S["runs"], y)
    r = S["runs"]["3 x 64 tanh", "WGAN-GP"]
    assert axes.shape == (3, len(wganruns.LOSSES))
    assert axes[2, 3].get_title().endswith(f"W1 {r.w1:.2f}, {r.modes} of 8 modes")
    assert axes[2, 3].patches[0].get_radius() == pytest.approx(2 / 1.414, rel=1e-3)   # the circle through the modes
    refs = wganruns.w1_references(draws=5)
    lines = wganruns.stability_table(S["runs"], refs).splitlines()
    for arch, line in zip(wganruns.ARCHS, lines[2:5]):
        best = min(wganruns.LOSSES, key=lambda o: S["runs"][arch, o].w1)
        assert line.startswith(arch) and line.endswith(f"{best}, {refs.level(S['runs'][arch, best].w1)}")
    assert lines[5:7] == str(refs).splitlines()
    plt.close("all")


def test_stored_seed_repeats_cover_every_run_at_the_other_seeds_and_the_table_reads_them():
    """checkpoints/stability_seeds.json: the fifteen runs again at training seeds 1-4, at the stability study's settings
    but the seed; ``seed_table`` gives each loss's mean and std over the five seeds and the loss of lowest mean, from
    ``seed_w1``'s W_1 per seed."""
    S = wganruns.stability_stored()
    blob = json.loads(wganruns.SEEDS_FILE.read_text())
    assert blob["command"] == "python -m gankit.wganruns seeds" and blob["seeds"] == list(wganruns.SEEDS[1:])
    assert blob["settings"]["shared"] == json.loads(json.dumps(wganruns.SHARED))
    keys = [(r["architecture"], r["loss"], r["seed"]) for r in blob["runs"]]
    assert keys == [(a, o, s) for s in wganruns.SEEDS[1:] for a in wganruns.ARCHS for o in wganruns.LOSSES]
    assert all(r["w1"] > 0 and r["modes"] in range(9) for r in blob["runs"])
    lines = wganruns.seed_table(S).splitlines()
    for arch, line in zip(wganruns.ARCHS, lines[2:5]):
        w1 = {o: [S["runs"][arch, o].w1] + [r["w1"] for r in blob["runs"] if (r["architecture"], r["loss"]) == (arch, o)]
              for o in wganruns.LOSSES}
        best = min(w1, key=lambda o: sum(w1[o]))
        wins = sum(min(w1, key=lambda o: w1[o][i]) == best for i in range(5))
        assert line.startswith(arch) and line.endswith(f"{best}, on {wins} of 5 seeds")
    assert lines[5].startswith("exact W1 of 500 samples, mean ± std over training seeds 0, 1, 2, 3, 4")
    per_seed = wganruns.seed_w1(S)
    for (arch, o), values in per_seed.items():
        assert values == [S["runs"][arch, o].w1] + [r["w1"] for s in wganruns.SEEDS[1:] for r in blob["runs"]
                                                    if (r["architecture"], r["loss"], r["seed"]) == (arch, o, s)]


def test_w1_references_place_the_data_below_the_ring():
    """The yardsticks of notebook 03's toy W_1, at the runs' n = 500: a second data sample scores far below points on
    the circle through the modes, and ``level`` places a value by them."""
    r = wganruns.w1_references(draws=5)
    assert r.data.k == r.ring.k == 5 and 0.05 < r.data.mean < 0.2 < 0.25 < r.ring.mean < 0.35
    assert r.level(r.data.mean) == "at a second data sample's level" and r.level(r.ring.mean) == "at the ring's level"
    assert r.level(0.0) == "below a second data sample's level" and r.level(1.5) == "above the ring's level"
    assert r.level((r.data.mean + r.ring.mean) / 2) == "between the two levels"
    assert str(r).startswith("exact W1 to the same 500 data points of 500 other points, mean ± standard deviation")


@pytest.mark.shipped
def test_one_stored_stability_run_is_reproduced_at_its_settings():
    """The GAN on 3 x 64 ReLU, rerun by the module at the stored settings (500 generator steps, a
    few seconds), gives the stored W_1, modes and samples: the file is what the command makes. Float kernels differ
    between processor kinds (an Intel and an AMD machine train this GAN to different weights), so the check needs
    the processor the file was made on; the thread count does not matter."""
    S = wganruns.stability_stored()
    if not S["machine"].startswith(budget.cpu_name()):
        pytest.skip(f"stored on {S['machine']}; this machine: {budget.cpu_name()}")
    stored = S["runs"]["3 x 64 ReLU", "GAN"]
    blob = json.loads(wganruns.dumps(wganruns.stability(["3 x 64 ReLU"], ["GAN"], progress=False)))
    again = wganruns.stability_stored(blob=blob)["runs"]["3 x 64 ReLU", "GAN"]
    assert again.w1 == pytest.approx(stored.w1, rel=1e-6) and again.modes == stored.modes
    assert torch.allclose(again.x, stored.x, atol=1.001e-3)           # stored to 1e-3


@pytest.mark.shipped
def test_stored_mnist_reports_have_the_columns_notebook_03_prints():
    """checkpoints/mnist_reports.json: one ``metrics.report`` per shipped generator at the module's
    n and seed, of the checkpoints shipped now; one piece recomputed here: WGAN-clip's class
    histogram and confident share on the same 10,000 samples."""
    R = wganruns.reports_stored()
    assert R["command"] == "python -m gankit.wganruns reports"
    assert (R["n"], R["seed"]) == (wganruns.REPORT["n"], wganruns.REPORT["seed"]) == (10_000, 0)
    assert list(R["reports"]) == list(wganruns.NAMES)
    assert {"kit_version", "machine", "threads", "seconds"} <= set(R)
    columns = ("classes_covered", "max_class_share", "confident_share", "precision", "recall")
    for label, r in R["reports"].items():
        assert set(columns) | {"fid", "histogram"} <= set(r)
        assert r["checkpoint_sha256"] == checkpoints.fingerprint(wganruns.NAMES[label])
        assert sum(r["histogram"]) == pytest.approx(1.0)
        assert max(r["histogram"]) == pytest.approx(r["max_class_share"])
    assert len(metrics.table(R["reports"], columns=columns).splitlines()) == 2 + 3
    x = checkpoints.load("wgan_clip").G.sample(R["n"], seed=R["seed"])
    p = nets.batched(metrics.classifier().head, metrics.features(x)).softmax(1)
    clip = R["reports"]["WGAN-clip"]
    hist = torch.bincount(p.argmax(1), minlength=10).float().div(len(x))
    assert hist.tolist() == pytest.approx(clip["histogram"], abs=1e-6)
    assert float((p.max(1).values >= 0.9).float().mean()) == pytest.approx(clip["confident_share"])
