r"""The no GAN's land: a generator with a connected latent space fitted to two separated modes, the 2D case where
one can see what latent reweighting should do before it is run.

The data nu: two Gaussian blobs of std 0.05 centred at (-1, 0) and (1, 0), half the mass each. The generator takes a
one-dimensional code z ~ N(0, 1): G is continuous and the real line is connected, so G(R) is a connected curve, and a
generator that covers both modes must cross the gap between them, where the data have almost no mass; the codes
around the one where G switches from one mode to the other land there (Tanielian et al. 2020 call it the "no GAN's
land"). A good reweighting w(z) (``gankit.reweight``) is small exactly on those codes, and the reweighted samples are
closer to nu in W_1.

The setting (mode centres, std, networks, training) is the kit's own choice: ``fit`` trains the pair with the kit's
loop and WGAN-GP; ``SETTINGS`` is the reweighting the kit runs on it; ``w1`` is the exact W_1 (POT) a claim is checked
with. Reference: U. Tanielian, T. Issenhuth, E. Dohmatob, J. Mary, Learning disconnected manifolds: a no GAN's land,
ICML 2020 (arXiv:2006.04596).
"""
from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import torch

from . import data, losses, metrics, nets, reweight, semidiscrete, spread, tables
from .loop import train
from .mode import steps, threads

CENTRES, STD = torch.tensor([[-1.0, 0.0], [1.0, 0.0]]), 0.05
GAP = 5 * STD       # "between the modes": farther than GAP from both centres (a data point is, once in 270,000)
SETTINGS = dict(m=1.25, steps=600, critic_steps=2, warmup=200, lr=3e-3, critic_lr=1e-3)  # reweight.train


def two_modes(n, seed=None):
    """n points of nu: a fair coin picks a centre of ``CENTRES``, then N(centre, STD^2 Id). (n, 2).

    >>> y = two_modes(10000, seed=0)
    >>> y.shape, round(float((y[:, 0] > 0).float().mean()), 1), bool(between(y).any())
    (torch.Size([10000, 2]), 0.5, False)
    """
    g = torch.Generator().manual_seed(seed) if seed is not None else None
    side = torch.randint(0, 2, (n,), generator=g)
    return CENTRES[side] + STD * torch.randn(n, 2, generator=g)


def between(x):
    """Which points (N, 2) land between the modes: farther than ``GAP`` from both centres. (N,) bool.

    >>> between(torch.tensor([[0.0, 0.0], [0.9, 0.1], [-1.0, 0.0]])).tolist()
    [True, False, False]
    """
    return torch.cdist(x.float(), CENTRES).min(dim=1).values > GAP


def sides(x, weights=None):
    """The shares of points (N, 2) on each mode (within ``GAP`` of its centre) and between them (``between``):
    {"left mode", "right mode", "between"}, summing to 1; with ``weights`` (N,), shares of the weighted mass.

    >>> sides(torch.tensor([[0.0, 0.0], [0.9, 0.1], [-1.0, 0.0], [1.0, 0.0]]))
    {'left mode': 0.25, 'right mode': 0.5, 'between': 0.25}
    >>> sides(torch.tensor([[0.0, 0.0], [-1.0, 0.0]]), weights=torch.tensor([1.0, 3.0]))
    {'left mode': 0.75, 'right mode': 0.0, 'between': 0.25}
    """
    d = torch.cdist(x.float(), CENTRES)
    near = d.min(dim=1).values <= GAP
    w = torch.ones(len(x), dtype=torch.float64) if weights is None else weights.double().flatten()
    share = lambda mask: float((w * mask).sum() / w.sum())
    return {"left mode": share(near & (d.argmin(dim=1) == 0)), "right mode": share(near & (d.argmin(dim=1) == 1)),
            "between": share(~near)}


def fit(steps=600, seed=0, n_data=4000, progress=False):
    """A generator with a 1D latent (``nets.ToyGenerator(z_dim=1)``, 2 hidden layers of 64) and its WGAN-GP critic
    (``nets.ToyDiscriminator``, 2 x 64) trained on ``n_data`` points of nu by the kit's loop: ``steps`` generator
    steps, 5 critic steps each, Adam 1e-3, betas (0.5, 0.9), batches of 256, lambda = 10 (about 5 s on one core).
    Returns a namespace: G, D, ``y`` the data points, ``history``."""
    torch.manual_seed(seed)
    G, D = nets.ToyGenerator(z_dim=1, width=64, depth=2), nets.ToyDiscriminator(width=64, depth=2)
    y = two_modes(n_data, seed=seed)
    opt = lambda m: torch.optim.Adam(m.parameters(), lr=1e-3, betas=(0.5, 0.9))   # noqa: E731
    h = train(G, D, data.batches(y, seed=seed), d_loss=losses.wgan_gp_d_loss(), g_loss=losses.wgan_g_loss,
              opt_G=opt(G), opt_D=opt(D), steps=steps, batch_size=256, n_critic=5, progress=progress,
              desc="two modes")
    return SimpleNamespace(G=G.eval(), D=D.eval(), y=y, history=h)


def w1(x, y, weights=None):
    """The exact W_1(sum_i a_i delta_{x_i}, (1/J) sum_j delta_{y_j}) (POT, ``semidiscrete.exact_ot``), a_i = 1/N or
    the normalised ``weights`` (N,). x (N, 2), y (J, 2).

    >>> round(w1(torch.zeros(2, 2), torch.tensor([[3.0, 4.0], [0.0, 1.0]])), 6)
    3.0
    """
    mu = None if weights is None else (weights / weights.sum()).double().cpu().numpy()
    return semidiscrete.exact_ot(x, y, cost="euclidean", mu=mu)[0]


def case(seed=0, progress=False):
    """The case of notebook 07: ``fit`` (600 generator steps) and w(z) trained on it by ``reweight.train`` with
    ``SETTINGS`` (about 15 s on one thread; 30 and 60 steps in quick mode). Returns ``fit``'s namespace with ``W``."""
    s = {**SETTINGS, "steps": steps(lecture=SETTINGS["steps"], quick=60),
         "warmup": steps(lecture=SETTINGS["warmup"], quick=20)}
    with threads(1):
        c = fit(steps=steps(lecture=600, quick=30), seed=seed, progress=progress)
        c.W = reweight.train(c.G, c.D, real=data.batches(c.y, seed=seed), progress=progress, **s)
    return c


def where_small(G, W, n=100_000, seed=1234, lowest=0.1):
    r"""Where w is small, against the known answer: on n fresh codes, the share that G sends between the modes
    (``between``), then what the optimum is and what the trained w does.

    The optimum against a fixed critic D: maximising E[w(Z) D(G(Z))] over 0 <= w <= m with E[w] = 1 is linear in w
    (the bathtub principle): w = m on the share 1/m of the codes where D(G(z)) is highest, 0 on the others (D(G(Z))
    without atoms). When D scores the codes between the modes lowest and their share is at most 1 - 1/m, they all
    get weight 0. The trained w: the share of the codes between the modes among its lowest 1 - 1/m (the optimum's
    zeros: 100% when w ranks the codes as that optimum does), its mean between the modes (the optimum's: 0) and
    elsewhere, how many of its ``lowest`` share of codes (the smallest weights) land between the modes, and the mean
    of w (1 when E[w] = 1 holds). Returns a ``tables.Report`` (printed: two lines)."""
    z = torch.randn(n, G.z_dim, generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        w, mid = W(z), between(G(z))
    low, bottom = w <= w.quantile(lowest), w <= w.quantile(1 - 1 / W.m)
    r = dict(share_between=mid.float().mean().item(), w_between=w[mid].mean().item(), w_elsewhere=w[~mid].mean().item(),
             low_between=mid[low].float().mean().item(), mean_w=w.mean().item(), m=W.m,
             between_in_bottom=bottom[mid].float().mean().item())
    fits = r["share_between"] <= 1 - 1 / W.m
    return tables.Report(
        f"codes landing between the blobs: {r['share_between']:.1%}; against a fixed critic that scores them lowest, "
        f"the best response w is m = {W.m:g} on the {1 / W.m:.0%} of the codes it scores highest, 0 on the other "
        f"{1 - 1 / W.m:.0%}: the codes between the blobs {'all get 0' if fits else 'do not all get 0'}\n"
        f"the trained w: its lowest {1 - 1 / W.m:.0%} hold {r['between_in_bottom']:.0%} of the codes between the "
        f"blobs; its mean there is {r['w_between']:.2f} (elsewhere {r['w_elsewhere']:.2f}); of its lowest "
        f"{lowest:.0%}, {r['low_between']:.0%} land between the blobs; mean of w {r['mean_w']:.3f}", **r)


def best_w(x, y, m):
    r"""The best weights on n samples, exactly: w_1..w_n in [0, m] with mean 1 that minimise the exact
    W_1(sum_i (w_i / n) delta_{x_i}, (1/J) sum_j delta_{y_j}). A linear program, solved as one optimal transport (POT):
    each sample a source of mass m / n; as targets the J data points (1/J each) and one dummy of mass m - 1 at cost
    0, which takes what the data do not; w_i = n x (the mass sample i sends to the data). Returns (w (n,), W_1).

    Two samples, one data point at the first, m = 2: all the mass goes to the first sample.

    >>> w, W1 = best_w(torch.tensor([[0.0, 0.0], [3.0, 0.0]]), torch.tensor([[0.0, 0.0]]), m=2.0)
    >>> w.tolist(), W1
    ([2.0, 0.0], 0.0)
    """
    import ot
    n, J = len(x), len(y)
    cost = torch.cdist(x.double(), y.double()).numpy()
    a = np.full(n, m / n)
    b = np.concatenate([np.full(J, 1.0 / J), [m - 1.0]])
    plan = ot.emd(a, b, np.concatenate([cost, np.zeros((n, 1))], axis=1))
    sent = plan[:, :J]
    return torch.from_numpy(n * sent.sum(axis=1)), float((sent * cost).sum())


def versus_best(G, W, n=1000, seed=0):
    """The trained w against the best weights on the same codes: n codes z (``G.noise(n, seed)``), n data points
    (``two_modes``, seed 1000 + seed); the exact W_1 to the data of the plain samples, of the samples weighted by
    the trained w (normalised to mean 1) and by ``best_w`` (bound ``W.m``), and the mean weight of each on the codes
    that land between the modes. The best weights are fitted to this draw of the data: no w on these codes does
    better against it. A second line gives the draw's shares on the left mode, the right mode and between them
    (``sides``): of the data, of the plain samples and of the samples weighted by w; at these sizes a draw's W_1
    moves with how the data split between the modes. Returns a ``tables.Report`` (two lines)."""
    z, y = G.noise(n, seed=seed), two_modes(n, seed=1000 + seed)
    with torch.no_grad():
        x, w = G(z), W(z).double()
    w = w / w.mean()
    best, W1_best = best_w(x, y, W.m)
    mid = between(x)
    r = dict(plain=w1(x, y), trained=w1(x, y, weights=w), best=W1_best, w_between=w[mid].mean().item(),
             best_between=best[mid].mean().item(), share_between=mid.float().mean().item(),
             shares={"data": sides(y), "plain": sides(x), "weighted by w": sides(x, weights=w)})
    split = "; ".join(f"{k} {v['left mode']:.1%} / {v['right mode']:.1%} / {v['between']:.1%}"
                      for k, v in r["shares"].items())
    return tables.Report(
        f"on {n:,} codes ({r['share_between']:.1%} between the blobs) against {n:,} data points, exact W1: plain "
        f"{r['plain']:.4f}, trained w {r['trained']:.4f}, best weights (LP) {r['best']:.4f}; mean weight between the blobs: "
        f"trained {r['w_between']:.2f}, best weights {r['best_between']:.2f}\n"
        f"that draw's shares on the left mode / the right mode / between: {split}", **r)


def _paired(G, W, score, n, seeds, metric, lower_is_better):
    """``score(samples, data)`` of n plain and n reweighted samples of G against n fresh data points on each seed,
    compared by ``spread.compare``, paired (the same data on a seed)."""
    plain, rew = [], []
    for seed in seeds:
        y = two_modes(n, seed=1000 + seed)
        plain.append(score(G.sample(n, seed=seed), y))
        rew.append(score(reweight.sample(G, W, n, seed=seed)[0], y))
    return spread.compare(spread.Spread.of(plain, n, seeds, metric), spread.Spread.of(rew, n, seeds, metric),
                          "the plain generator", "the reweighted one", paired=True, lower_is_better=lower_is_better)


def compare_w1(G, W, n=2000, seeds=spread.SEEDS):
    """The exact W_1 (``w1``) to n fresh data points of n plain and n reweighted samples of G (``reweight.sample``)
    on each seed, compared by ``spread.compare``, paired."""
    return _paired(G, W, w1, n, seeds, "W1", lower_is_better=True)


def curve_floor(G, n=2000, seed=1000, grid=20_001, z_max=6.0):
    """E_nu[dist(Y, G(R))]: the mean distance of n data points (seed ``seed``) to the generator's curve, drawn as G on
    ``grid`` codes in [-z_max, z_max] (a standard normal code lies there but once in 500 million). Every reweighted
    law lives on the curve, so its W_1 to nu is at least this: the part of W_1 no reweighting removes.

    >>> G = torch.nn.Linear(1, 2); _ = torch.nn.init.zeros_(G.bias); _ = G.weight.data.copy_(torch.tensor([[1.0], [0.0]]))
    >>> round(curve_floor(G, n=2000), 3)    # the x-axis: the mean |Y_2| = 0.05 sqrt(2 / pi)
    0.04
    """
    z = torch.linspace(-z_max, z_max, grid).reshape(-1, 1)
    with torch.no_grad():
        curve = G(z)
    return torch.cdist(two_modes(n, seed=seed), curve).min(dim=1).values.mean().item()


def w1_floor(n=2000, seeds=spread.SEEDS):
    """The exact W_1 between two independent draws of n data points (seeds 1000 + s, as ``compare_w1``'s data, and
    2000 + s): what the sample W_1 of ``compare_w1`` reads even for a perfect generator. A ``tables.Report`` with
    ``floor`` (a ``spread.Spread`` over the seeds)."""
    floor = spread.Spread.of([w1(two_modes(n, seed=1000 + s), two_modes(n, seed=2000 + s)) for s in seeds], n, seeds,
                             "W1")
    return tables.Report(f"two draws of {n:,} data points, exact W1 {floor.pm()} (mean ± std over {len(seeds)} seeds):"
                         f" what a perfect generator's samples read at this n", floor=floor)


def compare_pr(G, W, n=2000, seeds=spread.SEEDS, k=3):
    """Precision and recall (``metrics.precision_recall``, k-NN balls, the points themselves as features, in float64:
    the samples' balls are far smaller than float32's cdist resolves) of n plain
    and of n reweighted samples of G against n fresh data points on each seed, each compared by ``spread.compare``,
    paired (the same data on a seed): a sample between the modes lies outside the data's balls, so removing such
    samples raises precision; recall says whether the data stay covered. Returns a ``tables.Report`` (printed: both
    means, plain -> reweighted, then the two verdicts; ``precision`` and ``recall`` the ``Verdict``s)."""
    score = lambda i: lambda x, y: metrics.precision_recall(x.double(), y.double(), k)[i]   # noqa: E731
    v = {metric: _paired(G, W, score(i), n, seeds, metric, lower_is_better=False)
         for i, metric in enumerate(("precision", "recall"))}
    means = ", ".join(f"{k_} {x.mean_a:.3f} -> {x.mean_b:.3f}" for k_, x in v.items())
    return tables.Report(f"plain -> reweighted, means over the seeds: {means}\n{v['precision']}\n{v['recall']}", **v)


def figure(G, W, y, n=2000, seed=0, z_max=3.0):
    """The known answer, drawn: left, the data (grey) and n samples G(z) coloured by w(z); right, over the latent line,
    w(z) (left axis) and where G sends z (its first coordinate x_1, right axis), the codes that land between the modes
    shaded. Returns the Axes of the two panels."""
    z = torch.linspace(-z_max, z_max, 1201)[:, None]
    zs = torch.randn(n, 1, generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        x, w, xs, ws = G(z), W(z), G(zs), W(zs)
    _, (a, b) = plt.subplots(1, 2, figsize=(10.5, 3.6), gridspec_kw={"width_ratios": [1.1, 1]}, layout="constrained")
    a.scatter(*y[:n].T.numpy(), s=2, c="lightgray", label="data")
    sc = a.scatter(*xs.T.numpy(), s=3, c=ws.numpy(), cmap="viridis", vmin=0, vmax=W.m, label="G(z), colour w(z)")
    plt.colorbar(sc, ax=a, label="w(z)")
    a.set(xlabel="x_1", ylabel="x_2", title="samples coloured by their weight", xlim=(-1.4, 1.4), ylim=(-0.6, 0.6),
          aspect="equal")   # equal scales: the blobs are round
    a.legend(loc="upper center", fontsize=8, markerscale=3, ncol=2)
    mid = between(x).numpy()
    b.fill_between(z[:, 0].numpy(), 0, 1, where=mid, transform=b.get_xaxis_transform(), color="tab:red", alpha=0.15,
                   label="G(z) between the blobs")
    b.plot(z[:, 0], w, color="tab:green", label="w(z) (left axis)")
    b.axhline(W.m, color="tab:green", lw=0.8, ls=":", label=f"bound m = {W.m:g}")
    b.set(xlabel="latent code z", ylabel="weight w(z)", title="over the latent line", ylim=(0, 1.1 * W.m))
    c = b.twinx()
    c.plot(z[:, 0], x[:, 0], color="tab:blue", ls="--", label="x_1 of G(z) (right axis)")
    c.set(ylabel="x_1, first coordinate of G(z)", ylim=(-1.6, 1.6))
    handles = [h for ax in (b, c) for h in ax.get_legend_handles_labels()[0]]
    b.legend(handles, [h.get_label() for h in handles], fontsize=8, loc="lower right")
    return a, b
