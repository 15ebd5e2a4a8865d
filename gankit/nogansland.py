r"""The no GAN's land: a generator with a connected latent space fitted to two separated modes, the 2D case where the
answer of latent reweighting is known before it is run.

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


def fit(steps=300, seed=0, n_data=4000, progress=False):
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
    """The case of notebook 07: ``fit`` (300 generator steps) and w(z) trained on it by ``reweight.train`` with
    ``SETTINGS`` (about 15 s on one thread; 30 and 60 steps in quick mode). Returns ``fit``'s namespace with ``W``."""
    s = {**SETTINGS, "steps": steps(lecture=SETTINGS["steps"], quick=60),
         "warmup": steps(lecture=SETTINGS["warmup"], quick=20)}
    with threads(1):
        c = fit(steps=steps(lecture=300, quick=30), seed=seed, progress=progress)
        c.W = reweight.train(c.G, c.D, real=data.batches(c.y, seed=seed), progress=progress, **s)
    return c


def where_small(G, W, n=100_000, seed=1234, small=0.25):
    """Where w is small: on n fresh codes, the share that G sends between the modes (``between``), the mean of w there
    and elsewhere, the share of the codes with w < ``small`` that land between the modes, and the mean of w (1 when
    E[w] = 1 holds). Returns a ``tables.Report`` (printed: one line)."""
    z = torch.randn(n, G.z_dim, generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        w, mid = W(z), between(G(z))
    low = w < small
    r = dict(share_between=mid.float().mean().item(), w_between=w[mid].mean().item(), w_elsewhere=w[~mid].mean().item(),
             low_between=mid[low].float().mean().item(), n_low=int(low.sum()), mean_w=w.mean().item())
    return tables.Report(f"codes landing between the blobs: {r['share_between']:.1%}; mean w there {r['w_between']:.2f}, "
                         f"elsewhere {r['w_elsewhere']:.2f}; of the {r['n_low']:,} codes (of {n:,}) with w < {small:g}, "
                         f"{r['low_between']:.0%} land between the blobs; mean of w on fresh codes {r['mean_w']:.3f}",
                         **r)


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


def compare_w1(G, W, n=1000, seeds=spread.SEEDS):
    """The exact W_1 (``w1``) to n fresh data points of n plain and n reweighted samples of G (``reweight.sample``)
    on each seed, compared by ``spread.compare``, paired."""
    return _paired(G, W, w1, n, seeds, "W1", lower_is_better=True)


def compare_precision(G, W, n=2000, seeds=spread.SEEDS):
    """Precision (``metrics.precision_recall``, k = 3, the points themselves as features) of n plain and n reweighted
    samples against n fresh data points on each seed, compared by ``spread.compare``, paired: a sample between the
    modes lies outside the data's k-NN balls, so removing such samples raises precision."""
    return _paired(G, W, lambda x, y: metrics.precision_recall(x, y)[0], n, seeds, "precision", lower_is_better=False)


def figure(G, W, y, n=2000, seed=0, z_max=3.0):
    """The known answer, drawn: left, the data (grey) and n samples G(z) coloured by w(z); right, over the latent line,
    w(z) and where G sends z (its first coordinate), the codes that land between the modes shaded. Returns the Axes."""
    z = torch.linspace(-z_max, z_max, 1201)[:, None]
    zs = torch.randn(n, 1, generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        x, w, xs, ws = G(z), W(z), G(zs), W(zs)
    _, (a, b) = plt.subplots(1, 2, figsize=(10.5, 3.6), gridspec_kw={"width_ratios": [1.1, 1]}, layout="constrained")
    a.scatter(*y[:n].T.numpy(), s=2, c="lightgray", label="data")
    sc = a.scatter(*xs.T.numpy(), s=3, c=ws.numpy(), cmap="viridis", vmin=0, vmax=W.m, label="G(z), colour w(z)")
    plt.colorbar(sc, ax=a, label="w(z)")
    a.set(xlabel="x_1", ylabel="x_2", title="samples coloured by their weight", xlim=(-1.4, 1.4), ylim=(-0.5, 0.5))
    a.legend(loc="upper center", fontsize=8, markerscale=3, ncol=2)
    mid = between(x).numpy()
    b.fill_between(z[:, 0].numpy(), 0, 1, where=mid, transform=b.get_xaxis_transform(), color="tab:red", alpha=0.15,
                   label="G(z) between the modes")
    b.plot(z[:, 0], w, color="tab:green", label="w(z)")
    b.plot(z[:, 0], x[:, 0], color="tab:blue", ls="--", label="first coordinate of G(z)")
    b.axhline(W.m, color="gray", lw=0.8, ls=":", label=f"bound m = {W.m:g}")
    b.set(xlabel="latent code z", ylabel="w(z), and x_1 of G(z)", title="over the latent line",
          ylim=(-1.3, max(1.3, float(np.ceil(W.m)))))
    b.legend(fontsize=8, loc="center left")
    return a, b
