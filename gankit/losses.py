r"""Adversarial losses, each a few lines under the formula it computes.

A discriminator loss has the signature ``d_loss(D, y, x) -> scalar`` (y real, x fake, both batches) and is
*minimised* by the critic's optimiser; a generator loss ``g_loss(D, x) -> scalar`` is minimised by the
generator's. D returns a logit (GAN) or a critic value (WGAN), one per sample.

GAN (Goodfellow et al. 2014), with D = sigmoid(logit):

    sup_D  E[log D(Y)] + E[log(1 - D(g_theta(Z)))]

WGAN (Arjovsky et al. 2017), with D 1-Lipschitz:

    W_1(mu_theta, nu) = sup_{D in Lip_1}  E[D(Y)] - E[D(g_theta(Z))]

References: Goodfellow et al., Generative Adversarial Nets, NeurIPS 2014 (arXiv:1406.2661); Arjovsky, Chintala,
Bottou, Wasserstein GAN, ICML 2017 (arXiv:1701.07875); Gulrajani et al., Improved Training of Wasserstein GANs,
NeurIPS 2017 (arXiv:1704.00028); Mescheder, Geiger, Nowozin, Which Training Methods for GANs do actually Converge?,
ICML 2018 (arXiv:1801.04406).
"""
import math

import torch
import torch.nn.functional as F


# ----------------------------------------------------------------------------- GAN

def gan_d_loss(D, y, x):
    """-( E[log sigmoid(D(y))] + E[log(1 - sigmoid(D(x)))] ): binary cross-entropy, real = 1, fake = 0.

    D returns logits; y, x batches of the same shape per sample. A discriminator that cannot tell (logit 0,
    D = 1/2 everywhere) pays log 4 = 2 log 2, the value -sup L reaches when mu_theta = nu:

    >>> round(gan_d_loss(lambda v: torch.zeros(len(v)), torch.ones(3, 2), torch.zeros(5, 2)).item(), 6)
    1.386294
    """
    return F.softplus(-D(y)).mean() + F.softplus(D(x)).mean()


def gan_r1_d_loss(gamma=1.0):
    r"""The GAN discriminator loss with the R1 penalty on real data (Mescheder, Geiger, Nowozin 2018), a ``d_loss``:

        gan_d_loss(D, y, x) + gamma / 2 * E_nu[ ||grad_y D(y)||^2 ]       (D the logit)

    The penalty flattens the discriminator on the data: it cannot build steep walls around the real digits, so
    the generator is not thrown back and forth between them. Without it, gradient steps on the GAN game need not
    converge even locally (their "Dirac-GAN" circles the equilibrium for ever); with it, small enough steps converge
    near an equilibrium where mu_theta = nu and D is constant on the data (under their regularity assumptions), an
    equilibrium where the penalty costs nothing. A linear logit of slope 5 pays gamma / 2 * 25:

    >>> D = lambda v: v @ torch.tensor([3.0, 4.0]); y, x = torch.zeros(4, 2), torch.zeros(4, 2)
    >>> round((gan_r1_d_loss(2.0)(D, y, x) - gan_d_loss(D, y, x)).item(), 4)
    25.0
    """

    def d_loss(D, y, x):
        out, g = _value_and_grad(D, y)   # one pass of D over the real batch gives its logits and their gradient
        return F.softplus(-out).mean() + F.softplus(D(x)).mean() + gamma / 2 * g.flatten(1).pow(2).sum(1).mean()

    return d_loss


def js_lower_bound(D, y, x):
    """(L(D) + log 4) / 2 = (log 4 - gan_d_loss(D, y, x)) / 2 on the batches y (real) and x (fake), a float.

    Since sup_D L(theta, D) = 2 JS(mu_theta, nu) - log 4 (slides 001, "Relation with Jensen-Shannon divergence"),
    every discriminator gives JS(mu_theta, nu) >= (L(theta, D) + log 4) / 2: here L is estimated on the batches.
    A discriminator that cannot tell proves nothing (0); a perfect one proves JS = log 2:

    >>> js_lower_bound(lambda v: torch.zeros(len(v)), torch.ones(3, 2), torch.zeros(5, 2))
    0.0
    """
    with torch.no_grad():
        return (math.log(4) - gan_d_loss(D, y, x).item()) / 2


def gan_g_loss(D, x):
    """Non-saturating generator loss -E[log sigmoid(D(g_theta(Z)))] (the one used in practice)."""
    return F.softplus(-D(x)).mean()


def saturating_g_loss(D, x):
    """The min-max generator loss E[log(1 - sigmoid(D(g_theta(Z))))]: its gradient vanishes when D wins."""
    return -F.softplus(D(x)).mean()


# ----------------------------------------------------------------------------- WGAN

def wgan_d_loss(D, y, x):
    """-( E[D(y)] - E[D(x)] ): the critic maximises the Kantorovich-Rubinstein estimate of W_1.

    For the identity critic on 1D points, E[D(y)] - E[D(x)] is the shift between the two sets:

    >>> wgan_d_loss(lambda v: v[:, 0], torch.tensor([[3.0], [5.0]]), torch.tensor([[1.0], [2.0]])).item()
    -2.5
    """
    return D(x).mean() - D(y).mean()


def wgan_g_loss(D, x):
    """-E[D(g_theta(Z))]: the generator minimises the critic's estimate of W_1."""
    return -D(x).mean()


def critic_gap(D, y, x):
    """E[D(y)] - E[D(x)]: the critic's estimate of W_1(mu_theta, nu) (no gradient)."""
    with torch.no_grad():
        return (D(y).mean() - D(x).mean()).item()


def clip_weights(D, c):
    """Weight clipping of the original WGAN: every parameter w <- clip(w, -c, c)."""
    with torch.no_grad():
        for p in D.parameters():
            p.clamp_(-c, c)


def _value_and_grad(D, a):
    """D(a) and grad_a D(a) per sample, the graph kept so that a penalty on the gradient can be minimised."""
    a = a.detach().requires_grad_(True)
    out = D(a)
    (grad,) = torch.autograd.grad(out.sum(), a, create_graph=True)
    return out, grad


def _grad_norms(D, a):
    return _value_and_grad(D, a)[1].flatten(1).norm(dim=1)


def gradient_penalty(D, y, x, one_sided=False):
    r"""GP(D) = E[(||grad D(A)|| - 1)^2] with A = (1 - u) x + u y, u ~ U(0, 1) (Gulrajani et al. 2017).

    ``one_sided=True`` gives the unilateral penalty E[(||grad D(A)|| - 1)_+^2]. The gradient is taken with
    respect to the input A (not the parameters), keeping the graph so that the penalty can be minimised.
    y, x (N, ...) real and fake batches of the same shape. A linear critic of unit slope pays nothing, one of
    slope 3 pays (3 - 1)^2 = 4:

    >>> gradient_penalty(lambda a: a @ torch.tensor([0.6, 0.8]), torch.randn(8, 2), torch.randn(8, 2)).item()
    0.0
    >>> round(gradient_penalty(lambda a: 3 * a[:, 0], torch.randn(8, 2), torch.randn(8, 2)).item(), 6)
    4.0
    """
    if y.shape != x.shape:
        raise ValueError(f"real and fake batches must have the same shape, got {tuple(y.shape)} and {tuple(x.shape)}")
    u = torch.rand(y.shape[0], *([1] * (y.dim() - 1)), device=y.device)
    excess = _grad_norms(D, (1 - u) * x + u * y) - 1
    if one_sided:
        excess = excess.clamp(min=0)
    return (excess ** 2).mean()


def wgan_gp_d_loss(lam=10.0, one_sided=False):
    """The WGAN-GP critic loss  E[D(x)] - E[D(y)] + lam * GP(D)  as a ``d_loss`` function."""

    def d_loss(D, y, x):
        return wgan_d_loss(D, y, x) + lam * gradient_penalty(D, y, x, one_sided)

    return d_loss


def lipconstant(D, x, y):
    """Mean gradient norm of D on random points of all segments [x_i, y_j] (the slides' estimate).

    a_ij = (1 - u_ij) x_i + u_ij y_j, u_ij ~ U(0, 1); x (N, ...), y (M, ...); returns mean_ij ||grad D(a_ij)||.
    For a linear critic it is the norm of its slope:

    >>> round(lipconstant(lambda a: a @ torch.tensor([3.0, 4.0]), torch.randn(4, 2), torch.randn(5, 2)), 6)
    5.0
    """
    u = torch.rand(x.shape[0], y.shape[0], *([1] * (x.dim() - 1)), device=x.device)
    a = (u * y[None] + (1 - u) * x[:, None]).flatten(end_dim=1)
    return _grad_norms(D, a).mean().item()
