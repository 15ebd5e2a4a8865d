r"""How well does a WGAN critic estimate W_1? Critics against a fixed generator, and toy WGANs.

Kantorovich-Rubinstein duality (slides 001, "Wasserstein Generative Networks"): for c(x, y) = ||x - y||,

    W_1(mu_theta, nu) = sup_{D in Lip_1}  E[D(Y)] - E[D(g_theta(Z))].

On finite samples, x = g_theta(z) (m, d) and y (n, d), both sides can be computed: the left exactly, as the
linear program  min_{pi in Pi(1/m, 1/n)} sum_ij pi_ij ||x_i - y_j||  (``gankit.semidiscrete.exact_ot`` with ``cost="euclidean"``, POT's ``ot.emd2``); the
right by training a critic D with the WGAN losses of ``gankit.losses`` (``fit_critic``), where 1-Lipschitz
is enforced either by weight clipping (Arjovsky et al. 2017) or by the gradient penalty (Gulrajani et al. 2017).
The LP's dual gives an exact optimal critic too (``Potential``): a trained critic's shape is compared with it by
``explained``, the share of one function's variation that the best affine function of another reproduces.
"""
from types import SimpleNamespace

import torch
from scipy.stats import spearmanr
from tqdm.auto import tqdm

from . import losses, nets, tables, toys
from .data import EIGHT_CENTRES, batches
from .loop import optimizer, train
from .semidiscrete import c_transform, exact_ot
from .toys import generator_grad_norm


def gaussian_generator(mean=(0.5, 0.3), std=0.3):
    """The simplest 2D generator, g_theta(z) = std * z + mean with theta = (A, b) = (std * Id, mean): mu_theta = N(mean, std^2 Id).

    A ``ToyGenerator`` with no hidden layer, so it has ``noise``, ``sample`` and parameters like any other.
    """
    if len(mean) != 2:
        raise ValueError(f"the toy generator is 2D: mean must have 2 coordinates, got {mean!r}")
    G = nets.ToyGenerator(depth=0)
    with torch.no_grad():
        G.net[0].weight.copy_(std * torch.eye(2))
        G.net[0].bias.copy_(torch.as_tensor(mean, dtype=torch.float32))
    return G


def fit_critic(D, y, G, z, mode="gp", c=0.01, lam=10.0, steps=250, batch_size=256, lr=3e-4, betas=(0.5, 0.9),
               record_every=25, lip_points=64, seed=0, progress=True):
    r"""Train the critic D against the FIXED samples x = g_theta(z) of a generator, then measure it.

    Adam minimises the kit's critic loss on mini-batches of y (n, d) and x (m, d) (critic steps only: the
    generator does not move, so this is not the alternating loop of ``gankit.loop.train``):

        mode="clip":  E[D(x)] - E[D(y)],                     then  w <- clip(w, -c, c)   (weight clipping)
        mode="gp":    E[D(x)] - E[D(y)] + lam * GP(D)                                  (gradient penalty)

    Returns a namespace with
        D, w1     the critic and its estimate E[D(y)] - E[D(x)] on all the points,
        lip       ``lipconstant(D, x, y)`` on the first ``lip_points`` points of each set,
        grad_G    ||grad_theta E[-D(g_theta(z))]||, the gradient the critic sends to the generator (``toys.generator_grad_norm``),
        steps, gaps   the estimate every ``record_every`` steps (for a convergence plot).
    """
    if mode not in ("gp", "clip"):
        raise ValueError(f"mode must be 'gp' or 'clip', got {mode!r}")
    with torch.no_grad():
        x = G(z)
    if x.shape[1:] != y.shape[1:]:
        raise ValueError(f"generator samples {tuple(x.shape)} and data {tuple(y.shape)} differ in shape")
    torch.manual_seed(seed)
    real, fake = batches(y, seed=seed), batches(x, seed=seed + 1)
    d_loss = losses.wgan_gp_d_loss(lam) if mode == "gp" else losses.wgan_d_loss
    opt = torch.optim.Adam(D.parameters(), lr=lr, betas=betas)
    if mode == "clip":
        losses.clip_weights(D, c)
    recorded, gaps = [0], [losses.critic_gap(D, y, x)]
    for step in tqdm(range(1, steps + 1), desc=f"critic ({mode}{'' if mode == 'gp' else f', c={c:g}'})",
                     disable=not progress, leave=False):
        opt.zero_grad(set_to_none=True)
        d_loss(D, real(batch_size), fake(batch_size)).backward()
        opt.step()
        if mode == "clip":
            losses.clip_weights(D, c)
        if step % record_every == 0 or step == steps:
            recorded.append(step)
            gaps.append(losses.critic_gap(D, y, x))
    return SimpleNamespace(D=D, w1=gaps[-1], lip=losses.lipconstant(D, x[:lip_points], y[:lip_points]),
                           grad_G=generator_grad_norm(G, D, z, losses.wgan_g_loss), steps=recorded, gaps=gaps)


class Potential(torch.nn.Module):
    r"""An exact optimal critic of W_1 between samples x (m, d) and y (n, d), from the linear program's dual.

    POT's dual potential psi on y (``exact_ot``, Euclidean cost) extended to the whole space by the c-transform:

        phi(p) = -psi^c(p) = max_j  psi_j - ||p - y_j||,

    a maximum of 1-Lipschitz functions, hence 1-Lipschitz, with mean phi(y) - mean phi(x) = W_1 (the dual optimum;
    phi is one optimal critic, defined up to a constant, where the LP has several). ``w1`` holds W_1. Called like
    a critic: points (N, d) -> values (N, 1), differentiable in the points.

    >>> phi = Potential(torch.zeros(1, 2), torch.tensor([[3.0, 4.0]]))
    >>> phi.w1, (phi(torch.tensor([[3.0, 4.0]])) - phi(torch.zeros(1, 2))).item()
    (5.0, 5.0)
    """

    def __init__(self, x, y):
        super().__init__()
        self.w1, psi = exact_ot(x, y, cost="euclidean")
        self.register_buffer("psi", psi.float())
        self.register_buffer("y", torch.as_tensor(y).float())

    def forward(self, p):
        return -c_transform(self.psi, p.float(), self.y, cost="euclidean")[:, None]


def explained(features, target):
    r"""R^2: the share of the variance of ``target`` (N,) that the best least-squares affine function of
    ``features`` (N,) or (N, k) reproduces, 1 - min_{a, b} ||target - features a - b||^2 / ||target - mean||^2.

    With the values of a critic D as features and an optimal critic phi as target, it says how much of phi's shape D
    has, whatever D's scale and offset (a clipped critic's scale is set by c); with the points as features and D's
    values as target, how close D is to a linear function (1: exactly linear).

    >>> p = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> explained(p, 3 * p[:, 0] - p[:, 1] + 2), explained(p[:, 0], p[:, 1])
    (1.0, 0.0)
    """
    f = torch.as_tensor(features, dtype=torch.float64).detach().reshape(len(target), -1)
    t = torch.as_tensor(target, dtype=torch.float64).detach().reshape(-1)
    A = torch.cat([f, torch.ones(len(t), 1, dtype=torch.float64)], 1)
    residual = t - A @ torch.linalg.lstsq(A, t[:, None]).solution[:, 0]
    return round(float(1 - residual.square().sum() / (t - t.mean()).square().sum()), 12)


def shape(D, phi, points):
    """How a critic D compares in shape with an optimal critic phi (a ``Potential``) on ``points`` (N, d): ``match``,
    the share of phi's variation that the best rescaling a D + b reproduces (``explained``), and ``linear``, the share
    of D's own variation that the best affine function of the points reproduces."""
    with torch.no_grad():
        d, f = D(points).reshape(-1), phi(points).reshape(-1)
    return SimpleNamespace(match=explained(d, f), linear=explained(points, d))


def at_bound(D, c, rtol=1e-3):
    """The share of D's weight entries (every parameter) that clipping holds at its bound, |w| >= c (1 - rtol): 0 when
    clipping at c never binds (the critic is then unconstrained), 1 when every weight sits at +-c.

    >>> from torch import nn
    >>> lin = nn.Linear(2, 1); _ = lin.weight.data.copy_(torch.tensor([[0.01, -0.003]])); _ = lin.bias.data.fill_(-0.01)
    >>> round(at_bound(lin, 0.01), 3)
    0.667
    """
    w = torch.cat([p.detach().reshape(-1).abs() for p in D.parameters()])
    return float((w >= c * (1 - rtol)).float().mean())


def critic_table(critics, w1, exact_grad_G=None):
    """The critics ``{name: fit_critic result}`` as a text table (``tables.table``), after the exact W_1 ``w1``: each
    critic's W_1 estimate, the estimate over ``w1``, its ``lipconstant``, the estimate over its lipconstant, and the
    norm of the gradient it sends to the generator's parameters; ``exact_grad_G``, the exact critic's (``Potential``
    through ``toys.generator_grad_norm``: the gradient of the sample W_1 where the dual solution is unique), is the
    yardstick of that column."""
    head = ["critic", "W1 estimate", "estimate/W1", "lipconstant", "estimate/lip", "grad to G"]
    rows = [["exact (POT)", w1, 1.0, None, None, exact_grad_G]]
    rows += [[name, r.w1, r.w1 / w1, r.lip, r.w1 / r.lip, r.grad_G] for name, r in critics.items()]
    return tables.table(head, rows, formats=dict.fromkeys(head[1:], ".3g") | {"estimate/lip": ".3f"})


def shape_table(fits):
    """``shape`` results ``{name: namespace(match, linear)}`` as a text table of percentages.

    >>> from types import SimpleNamespace as N
    >>> print(shape_table({"linear critic": N(match=0.64, linear=1.0)}))
    critic         share of phi reproduced  linear share of the critic
    -------------  -----------------------  --------------------------
    linear critic                    64.0%                      100.0%
    """
    head = ["critic", "share of phi reproduced", "linear share of the critic"]
    rows = [[name, f.match, f.linear] for name, f in fits.items()]
    return tables.table(head, rows, formats=dict.fromkeys(head[1:], ".1%"))


def toy_wgan(mode, toy="8gaussians", c=0.01, lam=0.1, steps=1000, width=512, depth=3, act="relu", n_critic=5,
             batch_size=256, lr=1e-4, betas=(0.5, 0.9), opt="adam", snapshot_every=0, n_snapshot=512, callback=None,
             seed=0, progress=True):
    """Train a WGAN on a 2D toy set with ``gankit.loop.train``: ``mode`` "clip" (weight clipping at c), "gp"
    (gradient penalty lam), or "gan" (the non-saturating GAN losses, for comparison at the same settings).

    Defaults are those of the improved-WGAN toy code (Gulrajani et al. 2017): 3 hidden layers of ``width`` = 512
    (``depth``, ``act`` change the architecture of both networks), batch 256, Adam 1e-4 with betas (0.5, 0.9),
    5 critic steps, lam = 0.1. ``opt``: "adam" (with ``betas``) or "rmsprop" (the WGAN paper's for clipping; that code
    clips with RMSProp 5e-5) for both networks. ``snapshot_every``, ``n_snapshot`` and ``callback`` go to ``train`` (e.g.
    ``toys.keep_discriminators`` for a slider over training). Returns (G, D, History).
    """
    rules = {"gp": lambda: dict(d_loss=losses.wgan_gp_d_loss(lam), g_loss=losses.wgan_g_loss),
             "clip": lambda: dict(d_loss=losses.wgan_d_loss, g_loss=losses.wgan_g_loss,
                                  after_d_step=lambda D: losses.clip_weights(D, c)),
             "gan": lambda: dict(d_loss=losses.gan_d_loss, g_loss=losses.gan_g_loss)}
    if mode not in rules:
        raise ValueError(f"mode must be one of {', '.join(rules)}, got {mode!r}")
    torch.manual_seed(seed)
    G, D = nets.ToyGenerator(width=width, depth=depth, act=act), nets.ToyDiscriminator(width=width, depth=depth, act=act)
    h = train(G, D, batches(toy, seed=seed), steps=steps, batch_size=batch_size,
              opt_G=optimizer(opt, G.parameters(), lr, betas), opt_D=optimizer(opt, D.parameters(), lr, betas),
              n_critic=n_critic,
              snapshot_every=snapshot_every, snapshot_z=G.noise(n_snapshot, seed=seed + 1), callback=callback, progress=progress,
              desc=f"{'GAN' if mode == 'gan' else 'WGAN-' + mode}", **rules[mode]())
    return G.eval(), D.eval(), h


def per_epoch(values, steps_per_epoch):
    """The mean of a per-generator-step history over each epoch: (epochs,) from (epochs * steps_per_epoch,).

    >>> per_epoch([1.0, 3.0, 5.0, 7.0], 2).tolist()
    [2.0, 6.0]
    """
    v = torch.as_tensor(values, dtype=torch.float64)
    epochs = len(v) // steps_per_epoch
    return v[:epochs * steps_per_epoch].reshape(epochs, steps_per_epoch).mean(1)


def loss_tracks_quality(meta):
    """The WGAN paper's claim (Arjovsky et al. 2017, Figures 3 and 4), on a checkpoint's stored history: does the
    critic's estimate of W_1, E[D(Y)] - E[D(g(Z))] (``critic_gap``; for a GAN, the discriminator's loss), fall with
    the sample quality (MNIST-FID) along training? Both are averaged per epoch. The critic is trained against the
    trained generator, so its FID is used (``fid_trained_per_epoch``) when the shipped generator is an average.

    Returns a ``tables.Report`` with ``key``, ``loss``, ``fid`` (epochs,), Spearman's rank correlation ``rho`` over
    the whole run (1: the same order) and ``late``: the second half of the run alone (from epoch ``start``), where the
    early shared fall no longer dominates: its ``rho``. Printed, it gives for the whole run, then for its second half,
    the loss and the MNIST-FID at the first and the last epoch, and the correlation. A rank correlation of two series
    that both trend along training says that they move together in time, not that one measures the other; no
    p-value is given: the epochs' values are autocorrelated, which a p-value for independent pairs ignores. A
    clipped critic's estimate is in units set by c and by how many weights sit at +-c, which can change along
    training: its fall mixes W_1's with the critic's scale.
    """
    key = "critic_gap" if len(meta.get("critic_gap", [])) else "d_loss"
    loss = per_epoch(meta[key], meta["steps_per_epoch"])
    trained = bool(meta.get("fid_trained_per_epoch"))
    fids = meta["fid_trained_per_epoch"] if trained else meta["fid_per_epoch"]
    fid = torch.as_tensor(fids, dtype=torch.float64)[:len(loss)]
    start = len(loss) // 2 + 1
    rank = lambda a, b: float(spearmanr(a.numpy(), b.numpy())[0])
    rho, late = rank(loss, fid), SimpleNamespace(start=start, rho=rank(loss[start - 1:], fid[start - 1:]))
    what, who = "estimate" if key == "critic_gap" else "D loss", "trained generator" if trained else "generator"
    span = lambda s, r: (f"{what} {loss[s]:.3g} -> {loss[-1]:.3g}, {who}'s MNIST-FID {fid[s]:.0f} -> {fid[-1]:.0f}, "
                         f"rho {r:+.2f}")
    text = f"whole run: {span(0, rho)}\n    epochs {start} to {len(loss)}: {span(start - 1, late.rho)}"
    return tables.Report(text, key=key, loss=loss, fid=fid, rho=rho, late=late)


def stability(architectures, objectives, y, n=500, sample_seed=5, centres=EIGHT_CENTRES, std=0.02 / 1.414,
              **shared):
    """A miniature of the architecture experiment of Gulrajani et al. (2017, section 5.2): ``toy_wgan`` for each
    architecture (name -> ``depth``, ``act``) and each objective (name -> ``mode`` and its constant), every run with
    the same ``shared`` settings (``seed`` included). Each generator is scored on n samples (``sample_seed``) against
    the data points y (n', 2): the exact W_1 (POT) and the modes it covers (``toys.mode_coverage`` around
    ``centres``, default the 8 gaussians).
    Returns {(architecture, objective): namespace(x, w1, modes, seconds)}.
    """
    runs = {}
    for arch, a in architectures.items():
        for name, o in objectives.items():
            G, _, h = toy_wgan(**o, **a, **shared)
            x = G.sample(n, seed=sample_seed)
            runs[arch, name] = SimpleNamespace(x=x, w1=exact_ot(x, y, cost="euclidean")[0], seconds=h.seconds,
                                               modes=toys.mode_coverage(x, centres, std=std).modes)
    return runs
