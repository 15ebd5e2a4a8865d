r"""Discriminator Optimal Transport (Tanaka, NeurIPS 2019): move generated samples along the critic's transport rays.

Let D* be an optimal critic of W_1(mu_theta, nu) = max_{Lip(D) <= 1} E_nu[D] - E_{mu_theta}[D] (mu_theta the generator's
law, nu the data's): a Kantorovich potential, 1-Lipschitz. Tanaka's Theorem 1 writes the optimal transport as
T(y) = argmin_x { ||x - y|| - D*(x) }. What holds for W_1: since D* is 1-Lipschitz, ||x - y|| - D*(x) >= -D*(y),
with equality exactly where D* rises with slope 1 from y to x: at y itself and along a transport ray through y
(several at a branching point), up to the ray's upper end, usually past where y's mass goes. Where an optimal map
T exists, D*(T(y)) - D*(y) = ||T(y) - y|| for mu_theta-almost every y, so T(y) is *a* minimiser; the potential
gives the rays, not the map
(``minimisers`` computes the set on a grid). On the line, mu_theta = (delta_0 + delta_1)/2, nu = (delta_1 + delta_2)/2,
W_1 = 1, D*(x) = x: the minimisers are [y, +inf), while the optimal maps are 0 -> 1, 1 -> 2 and 0 -> 2, 1 -> 1.
A Kantorovich potential is not unique away from the supports: D*(x) = min(x, 2) is optimal too, and its
minimiser sets are [0, 2] and [1, 2]. The set, and its far end, depend on the potential chosen.

Algorithm 1 (target space) replaces D* by a trained critic D scaled by K_eff, an estimate of its Lipschitz
constant, and runs from x = y

    x <- x - eps * grad_x { ||x - y + delta||_2 - D(x) / K_eff },      delta = 0.001 in every coordinate,
    K_eff = max over pairs (x, x') of generated samples of |D(x) - D(x')| / ||x - x'||_2     (about 100 pairs).

delta gives the norm a gradient at x = y, the unit vector u = delta / ||delta|| (every coordinate 1/sqrt(d)), and
moves the minimiser: if D / K_eff is 1-Lipschitz, ||x - (y - delta)|| - D(x) / K_eff >= -D(y - delta) / K_eff, so
y - delta is a minimiser (y itself when delta = 0). The first step from y is -eps (u - grad D(y) / K_eff), zero only
when grad D(y) / K_eff = u: a sample moves by about a step even where D / K_eff is 1-Lipschitz (on the line with
D*(x) = -x each atom moves by lr and stops: ``target``'s example). A sample can travel far where D / K_eff has local
slope above 1: along grad D, -D / K_eff falls at that slope while the cost grows at rate at most 1.
K_eff, a max over 100 random pairs, is at most D's Lipschitz constant (``slope`` measures the local slope).
Latent space DOT, the paper's algorithm for images, does the same on z
with D o G:

    z <- z - eps * grad_z { ||z - z_y + delta||_2 - D(G(z)) / K_eff },  K_eff = max |D(G(z)) - D(G(z'))| / ||z - z'||_2,

keeping z where the prior puts its mass: clipped to [-1, 1] for a uniform prior; for the kit's Gaussian prior
N(0, Id) (mass near the sphere ||z|| = sqrt(dim)) the gradient's radial part is removed and ||z|| stays ||z_y||
(the kit's choice: the author's code subtracts a constant multiple of the radial part and does not rescale).
The paper's settings: SGD lr 0.01, 10 to 100 updates (images, latent space); Adam(0.01, betas (0, 0.9)), 100 steps
(2D toys, target space; its 2D demo averages K_eff over 10 draws, its image script uses one draw).
Tanaka's Theorem 2 is another result: the GAN objective with the logistic, hinge or identity loss and a gradient
penalty bounds K (E_nu[D/K] - E_{mu_theta}[D/K]) from below, so training D raises a lower bound of the dual of W_1.
Reading D / K_eff as a Kantorovich potential needs D / K_eff to be 1-Lipschitz, i.e. D to be K_eff-Lipschitz. A
WGAN-GP critic is pushed towards slope 1 (not K_eff) between real and generated samples, and an R1 penalty (on real
data only) does not make a GAN discriminator Lipschitz: where D / K_eff has slope above 1 (``slope`` measures it)
that hypothesis fails, and on trained networks DOT is a heuristic.
The author's errata (2023) replaces "=" by "in" in Theorem 1's T(y) = argmin and notes, after Song et al. (2020),
that the segment from y to T(y) lies in the argmin; for W_1 the set is the whole ray (``minimisers``).

References: Tanaka, Discriminator optimal transport, NeurIPS 2019 (arXiv:1910.06832); for optimal maps of W_1
and transport rays, Santambrogio, Optimal Transport for Applied Mathematicians, 2015, chapter 3.
"""
import torch
from tqdm.auto import tqdm

from .loop import optimizer as make_optimizer
from .nets import device_of, evaluating


def transport_cost(x, y, delta=1e-3):
    """||x - y + delta||_2 per sample (the paper's distance, not squared), over all coordinates: (N,).

    >>> transport_cost(torch.zeros(1, 2), torch.tensor([[3.0, 4.0]]), delta=0.0)
    tensor([5.])
    """
    return (x - y + delta).flatten(1).norm(dim=1)


def lipschitz_ratio(f, u, v):
    """max_i |f(u_i) - f(v_i)| / ||u_i - v_i||_2 over the pairs (u_i, v_i): a lower estimate of f's Lipschitz constant.

    >>> lipschitz_ratio(lambda x: 3 * x[:, 0], torch.zeros(1, 2), torch.ones(1, 2))     # 3 / sqrt(2)
    2.121320...
    """
    if u.shape != v.shape:
        raise ValueError(f"pairs need the same shapes, got {tuple(u.shape)} and {tuple(v.shape)}")
    with torch.no_grad():
        return float(((f(u) - f(v)).abs().reshape(-1) / (u - v).flatten(1).norm(dim=1)).max())


def slope(f, x, tangent=False):
    """||grad_x f(x)||_2 per sample (N,): the local slope of f at each point, to compare with K_eff (where the slope
    of f / K_eff exceeds 1, DOT's objective falls along grad f and a sample can travel far). ``tangent=True``: the
    norm of g - x <g, x> / ||x||^2, the part latent DOT keeps on the sphere through x (``latent``, Gaussian prior).

    >>> slope(lambda x: x @ torch.tensor([3.0, 4.0]), torch.zeros(2, 2))
    tensor([5., 5.])
    >>> slope(lambda x: x @ torch.tensor([3.0, 4.0]), torch.tensor([[1.0, 0.0]]), tangent=True)   # radial 3 removed
    tensor([4.])
    """
    g = _gradient(f, x)
    if tangent:
        g = _radial_part_removed(x.detach().flatten(1), None, g.flatten(1))
    return g.flatten(1).norm(dim=1)


def _gradient(f, x):
    """grad_x f(x) per sample, detached (x of any shape; f sums over the samples)."""
    x = x.detach().clone().requires_grad_(True)
    with torch.enable_grad():
        (g,) = torch.autograd.grad(f(x).sum(), x)
    return g.detach()


def _target_pairs(G, pairs, seed):
    """The pairs x = G(z), x' = G(z') of ``K_eff`` in the target space: z, z' ~ N(0, Id) drawn with ``seed``."""
    with torch.no_grad():
        x = G(G.noise(2 * pairs, seed=seed))
    return x[:pairs], x[pairs:]


def K_eff(G, D, space="target", pairs=100, seed=0):
    """K_eff = max over ``pairs`` pairs of |D(x) - D(x')| / ||x - x'||_2, with x = G(z), x' = G(z') in the target
    space (``space="target"``), or over the latent codes, |D(G(z)) - D(G(z'))| / ||z - z'||_2 (``"latent"``);
    z, z' ~ N(0, Id) drawn with ``seed``. For a linear critic D(x) = <a, x> and G = identity it is at most |a|,
    and reaches it as the pairs align with a: here |a| = 5, and 2000 random pairs come within 1%:

    >>> from gankit import nets
    >>> G = nets.ToyGenerator(depth=0); _ = G.net[0].weight.data.copy_(torch.eye(2)); _ = G.net[0].bias.data.zero_()
    >>> 4.95 < K_eff(G, lambda x: x @ torch.tensor([3.0, 4.0]), pairs=2000) <= 5.0 + 1e-5
    True
    """
    if not isinstance(pairs, int) or pairs < 1:
        raise ValueError(f"pairs must be a positive integer, got {pairs!r}")
    if space not in ("target", "latent"):
        raise ValueError(f"space must be 'target' or 'latent', got {space!r}")
    if space == "latent":
        z = G.noise(2 * pairs, seed=seed)
        return lipschitz_ratio(lambda u: D(G(u)), z[:pairs], z[pairs:])
    return lipschitz_ratio(D, *_target_pairs(G, pairs, seed))


def secant_cosine(G, D, pairs=100, seed=0):
    """For the pairs x = G(z), x' = G(z') that ``K_eff`` draws in the target space (same ``pairs`` and ``seed``):
    the |cos| between grad D(x) and the secant x' - x, and ||grad D(x)||, per pair, two tensors (pairs,). Each secant
    ratio |D(x') - D(x)| / ||x' - x|| is |the average along the segment of ||grad D|| cos|: the product at x is that
    ratio only when D is close to linear along the secant. (A random direction of R^d has a mean
    |cos| of about sqrt(2 / (pi d)) with any fixed vector.)

    >>> from gankit import nets
    >>> G = nets.ToyGenerator(depth=0); _ = G.net[0].weight.data.copy_(torch.eye(2)); _ = G.net[0].bias.data.zero_()
    >>> cos, slope = secant_cosine(G, lambda x: x @ torch.tensor([3.0, 4.0]), pairs=4000)
    >>> round(float(cos.median()), 1), round(float(slope.max()), 4)   # random directions of the plane: cos(pi / 4)
    (0.7, 5.0)
    """
    x, x2 = _target_pairs(G, pairs, seed)
    g, s = _gradient(D, x).flatten(1), (x2 - x).flatten(1)
    return (g * s).sum(dim=1).abs() / (g.norm(dim=1) * s.norm(dim=1)), g.norm(dim=1)


def minimisers(D, y, x, atol=1e-6):
    r"""Which of the points x minimise Tanaka's objective ||x - y||_2 - D(x) for one generated point y, to ``atol``:
    a boolean mask (M,). For an optimal critic D* of W_1 the set runs along the transport ray through y, from y
    to the ray's upper end (module docstring); T(y) is one of its points, not necessarily its end.

    x (M, d) candidate points (a grid), y (d,); D maps (M, d) to (M,). On the line with D*(x) = x and y = 1, the
    minimisers on a grid of [0, 2] are [1, 2]; with the potential min(x, 2), on a grid of [0, 4], they are [1, 2] too:

    >>> minimisers(lambda x: x[:, 0], torch.tensor([1.0]), torch.linspace(0, 2, 5)[:, None])
    tensor([False, False,  True,  True,  True])
    >>> minimisers(lambda x: x[:, 0].clamp(max=2), torch.tensor([1.0]), torch.linspace(0, 4, 9)[:, None])
    tensor([False, False,  True,  True,  True, False, False, False, False])
    """
    with torch.no_grad():
        h = (x - y).flatten(1).norm(dim=1) - D(x).reshape(-1)
    return h <= h.min() + atol


def _descend(objective, start, *, steps, new_optimizer, batch, keep, progress, tangent=None, retract=None):
    """Minimise sum_i objective(u_i, u0_i) over u from u0 = ``start``, ``batch`` rows at a time, ``steps`` steps of
    the optimizer that ``new_optimizer([u])`` makes. ``tangent(u, u0, grad)`` replaces the gradient before a step
    (default: unchanged); ``retract(u, u0)`` puts u back in its domain after a step (default: unchanged).
    ``progress``: a label for the progress bar, or None. Returns u, or {step: u} for the steps in ``keep``
    (and ``steps``) when ``keep`` is given."""
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    if not isinstance(batch, int) or batch < 1:
        raise ValueError(f"batch must be a positive integer, got {batch!r}")
    marks = sorted({int(s) for s in (keep or ())} | {steps})
    if marks[0] < 0 or marks[-1] > steps:
        raise ValueError(f"keep must list steps between 0 and {steps}, got {keep!r}")
    out = {s: [] for s in marks}
    bar = tqdm(total=steps * (-(-len(start) // batch)), desc=progress, disable=not progress or steps == 0,
               leave=False)
    for i in range(0, len(start), batch):
        u0 = start[i:i + batch].detach()
        u = u0.clone().requires_grad_(True)
        opt = new_optimizer([u])
        if 0 in out:
            out[0].append(u0.cpu().clone())
        for step in range(1, steps + 1):
            (grad,) = torch.autograd.grad(objective(u, u0).sum(), u)
            u.grad = grad if tangent is None else tangent(u.detach(), u0, grad)
            opt.step()
            if retract is not None:
                with torch.no_grad():
                    u.copy_(retract(u.detach(), u0))
            if step in out:
                out[step].append(u.detach().cpu().clone())
            bar.update()
    bar.close()
    result = {s: torch.cat(v) for s, v in out.items()}
    return result if keep is not None else result[steps]


def target(D, y, K, steps=100, lr=0.01, optimizer="adam", betas=(0.0, 0.9), delta=1e-3, box=None, batch=1000,
           keep=None, progress=True, transport=True):
    r"""Target space DOT (Tanaka 2019, Algorithm 1): from x = y, ``steps`` updates of

        x <- x - lr * grad_x { ||x - y + delta||_2 - D(x) / K }        (per sample; K = ``K_eff(G, D)``)

    with ``optimizer`` "adam" (betas, the paper's 2D setting: Adam(0.01, (0, 0.9)), 100 steps) or "sgd".
    y (N, ...) generated samples; ``box`` = (lo, hi) clips x after each step (images: (-1, 1)); D a module or a
    function. Returns T(y) with y's shape on the CPU, or {step: x} for the steps in ``keep`` (0 gives y) and ``steps``.
    ``transport=False`` drops the transport cost: plain ascent on D / K from y (the author's "naive" mode, the
    control of his 2D demo).
    On the line with the potential D*(x) = x (1-Lipschitz) and K = 1 the samples do not move: the gradient of
    |x - y + delta| - D*(x) at x = y is 1 - 1 = 0 (delta > 0). With D*(x) = -x (optimal when nu lies to the
    left) it is 1 + 1 = 2: Adam's first step moves each atom by lr = 0.01, to the minimiser set x <= y - delta, where
    the gradient is 0 and the atoms stop:

    >>> mu = torch.tensor([[0.0], [1.0]])
    >>> target(lambda x: x[:, 0], mu, 1.0, progress=False).flatten().tolist()
    [0.0, 1.0]
    >>> [round(v, 4) for v in target(lambda x: -x[:, 0], mu, 1.0, progress=False).flatten().tolist()]
    [-0.01, 0.99]
    """
    if K <= 0:
        raise ValueError(f"K_eff must be positive, got {K}")
    with evaluating(D):
        y = y.to(device_of(D)) if isinstance(D, torch.nn.Module) else y
        cost = _cost(transport, delta)
        return _descend(lambda x, y0: cost(x, y0) - D(x).reshape(-1) / K, y,
                        steps=steps, new_optimizer=lambda params: make_optimizer(optimizer, params, lr, betas),
                        retract=None if box is None else (lambda x, y0: x.clamp(*box)),
                        batch=batch, keep=keep, progress="DOT (target space)" if progress else None)


def _cost(transport, delta):
    """The transport cost ||x - y + delta||_2 as a function of (x, y), or zero (``transport=False``: the control)."""
    return (lambda x, y: transport_cost(x, y, delta)) if transport else (lambda x, y: 0.0)


def _radial_part_removed(z, z0, grad):
    """g - z <g, z> / ||z||^2: the gradient's component tangent to the sphere through z."""
    return grad - z * (grad * z).sum(1, keepdim=True) / (z * z).sum(1, keepdim=True)


def _back_to_sphere(z, z0):
    """z rescaled to its starting norm ||z0||."""
    return z * (z0.norm(dim=1, keepdim=True) / z.norm(dim=1, keepdim=True))


def latent(G, D, z_y, K, steps=10, lr=0.01, optimizer="sgd", betas=(0.0, 0.9), prior="gaussian", delta=1e-3,
           batch=1000, keep=None, progress=True, transport=True):
    r"""Latent space DOT: from z = z_y, ``steps`` updates (SGD lr 0.01, 10 to 100 updates in the paper) of

        z <- z - lr * grad_z { ||z - z_y + delta||_2 - D(G(z)) / K }      (per sample; K = ``K_eff(G, D, "latent")``)

    keeping z in the prior's support: ``prior="gaussian"`` (the kit's N(0, Id)) removes the radial part of the
    gradient, g <- g - z <g, z> / ||z||^2, and rescales z to its starting norm ||z_y|| after each step (z stays
    on its sphere, where a high-dimensional Gaussian puts its mass); ``"uniform"`` clips z to [-1, 1]; None
    does nothing. z_y (N, z_dim). Returns T(z_y) (N, z_dim) on the CPU (images: ``nets.batched(G, T(z_y))``),
    or {step: z} for the steps in ``keep`` (0 gives z_y) and ``steps``. ``transport=False`` drops the transport
    cost: the same steps on D(G(z)) / K alone (the control, as ``target``'s).
    """
    if K <= 0:
        raise ValueError(f"K_eff must be positive, got {K}")
    domain = {"gaussian": (_radial_part_removed, _back_to_sphere), "uniform": (None, lambda z, z0: z.clamp(-1, 1)),
              None: (None, None)}
    if prior not in domain:
        raise ValueError(f"prior must be 'gaussian', 'uniform' or None, got {prior!r}")
    if z_y.dim() != 2 or z_y.shape[1] != G.z_dim:
        raise ValueError(f"expected latent codes of shape (N, {G.z_dim}), got {tuple(z_y.shape)}")
    tangent, retract = domain[prior]
    with evaluating(G, D):
        cost = _cost(transport, delta)
        return _descend(lambda z, z0: cost(z, z0) - D(G(z)).reshape(-1) / K, z_y.to(device_of(G)),
                        steps=steps, new_optimizer=lambda params: make_optimizer(optimizer, params, lr, betas),
                        tangent=tangent, retract=retract,
                        batch=batch, keep=keep, progress="DOT (latent space)" if progress else None)
