r"""The semi-discrete WGAN: a generator trained against the dual potential psi of W(mu_theta, nu), as ASGD estimates it.

Slides 001, "Alternate algorithm for semi-discrete WGAN learning". nu = sum_j nu_j delta_{y_j} is the data set,
the critic is D = psi^c (a ``LaguerreCritic``) climbed by ASGD on the semi-dual H (``gankit.semidiscrete``), and the
generator descends E[psi^c(g_theta(Z))], whose gradient (for the optimal psi) is the gradient of
theta -> W(mu_theta, nu):

    min_theta max_psi H(psi, theta) = E[psi^c(g_theta(Z))] + sum_j nu_j psi_j.

``grad_ot`` computes that gradient, the (Grad-OT) formula, for a generator given as a function g(theta, z), and
``grad_ot_check`` sets it against centred differences of POT's W.

References: Genevay, Cuturi, Peyre, Bach, Stochastic optimization for large-scale optimal transport,
NeurIPS 2016 (arXiv:1605.08527); Houdard, Leclaire, Papadakis, Rabin, On the gradient formula for learning
generative models with regularized optimal transport costs, TMLR 2023.
"""
import math
from types import SimpleNamespace
from typing import NamedTuple

import torch
from torch import nn

from .loop import train
from .semidiscrete import as_points, as_weights, c_transform, check_inputs, exact_ot, semi_dual
from .tables import Report


class LaguerreCritic(nn.Module):
    r"""The critic of the semi-discrete WGAN: D(x) = psi^c(x) = min_j c(x, y_j) - psi_j.

    It holds ASGD's state: the iterate psi~ (the parameter ``psi_tilde``, moved by ``ASGDStep``), the running
    average psi (buffer; what D uses), and k, the number of steps since the last warm restart.
    y (J, d) or images (J, 1, 28, 28); nu (J,) default uniform.
    """

    def __init__(self, y, nu=None, cost="sqeuclidean", psi0=None):
        super().__init__()
        y = as_points(y, "y").float()
        check_inputs(None, y[:1], y, cost)
        self.cost, self.k = cost, 0
        self.register_buffer("y", y)
        self.register_buffer("nu", as_weights(nu, y))
        psi0 = torch.zeros(len(y)) if psi0 is None else check_inputs(psi0, y[:1], y, cost)[0]
        self.psi_tilde = nn.Parameter(psi0.clone())
        self.register_buffer("psi", psi0.clone())

    def forward(self, x):
        return c_transform(self.psi, as_points(x, "x"), self.y, self.cost)

    def restart(self):
        """Warm start of a new ASGD run: psi~_0 = the current psi, k = 0."""
        with torch.no_grad():
            self.psi_tilde.copy_(self.psi)
        self.k = 0


class ASGDStep(torch.optim.Optimizer):
    r"""One ASGD step on a ``LaguerreCritic`` D, after ``semi_dual_loss`` (= -H(psi~)) was back-propagated:

        psi~_k = psi~_{k-1} - gamma / sqrt(k) * grad(-H)(psi~_{k-1}),     psi_k = psi_{k-1} + (psi~_k - psi_{k-1}) / k
    """

    def __init__(self, critic, gamma):
        if gamma <= 0:
            raise ValueError(f"gamma must be > 0, got {gamma}")
        super().__init__([critic.psi_tilde], dict(gamma=gamma))
        self.critic = critic

    @torch.no_grad()
    def step(self, closure=None):
        D = self.critic
        D.k += 1
        D.psi_tilde -= self.param_groups[0]["gamma"] / math.sqrt(D.k) * D.psi_tilde.grad
        D.psi += (D.psi_tilde - D.psi) / D.k


def semi_dual_loss(D, y, x):
    r"""Critic loss for ``gankit.loop.train``: -H(psi~) = -(mean_i psi~^c(x_i) + sum_j nu_j psi~_j) on the fake
    batch x = g_theta(z). Its gradient in psi~ is mu_x(L_psi~(y_j)) - nu_j. (The real batch y is not needed:
    nu is known exactly.)"""
    return -(c_transform(D.psi_tilde, as_points(x, "x"), D.y, D.cost).mean() + (D.nu * D.psi_tilde).sum())


def c_transform_loss(D, x):
    r"""Generator loss: E[psi^c(g_theta(Z))] on the batch x. Its gradient is E[D_theta g^T grad_x c(x, T_psi(x))]."""
    return D(x).mean()


def semi_discrete_wgan(G, y, nu=None, cost="sqeuclidean", steps=1000, psi_steps=10, gamma=1.0, batch=64, lr=1e-3,
                       betas=(0.5, 0.999), psi0=None, snapshot_every=0, snapshot_z=None, callback=None, progress=True):
    r"""Semi-discrete WGAN (slides: "Alternate algorithm for semi-discrete WGAN learning"):

        min_theta max_psi H(psi, theta) = E[psi^c(g_theta(Z))] + sum_j nu_j psi_j,   for n = 1..steps:
            psi   <- ASGD on H(., theta), ``psi_steps`` steps of batch ``batch``, warm-started at the previous psi
            theta <- one Adam step (lr, betas) on E[psi^c(g_theta(Z))]

    It runs the kit's one training loop ``gankit.loop.train`` with the critic D = psi^c (``LaguerreCritic``),
    ``semi_dual_loss`` / ``ASGDStep`` for psi and ``c_transform_loss`` / Adam for theta.
    G : generator (``noise``); y (J, d) or images (J, 1, 28, 28). ``callback(step, G, D)`` as in ``train``.

    Returns a namespace: G, D (psi is ``D.psi``), history (``train``'s History: g_loss = E[psi^c(g(Z))]) and
    W (list, one per generator step: the estimate H(psi, theta) = g_loss + sum_j nu_j psi_j of W(mu_theta, nu)).
    """
    dev = next(G.parameters()).device
    D = LaguerreCritic(y, nu, cost, psi0).to(dev)
    nu_psi = []

    def after_g_step(step, G, D):
        nu_psi.append(float((D.nu * D.psi).sum()))
        D.restart()
        if callback is not None:
            callback(step, G, D)

    no_data = lambda n: torch.zeros(n, 0, device=dev)   # nu is known exactly: the critic needs no data batch
    h = train(G, D, no_data, d_loss=semi_dual_loss, g_loss=c_transform_loss,
              opt_G=torch.optim.Adam(G.parameters(), lr=lr, betas=betas), opt_D=ASGDStep(D, gamma),
              steps=steps, batch_size=batch, n_critic=psi_steps, snapshot_every=snapshot_every,
              snapshot_z=snapshot_z, callback=after_g_step, progress=progress, desc="semi-discrete WGAN")
    return SimpleNamespace(G=G, D=D, history=h, W=[g + p for g, p in zip(h.g_loss, nu_psi)])


class Frame(NamedTuple):
    """One frame of a run (``recorder``): the step, psi (J,), the samples x = G(z) (N, d), W(x, nu) by POT and
    H = mean_i psi^c(x_i) + sum_j nu_j psi_j, the run's psi on the same samples (H <= W for every psi; = W at the
    optimal psi: W - H is how far the critic is from the maximiser)."""
    step: int
    psi: torch.Tensor
    x: torch.Tensor
    W: float
    H: float


def recorder(G, z, y, every, nu=None, cost="sqeuclidean"):
    """Frames of a ``semi_discrete_wgan`` run, for figures and sliders: returns (frames, callback). ``frames``
    starts with step 0 (psi = 0 and G's samples before training); ``callback`` (pass it to ``semi_discrete_wgan``)
    adds a frame at step 1 and every ``every`` generator steps. A frame: ``Frame``."""
    def frame(step, psi):
        with torch.no_grad():
            x, psi = G(z).detach().cpu(), psi.detach().cpu()
            H = float(semi_dual(psi, x, as_points(y, "y").cpu(), nu, cost))
        return Frame(step, psi.clone(), x, exact_ot(x, y, nu, cost)[0], H)

    frames = [frame(0, torch.zeros(len(as_points(y, "y"))))]

    def callback(step, G_, D):
        if step == 1 or step % every == 0:
            frames.append(frame(step, D.psi))

    return frames, callback


def grad_ot(g, theta, z, y, nu=None, cost="sqeuclidean", psi=None):
    r"""The (Grad-OT) formula: the gradient of h(theta) = W(mu_theta, nu), mu_theta = g(theta, .)_# zeta, taken
    through an optimal dual potential psi* held fixed (slides 001, "The Gradient formula"):

        grad h(theta) = grad_theta E_Z[psi*^c(g(theta, Z))] = E_Z[ D_theta g(theta, Z)^T grad_x c(g(theta, Z), T_psi*(g(theta, Z))) ].

    zeta is represented by the points z (N, p) (samples, or a fine grid, weights 1/N); psi* defaults to the exact
    dual potential of W between the points g(theta, z_i) and nu (POT, ``gankit.semidiscrete.exact_ot``). It is grad h wherever h
    and theta -> H(psi*, theta) are both differentiable (slides' Proposition, after Arjovsky et al. 2017); Houdard et
    al. 2023 give sufficient conditions: psi* unique up to a constant, mu_theta charging no Laguerre interface of any
    psi, and g locally Lipschitz in theta with an integrable constant. Where they fail, h can have a kink.

    g : function (theta, z) -> (N, d) points, differentiable in theta (torch); theta (q,); y (J, d); nu (J,);
    psi (J,): a potential to hold fixed instead of POT's (e.g. ASGD's; W is still POT's).
    Returns (W, grad): W(mu_theta, nu) on the points (float) and the gradient (q,). A shift of two points towards
    one point, g(theta, z) = theta + z: W = E(theta + Z)^2 = 1.25 and grad = 2 E(theta + Z) = 1 at theta = 0.5:

    >>> grad_ot(lambda th, z: th + z, torch.tensor([0.5]), torch.tensor([[-1.0], [1.0]]), torch.tensor([[0.0]]))
    (1.25, tensor([1.]))

    References: Arjovsky, Chintala, Bottou, Wasserstein GAN, ICML 2017 (Theorem 3); Houdard, Leclaire, Papadakis,
    Rabin, On the gradient formula for learning generative models with regularized optimal transport costs, TMLR 2023.
    """
    theta = torch.as_tensor(theta).detach().clone().requires_grad_(True)
    x = as_points(g(theta, z), "g(theta, z)")
    y = as_points(y, "y").to(x.dtype)
    W, psi_pot = exact_ot(x.detach(), y, nu, cost)
    psi = psi_pot if psi is None else psi
    (grad,) = torch.autograd.grad(c_transform(torch.as_tensor(psi).to(x.dtype), x, y, cost).mean(), theta)
    return W, grad


def grad_ot_check(g, theta, z, y, nu=None, cost="sqeuclidean", eps=1e-3):
    r"""The (Grad-OT) formula (``grad_ot``) against centred differences of POT's W, component by component:

        dh/dtheta_k ~ (h(theta + eps e_k) - h(theta - eps e_k)) / (2 eps),    h(theta) = W(mu_theta, nu),

    both on the points g(theta, z_i) (``exact_ot``). Returns a ``tables.Report``: ``W`` = h(theta), ``grad`` (the
    formula, (q,)), ``diff`` (the differences, (q,)) and ``rel`` = |grad - diff| / |diff| per component. A shift of
    two points towards one point: h = E(theta + Z)^2 is a parabola, and centred differences are exact:

    >>> theta = torch.tensor([0.5], dtype=torch.float64)
    >>> r = grad_ot_check(lambda th, z: th + z, theta, torch.tensor([[-1.0], [1.0]]), torch.tensor([[0.0]]))
    >>> r.W, r.grad.tolist(), round(r.diff.item(), 6), bool(r.rel[0] < 1e-6)
    (1.25, [1.0], 1.0, True)
    """
    theta = torch.as_tensor(theta)
    W, grad = grad_ot(g, theta, z, y, nu, cost)
    h = lambda th: exact_ot(g(th, z), y, nu, cost)[0]
    diff = torch.tensor([h(theta + eps * e) - h(theta - eps * e) for e in torch.eye(len(theta), dtype=theta.dtype)],
                        dtype=torch.float64) / (2 * eps)
    rel = ((grad - diff).abs() / diff.abs()).numpy()
    pair = lambda v: "(" + ", ".join(f"{t:.6f}" for t in v.tolist()) + ")"   # noqa: E731
    return Report(f"W = {W:.6f}; formula {pair(grad)}, differences of POT's W {pair(diff)}: "
                  f"relative differences {', '.join(f'{v:.1e}' for v in rel)}", W=W, grad=grad, diff=diff, rel=rel)
