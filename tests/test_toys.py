"""One player at a time, the generator's gradient field, vanishing gradients, and the toy plots."""
import math
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from critics import linear_D  # noqa: E402
from gankit import data, losses, nets, plots, toys  # noqa: E402


def constant_G(point):
    """g_theta(z) = 0 z + point: every sample at ``point`` (but theta still receives gradients)."""
    G = nets.ToyGenerator(depth=0)
    with torch.no_grad():
        G.net[0].weight.zero_()
        G.net[0].bias.copy_(torch.as_tensor(point, dtype=torch.float32))
    return G


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# ----------------------------------------------------------------------------- gradient field and norms

def test_generator_field_of_a_linear_discriminator():
    """l = w.x + c: -grad_x(-log sigmoid(l)) = (1 - sigmoid(l)) w and -grad_x log(1 - sigmoid(l)) = -... = sigmoid(l) w."""
    w = torch.tensor([2.0, -1.0])
    D = linear_D(w, c=0.5)
    x = torch.randn(7, 2)
    s = torch.sigmoid(x @ w + 0.5)[:, None]
    torch.testing.assert_close(toys.generator_field(D, x, losses.gan_g_loss), (1 - s) * w)
    torch.testing.assert_close(toys.generator_field(D, x, losses.saturating_g_loss), s * w)


def test_generator_field_rejects_non_batches():
    with pytest.raises(ValueError, match=r"\(N, d\)"):
        toys.generator_field(linear_D([1.0, 0.0]), torch.zeros(2))


@pytest.mark.parametrize("scale", [1.0, 4.0, 16.0])
def test_saturating_over_non_saturating_gradient_is_exp_of_the_logit(scale):
    """All fakes at one point x0 with logit l: grad_theta of log(1 - sigmoid(l)) is sigmoid(l) grad l and of
    -log sigmoid(l) is (1 - sigmoid(l)) grad l, so their ratio is sigmoid(l) / (1 - sigmoid(l)) = exp(l).
    A sharper D (larger scale, l -> -inf on the fakes) kills the saturating gradient, not the other."""
    G, D = constant_G([1.0, 1.0]), linear_D([-scale, -scale])  # l(x0) = -2 scale
    z = G.noise(64, seed=0)
    sat = toys.generator_grad_norm(G, D, z, losses.saturating_g_loss)
    non = toys.generator_grad_norm(G, D, z, losses.gan_g_loss)
    assert sat / non == pytest.approx(math.exp(-2 * scale), rel=1e-4)
    assert non == pytest.approx((1 - torch.sigmoid(torch.tensor(-2 * scale)).item())
                                * toys.generator_grad_norm(G, linear_D([-scale, -scale]), z, lambda D, x: -D(x).mean()), rel=1e-5)


def test_vanishing_gradients_when_D_is_trained_to_optimality():
    torch.manual_seed(0)
    G, D = nets.ToyGenerator(width=32), nets.ToyDiscriminator(width=32)
    r = toys.vanishing_gradients(G, D, data.batches("8gaussians", seed=0), steps=300, record_every=50, n=256, batch_size=64,
                                 progress=False)
    assert list(r.steps) == [0, 1, 50, 100, 150, 200, 250, 300]
    assert r.d_fake[-1] < 1e-2 < r.d_fake[0]                    # D learned to reject the fakes
    assert r.saturating[-1] < 1e-2 * r.saturating[0]            # log(1 - D(g)): the gradient vanishes
    assert r.non_saturating[-1] > r.non_saturating[0]           # -log D(g): it does not
    assert toys.log_slope(r.steps, r.saturating) < -2           # more than 2 decades per 1000 D steps
    fit = toys.vanishing_slopes(r, hi=0.5, lo=1e-8)
    assert fit["saturating"] < -2 and fit["non_saturating"] > 0


def test_vanishing_slopes_fit_only_the_window_where_D_learns():
    steps = np.arange(0, 1001, 50)
    d_fake = np.clip(10.0 ** (-(steps - 200) / 50), None, 0.5)      # 0.1 at step 250, 1e-8 at step 600
    rec = SimpleNamespace(steps=steps, d_fake=d_fake, saturating=d_fake * 3.0, non_saturating=1 + 0 * d_fake)
    fit = toys.vanishing_slopes(rec, hi=0.1, lo=1e-8)
    assert (fit["start"], fit["stop"]) == (250, 600)
    assert fit["saturating"] == pytest.approx(-20.0) and fit["non_saturating"] == pytest.approx(0.0, abs=1e-9)
    rec.d_fake = 0.5 + 0 * d_fake                                    # D never wins: fit the whole run
    assert (toys.vanishing_slopes(rec)["start"], toys.vanishing_slopes(rec)["stop"]) == (0, 1000)


def test_mode_coverage_counts_high_quality_samples_per_mode():
    centres, std = data.EIGHT_CENTRES, 0.02 / 1.414
    q = toys.mode_coverage(data.eight_gaussians(4000, seed=0), centres, std)
    assert q.high_quality > 0.999 and q.modes == 8 and q.counts.sum() == pytest.approx(4000 * q.high_quality)
    assert q.spread == pytest.approx(1.0, abs=0.05)     # samples of the mixture itself: spread 1
    x = torch.cat([centres[:3] + 0.5 * std, torch.zeros(3, 2)])     # 3 on modes, 3 at the origin (far from all)
    q = toys.mode_coverage(x, centres, std)
    assert (q.high_quality, q.modes) == (0.5, 3) and list(q.counts) == [1, 1, 1, 0, 0, 0, 0, 0]
    assert toys.mode_coverage(x, centres, std, min_count=2).modes == 0
    with pytest.raises(ValueError):
        toys.mode_coverage(torch.zeros(3, 3), centres, std)


def test_log_slope_of_an_exponential():
    s = np.arange(0, 3000, 100)
    assert toys.log_slope(s, 5 * 10 ** (-1.5 * s / 1000)) == pytest.approx(-1.5)
    assert toys.log_slope(s, 10 ** (-1.5 * s / 1000) * (s < 1000) + 1e-9 * (s >= 1000), start=1000) == pytest.approx(0, abs=1e-9)
    with pytest.raises(ValueError):
        toys.log_slope([1, 2], [1.0, 2.0], start=5)


# ----------------------------------------------------------------------------- one player at a time

def test_frozen_players_do_not_move():
    torch.manual_seed(0)
    G, D = nets.ToyGenerator(width=16), nets.ToyDiscriminator(width=16)
    real = data.batches(data.six_points(), seed=0)
    g0, d0 = [p.clone() for p in G.parameters()], [p.clone() for p in D.parameters()]
    toys.train_generator(G, D, real, steps=5, progress=False)
    assert all(torch.equal(a, b) for a, b in zip(d0, D.parameters()))
    assert not all(torch.equal(a, b) for a, b in zip(g0, G.parameters()))
    g1 = [p.clone() for p in G.parameters()]
    toys.train_discriminator(G, D, real, steps=5, progress=False)
    assert all(torch.equal(a, b) for a, b in zip(g1, G.parameters()))
    assert not all(torch.equal(a, b) for a, b in zip(d0, D.parameters()))


def test_frames_zip_snapshots_with_kept_discriminators():
    torch.manual_seed(0)
    G, D = nets.ToyGenerator(width=16), nets.ToyDiscriminator(width=16)
    kept, callback = toys.keep_discriminators(2)
    z = G.noise(10, seed=1)
    h = toys.train_discriminator(G, D, data.batches("8gaussians", seed=0), steps=6, snapshot_every=2, snapshot_z=z,
                                 callback=callback, progress=False)
    f = toys.frames(h, kept, label="D step", offset=100)
    assert [x.step for x in f] == [102, 104, 106] and f[0].label == "D step 2"
    assert f[0].x.shape == (10, 2)
    assert not torch.equal(f[0].D.net[0].weight, f[-1].D.net[0].weight)  # copies, not the live D
    with pytest.raises(ValueError, match="snapshots"):
        toys.frames(h, kept[:1])
    with pytest.raises(ValueError):
        toys.keep_discriminators(0)


# ----------------------------------------------------------------------------- plots

def test_toy_scene_draws_data_samples_heat_map_and_arrows():
    torch.manual_seed(0)
    G, D = nets.ToyGenerator(width=8), nets.ToyDiscriminator(width=8)
    ax = plots.toy_scene(G, D, data.six_points(), n=20, res=16, title="t")
    assert isinstance(ax, plt.Axes)
    assert len(ax.images) == 1 and ax.images[0].get_array().shape == (16, 16)
    assert 0 <= ax.images[0].get_array().min() and ax.images[0].get_array().max() <= 1   # sigmoid of the logit
    assert len(ax.collections) >= 3          # data, samples, arrows (and maybe the D = 1/2 line)
    assert any(isinstance(c, matplotlib.quiver.Quiver) for c in ax.collections)


def test_toy_scene_arrows_are_the_generator_field():
    """The arrows drawn at the samples are -grad_x of the generator loss (toys.generator_field), not a sign-flipped
    or unscaled copy: catches arrows that point the wrong way or sit at the wrong samples."""
    torch.manual_seed(1)
    G, D = nets.ToyGenerator(width=8), nets.ToyDiscriminator(width=8)
    ax = plots.toy_scene(G, D, data.six_points(), n=12, res=8)
    (q,) = [c for c in ax.collections if isinstance(c, matplotlib.quiver.Quiver)]
    with torch.no_grad():
        x = G(G.noise(12, seed=0))
    field = toys.generator_field(D, x)
    assert np.allclose(q.get_offsets(), x.numpy(), atol=1e-6)
    assert np.allclose(np.stack([q.U, q.V], 1), field.numpy(), atol=1e-6)


def test_toy_scene_from_samples_without_D_and_raw_critic():
    ax = plots.toy_scene(torch.randn(5, 2), None, data.six_points())
    assert len(ax.images) == 0
    D = linear_D([3.0, 0.0])
    ax = plots.toy_scene(torch.randn(5, 2), D, data.six_points(), link=None, res=8, box=((-5, 5), (-5, 5)),
                         arrow_scale=0.1)
    assert ax.images[0].get_array().max() > 1           # raw critic values
    assert ax.get_xlim() == (-5, 5)
    with pytest.raises(ValueError, match="2D points"):
        plots.toy_scene(torch.randn(5, 3), None, data.six_points())


def test_filmstrip_and_snapshot_slider_call_draw_on_the_right_frames():
    frames, drawn = ["a", "b", "c", "d"], []
    draw = lambda f, ax: (drawn.append(f), ax.plot([0, 1]))
    axes = plots.filmstrip(frames, draw, ncols=3)
    assert axes.shape == (1, 3) and drawn == ["a", "c", "d"]
    drawn.clear()
    w = plots.snapshot_slider(frames, draw)
    slider = w.children[0]
    assert (slider.min, slider.max, slider.value) == (0, 3, 0) and drawn == ["a"]
    slider.value = 2
    assert drawn == ["a", "c"]
    with pytest.raises(ValueError):
        plots.snapshot_slider([], draw)
    with pytest.raises(ValueError):
        plots.filmstrip([], draw)


# ----------------------------------------------------------------------------- film and notebook 01's figures

@pytest.mark.parametrize("update, moves", [("both", "GD"), ("G", "G"), ("D", "D")])
def test_film_moves_only_the_named_players_and_keeps_evenly_spaced_frames(update, moves):
    torch.manual_seed(0)
    G, D = nets.ToyGenerator(width=16), nets.ToyDiscriminator(width=16)
    g0, d0 = [p.clone() for p in G.parameters()], [p.clone() for p in D.parameters()]
    z = G.noise(7, seed=1)
    shots, h = toys.film(G, D, data.batches("8gaussians", seed=0), z, steps=9, n_frames=3, update=update, lr=1e-2)
    assert [f.step for f in shots] == [3, 6, 9] and len(h.g_loss) == 9
    assert shots[0].label == f"{toys.FILM_LABELS[update]} 3"
    moved = lambda before, net: not all(torch.equal(a, b) for a, b in zip(before, net.parameters()))
    assert moved(g0, G) == ("G" in moves) and moved(d0, D) == ("D" in moves)
    with torch.no_grad():
        assert torch.allclose(shots[-1].x, G.eval()(z))                  # the last frame is the final generator
    if "D" in moves:                                                      # frozen copies, taken along the way
        assert not torch.equal(shots[0].D.net[0].weight, shots[-1].D.net[0].weight)
    with pytest.raises(ValueError):
        toys.film(G, D, data.batches("8gaussians", seed=0), z, steps=2, n_frames=3)
    with pytest.raises(ValueError):
        toys.film(G, D, data.batches("8gaussians", seed=0), z, steps=3, update="neither")


def test_vanishing_gradients_returns_the_trained_discriminator():
    torch.manual_seed(0)
    G, D = nets.ToyGenerator(width=8), nets.ToyDiscriminator(width=8)
    r = toys.vanishing_gradients(G, D, data.batches("8gaussians", seed=0), steps=4, record_every=2, n=16,
                                 progress=False)
    assert r.D is D and list(r.steps) == [0, 1, 2, 4]


def test_scenes_share_one_arrow_scale_and_one_colour_bar():
    """arrow_scale="common": the longest arrow over all panels is a sixth of the box; one colour bar for D."""
    from gankit import toyplots
    torch.manual_seed(0)
    G = nets.ToyGenerator(width=8)
    D1, D2 = linear_D([1.0, 0.0]), linear_D([5.0, 0.0])
    box = ((-3.0, 3.0), (-3.0, 3.0))
    axes = toyplots.scenes([dict(D=D1), dict(D=D2)], G=G, y=data.six_points(), n=20, box=box, res=8,
                           arrow_scale="common")
    fig = axes[0].figure
    quivers = [[c for c in ax.collections if isinstance(c, matplotlib.quiver.Quiver)][0] for ax in axes]
    with torch.no_grad():
        x = G(G.noise(20, seed=0))
    top = max(float(toys.generator_field(D, x).norm(dim=1).max()) for D in (D1, D2))
    assert all(q.scale == pytest.approx(top) for q in quivers)      # the longest arrow is box width / 6 = 1 long
    assert len(fig.axes) == 3 and fig.axes[-1].get_ylabel() == toyplots.D_LABEL


def test_gradient_norms_and_densities_draw_their_curves():
    from gankit import toyplots
    r = SimpleNamespace(steps=np.array([0, 10, 20]), saturating=np.array([1.0, 0.1, 0.01]),
                        non_saturating=np.array([1.0, 2.0, 4.0]), d_fake=np.array([0.5, 0.1, 0.01]))
    ax = toyplots.gradient_norms(r, toys.vanishing_slopes(r, hi=1.0, lo=1e-3))
    assert ax.get_yscale() == "log" and len(ax.lines) == 5                 # 2 curves, 2 fits, mean D
    assert "-2.0 decades over the fit" in ax.get_legend().get_texts()[0].get_text()   # 1 decade per 10 steps, 20 steps
    assert ax.get_ylabel().endswith("mean D(g(z))")                        # both quantities share the y-axis
    ax = toyplots.densities(np.linspace(0, 1, 5), lambda x: 1 + 0 * x, lambda x: 2 * x, {"D*": lambda x: x})
    assert len(ax.lines) == 3 and np.allclose(ax.lines[2].get_ydata(), np.linspace(0, 1, 5))
    assert ax.get_ylabel() == "density p, q; D(x)"
    ax = toyplots.js_against_shift([0.0, 1.0, 2.0], [0.0, 0.69, 0.69], [0.0, 0.1, 0.3])
    assert len(ax.lines) == 4 and ax.get_ylabel() == "JS and W1"      # no closed form: exercise 5's answer


def test_vanishing_runs_draw_a_scene_and_the_gradient_norms_per_run():
    """toyplots.vanishing_runs: a row per run, the scene (one arrow scale for all) and the gradient norms."""
    from gankit import manifolds, toyplots
    torch.manual_seed(0)
    S_r = ([-1.0, 0.0], [1.0, 0.0])
    G = {"lifted": manifolds.SegmentGenerator([0.3, 0.8], [0.1, 1.0]),
         "crossing": manifolds.SegmentGenerator([0.3, 0.8], [0.1, 0.0])}
    runs = {n: toys.vanishing_gradients(g, nets.ToyDiscriminator(width=8), manifolds.segment_sampler(*S_r, seed=0),
                                        steps=4, record_every=2, n=16, progress=False)
            for n, g in G.items()}
    box = ((-1.3, 1.7), (-1.0, 2.0))
    y = manifolds.segment_sampler(*S_r, seed=1)(20)
    axes = toyplots.vanishing_runs(runs, G, y, G["lifted"].noise(20, seed=2), box)
    assert axes.shape == (2, 2) and [ax.get_title() for ax in axes[:, 1]] == ["lifted", "crossing"]
    assert axes[0, 0].get_title() == "lifted: trained D, arrows of log(1 - D)"
    scales = [[c for c in ax.collections if isinstance(c, matplotlib.quiver.Quiver)][0].scale for ax in axes[:, 0]]
    assert scales[0] == pytest.approx(scales[1])                       # one arrow scale for both rows
    assert all(ax.get_yscale() == "log"
               and any("mean D(g(z))" in t.get_text() for t in ax.get_legend().get_texts()) for ax in axes[:, 1])
    plt.close("all")
