"""Discriminator Optimal Transport (gankit.dot) against the paper's formulas and closed forms."""
import json
import math

import pytest
import torch

from critics import linear_D, linear_G
from gankit import checkpoints, dot, doteval, drs, metrics, nets, semidiscrete


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
    # without the transport cost (the author's "naive" control): plain ascent, x - y = steps * lr * w / K
    x = dot.target(D, y, 5.0, steps=3, lr=0.1, optimizer="sgd", transport=False, progress=False)
    assert torch.allclose(x[0], 3 * 0.1 * w / 5, atol=1e-6)
    G = linear_G([[1.0, 0.0], [0.0, 1.0]])                   # latent space, no prior: the same ascent on D(G(z))
    z = dot.latent(G, D, y, 5.0, steps=3, lr=0.1, prior=None, transport=False, progress=False)
    assert torch.allclose(z[0], 3 * 0.1 * w / 5, atol=1e-6)


def test_delta_moves_samples_by_a_step_where_the_potential_is_1_lipschitz():
    # on the line, D*(x) = -x is 1-Lipschitz; at x = y the gradient of |x - y + delta| + x is 2, so SGD moves each
    # atom by 2 lr, into the minimiser set x <= y - delta, where the gradient is 0: it stops there
    mu = torch.tensor([[0.0], [1.0]])
    x = dot.target(lambda v: -v[:, 0], mu, 1.0, steps=50, lr=0.01, optimizer="sgd", progress=False)
    assert torch.allclose(x, mu - 0.02, atol=1e-6)
    assert torch.equal(dot.target(lambda v: v[:, 0], mu, 1.0, steps=50, optimizer="sgd", progress=False), mu)


def test_toy_repeats_sets_dot_beside_the_ascent_without_cost_over_paired_draws():
    from gankit import data, toys
    torch.manual_seed(0)
    G, D = nets.ToyGenerator(width=16), nets.ToyDiscriminator(width=16)
    r = doteval.toy_repeats(G, D, 1.0, seeds=range(2), n=200, steps=12)
    assert list(r.rows) == ["data, another draw", "generator y", "DOT T(y)", "ascent on D alone"]
    assert r.rows["generator y"]["moved"] is None and r.rows["data, another draw"]["moved"] is None
    y = G.sample(200, seed=1)
    Ty = dot.target(D, y, 1.0, steps=12, progress=False)
    naive = dot.target(D, y, 1.0, steps=12, transport=False, progress=False)
    q = toys.mode_coverage(y, data.TWENTYFIVE_CENTRES, data.TWENTYFIVE_STD)
    assert r.rows["generator y"]["high_quality"].values[1] == pytest.approx(100 * q.high_quality)
    assert r.rows["generator y"]["spread"].values[1] == pytest.approx(q.spread, nan_ok=True)   # within-mode spread
    # y against the image of the exact n-to-n plan: its mean distance is W1 itself
    assert r.rows["generator y"]["to_ot"].values == pytest.approx(r.rows["generator y"]["w1"].values, rel=1e-6)
    assert r.rows["DOT T(y)"]["moved"].values[1] == pytest.approx(float((Ty - y).norm(dim=1).mean()), rel=1e-5)
    assert r.rows["ascent on D alone"]["moved"].values[1] == pytest.approx(float((naive - y).norm(dim=1).mean()),
                                                                            rel=1e-5)
    v = r.changes["ascent on D alone", "DOT T(y)"]["w1"]
    assert v.paired and v.diff == pytest.approx(r.rows["ascent on D alone"]["w1"].mean - r.rows["DOT T(y)"]["w1"].mean)
    assert r.changes["DOT T(y)", "generator y"]["moved"] is None
    outside = sum(int((torch.cdist(dot.target(D, G.sample(200, seed=s), 1.0, steps=12, progress=False),
                                   data.TWENTYFIVE_CENTRES).min(1).values > 4 * data.TWENTYFIVE_STD).sum())
                  for s in range(2))
    assert r.stopped["count"] == outside and 0 <= r.stopped["below_one"] <= 1 and r.stopped["from_y"] >= 0
    assert str(r).startswith("2 draws s = 0 to 1") and "ascent on D alone against DOT T(y)" in str(r)


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


def test_theorem_1_on_the_line_the_potential_gives_rays_not_the_map():
    # issue 32: mu_theta = (delta_0 + delta_1) / 2 (generated), nu = (delta_1 + delta_2) / 2 (data)
    mu, nu = torch.tensor([[0.0], [1.0]]), torch.tensor([[1.0], [2.0]])
    W1, _, plan = semidiscrete.exact_ot(mu, nu, cost="euclidean", plan=True)
    D = lambda x: x[:, 0]                                            # 1-Lipschitz, and optimal:
    assert W1 == pytest.approx(1.0) and float(D(nu).mean() - D(mu).mean()) == pytest.approx(W1)
    grid = torch.linspace(0, 2, 201)[:, None]                        # step 0.01
    argmin = {y: grid[dot.minimisers(D, torch.tensor([y]), grid), 0] for y in (0.0, 1.0)}
    for y, (lo, hi) in {0.0: (0.0, 2.0), 1.0: (1.0, 2.0)}.items():   # the whole segment [lo, hi], every grid point
        assert (argmin[y].min().item(), argmin[y].max().item()) == pytest.approx((lo, hi), abs=1e-6)
        assert len(argmin[y]) == round(100 * (hi - lo)) + 1
    for T in ({0.0: 1.0, 1.0: 2.0}, {0.0: 2.0, 1.0: 1.0}):           # the two optimal maps
        assert sorted(T.values()) == [1.0, 2.0]                       # T pushes mu_theta to nu
        assert sum(abs(t - y) for y, t in T.items()) / 2 == pytest.approx(W1)
        assert all((argmin[y] - t).abs().min() < 1e-6 for y, t in T.items())   # T(y) is a minimiser
    far_end = {y: argmin[y].max().item() for y in argmin}            # the rule "T(y) = the far end" ...
    assert far_end == pytest.approx({0.0: 2.0, 1.0: 2.0})           # ... sends both to 2: delta_2 is not nu
    assert sum(abs(t - y) for y, t in far_end.items()) / 2 == pytest.approx(1.5)
    assert ((plan > 0).sum(1) == 1).all()                            # POT's optimal plan is one of the maps
    for top in (5.0, 50.0):                                          # D*(x) = x on the whole line: no far end
        wide = torch.linspace(-1.0, top, 1001)[:, None]
        assert wide[dot.minimisers(D, torch.tensor([0.0]), wide), 0].max().item() == pytest.approx(top)


def test_dot_restores_the_modes_it_found():
    G, D = linear_G([[1.0, 0.0], [0.0, 1.0]]), nets.ToyDiscriminator(width=8)
    G.train(), D.eval()
    dot.latent(G, D, torch.randn(4, 2), 1.0, steps=2, progress=False)
    dot.target(D, torch.randn(4, 2), 1.0, steps=2, progress=False)
    assert G.training and not D.training
    with pytest.raises(RuntimeError), nets.evaluating(G, D):
        assert not G.training
        raise RuntimeError("the block fails")
    assert G.training and not D.training


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


def test_doteval_measures_a_path(mnist_test):
    x, labels = mnist_test
    real = metrics.features(x[5000:7000])
    digits = x[:200]
    other = x[labels[:200].argsort()][:200]                        # the same images, reordered: other digits
    path = doteval.measure({0: digits, 3: digits, 7: other}, real)
    assert sorted(path) == [0, 3, 7] and path[3]["changed"] == 0.0 and path[3]["fid"] == path[0]["fid"]
    assert path[0]["moved"] == path[3]["moved"] == 0.0
    assert path[7]["moved"] == pytest.approx(float((other - digits).flatten(1).norm(dim=1).mean()))
    changed = (metrics.classifier()(other).argmax(1) != metrics.classifier()(digits).argmax(1)).float().mean()
    assert path[7]["changed"] == pytest.approx(changed.item()) and path[7]["changed"] > 0.5


# ----------------------------------------------------------------------------- notebook 06's stored

@pytest.mark.shipped
def test_stored_dot_sweep_has_what_notebook_06_reads_at_the_stated_settings():
    """checkpoints/dot_paths.json: the runs of ``doteval.RUNS`` on the shipped ``MODEL`` (its
    fingerprint), made by the module's command at its settings, measured at each update of
    ``KEEP`` up to the run's steps; the notebook's table and figure read it."""
    S = doteval.stored()
    assert (S["command"], S["model"]) == ("python -m gankit.doteval", "dcgan_adam")
    assert (S["n"], S["z_seed"], S["k_seed"]) == (doteval.N, doteval.Z_SEED, doteval.K_SEED)
    assert S["keep"] == list(doteval.KEEP) and S["runs"] == json.loads(json.dumps(doteval.RUNS))
    assert S["checkpoint_sha256"] == checkpoints.fingerprint(doteval.MODEL)
    assert {"kit_version", "machine", "threads", "seconds", "reference"} <= set(S)
    assert set(S["K_eff"]) == {"target", "latent"} and list(S["curves"]) == list(doteval.RUNS)
    for name, c in S["curves"].items():
        assert list(c) == [s for s in doteval.KEEP if s <= doteval.RUNS[name]["steps"]]
        assert all(set(r) == {"fid", "precision", "recall", "changed", "top", "moved"} for r in c.values())
        assert c[0] == S["curves"]["latent, lr 0.01"][0] and c[0]["changed"] == c[0]["moved"] == 0.0  # same codes
        assert all(c[a]["moved"] < c[b]["moved"] for a, b in zip(list(c), list(c)[1:]))  # farther at each update
    assert len(doteval.curve_table(S["curves"]).splitlines()) == 2 + 6 + 5 + 6
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    assert len(doteval.curves_figure(S["curves"])) == 3
    plt.close("all")


@pytest.mark.shipped
def test_the_first_update_of_each_stored_dot_run_is_reproduced():
    """K_eff and the measurements at updates 0 and 1 of each run, recomputed by the module (a few
    seconds), are the stored ones; the grids' rerun of the first codes (``with_images``) gives the
    full run's first samples, at the picked updates only."""
    S = doteval.stored()
    blob = json.loads(json.dumps(doteval.compute(keep=(0, 1), progress=False)))     # as stored
    again = doteval.stored(blob=blob)
    assert again["K_eff"] == pytest.approx(S["K_eff"], rel=1e-5)    # float kernels differ between processor kinds
    for name, c in again["curves"].items():
        assert list(c) == [0, 1]
        for s in (0, 1):
            assert c[s] == pytest.approx(S["curves"][name][s], rel=1e-6, abs=1e-9), (name, s)
    ck = checkpoints.load(doteval.MODEL)
    z = ck.G.noise(S["n"], seed=S["z_seed"])
    picked = doteval.with_images(S, ck.G, ck.D, n=4, picks=(0, 1))
    for name, run in S["runs"].items():
        full = doteval.run_path(run, ck.G, ck.D, S["K_eff"], z, keep=(0, 1))
        assert set(picked[name][1]) == {"fid", "precision", "recall", "changed", "top", "moved", "x"}
        assert torch.allclose(picked[name][1]["x"], full[1][:4], atol=1e-4), name
        assert "x" not in picked[name][3]


@pytest.mark.shipped
def test_the_verdict_table_prints_notebook_07s_dot_points_against_each_plain_generator():
    """``doteval.verdict_table``: its two header lines state n, the seeds and the reference; then per generator the
    plain generator's scores and one row per DOT point of ``tradeoff.CURVES``, each change marked "(noise)" exactly
    where ``spread.compare`` (paired seeds) finds no difference beyond the noise."""
    import re
    from gankit import results, tradeoff
    S = tradeoff.stored()
    lines = doteval.verdict_table(S).splitlines()
    assert f"{S['n']:,} samples per seed, {len(S['seeds'])} seeds" in lines[0] and S["reference"] in lines[0]
    rows = [re.split(r"\s{2,}", r.strip()) for r in lines[4:]]
    points = tradeoff.CURVES["DOT target"] + tradeoff.CURVES["DOT latent"]
    assert [r[:2] for r in rows] == [[g, p] for g in S["scores"] for p in ["plain generator"] + points]
    for metric, column in zip(results.METRICS, range(2, 6)):
        v = results.verdicts(S, metric)
        for label, p, *cells in rows:
            if p != "plain generator":
                assert ("(noise)" in cells[column - 2]) == (not v[label, p].beyond), (label, p, metric)


def test_grids_print_the_distance_of_each_set_to_the_first(capsys):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    y = torch.zeros(4, 1, 28, 28)
    doteval.grids({"y": y, "y + 0.1": y + 0.1})
    plt.close("all")
    assert capsys.readouterr().out.strip().endswith("x in y + 0.1: 2.80")     # 0.1 * sqrt(784)


def test_secant_cosine_times_the_slope_is_the_secant_ratio_for_a_linear_critic():
    """For D(x) = <a, x> each secant ratio |D(x') - D(x)| / ||x' - x|| is |a| |cos(a, x' - x)|: the largest over the
    pairs is K_eff (same pairs and seed)."""
    G = nets.ToyGenerator(depth=0)
    G.net[0].weight.data.copy_(torch.eye(2))
    G.net[0].bias.data.zero_()
    D = lambda x: x @ torch.tensor([3.0, 4.0])   # noqa: E731
    c, slope = dot.secant_cosine(G, D, pairs=300, seed=4)
    assert c.shape == slope.shape == (300,) and float(c.max()) <= 1 + 1e-6 and torch.allclose(slope, torch.tensor(5.0))
    assert float((slope * c).max()) == pytest.approx(dot.K_eff(G, D, pairs=300, seed=4), rel=1e-5)
