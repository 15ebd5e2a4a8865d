r"""Distributions on low-dimensional manifolds: a perfect discriminator, JS = log 2, vanishing gradients.

Slides 002, "What's wrong with training GANs?" (Arjovsky and Bottou 2017, Section 2), on the smallest example:
segments of the plane, and a generator whose latent space has dimension 1,

    g_theta(z) = b + u(z) a,   u(z) = 2 Phi(z) - 1 = erf(z / sqrt 2),   Z ~ N(0, 1),   theta = (a, b) in R^2 x R^2,

so that mu_theta is uniform on the segment [b - a, b + a] (u(Z) ~ U(-1, 1)).

- *Perfect alignment.* Two boundary-free manifolds M, P intersect transversally at x if T_x M + T_x P = R^d; they
  *perfectly align* if they intersect somewhere non-transversally. Manifolds with boundary perfectly align if one of
  the pairs (interior or boundary of M, interior or boundary of P) does. Two segments of the plane therefore do NOT
  perfectly align iff they are disjoint, or cross at one point interior to both with different directions
  (``perfectly_align``).
- *Perfect discrimination.* Supports in disjoint compact sets (Theorem 2.1), or in two closed manifolds that don't
  perfectly align and don't have full dimension, the laws being continuous on their manifolds (Theorem 2.2): there
  is an optimal D* with accuracy 1 and grad_x D* = 0 on the supports (almost everywhere on them, for 2.2). Then
  JS(P_r, P_g) = log 2 and KL(P_r | P_g) = KL(P_g | P_r) = +inf (Theorem 2.3).
- *Vanishing gradients* (Theorem 2.4). With ||D|| = sup_x |D(x)| + ||grad_x D(x)||_2: if ||D - D*|| < eps and
  E_z ||J_theta g_theta(z)||_2^2 <= M^2, then ||grad_theta E_z log(1 - D(g_theta(z)))||_2 < M eps / (1 - eps).
  Its proof only uses D and grad_x D on the generator's support, where D* = 0 and grad_x D* = 0
  (``gap_on_fakes``, ``vanishing_bound``: the bound, checked in the kit's tests).

Discriminators return logits, as everywhere in the kit (D = sigmoid(logit)).

References: Arjovsky and Bottou, Towards Principled Methods for Training Generative Adversarial Networks, ICLR 2017
(arXiv:1701.04862), Lemma 1, Lemma 3, Theorems 2.1 to 2.4.
"""
import math

import numpy as np
import torch
from scipy import stats
from torch import nn

from .divergences import js_divergence
from .losses import gan_d_loss, js_lower_bound
from .nets import Generator
from .tables import Report


class SegmentGenerator(Generator):
    """g_theta(z) = b + u(z) a with u = erf(z / sqrt 2): latent dimension 1, mu_theta uniform on [b - a, b + a].

    a, b : sequences of 2 floats (the half-length vector and the midpoint), trainable.

    >>> G = SegmentGenerator([1.0, 0.0], [0.0, 2.0])
    >>> G(torch.tensor([[0.0]])).tolist(), G.endpoints().tolist()
    ([[0.0, 2.0]], [[-1.0, 2.0], [1.0, 2.0]])
    """

    z_dim = 1

    def __init__(self, a, b):
        super().__init__()
        self.a = nn.Parameter(torch.as_tensor(a, dtype=torch.float32).clone())
        self.b = nn.Parameter(torch.as_tensor(b, dtype=torch.float32).clone())

    def forward(self, z):
        return self.b + torch.erf(z / math.sqrt(2)) * self.a

    def endpoints(self):
        """The segment [b - a, b + a] as a (2, 2) array of its end points."""
        a, b = self.a.detach().numpy(), self.b.detach().numpy()
        return np.stack([b - a, b + a]).astype(float)

    def jacobian_sq(self, z):
        """||J_theta g_theta(z)||_2^2 = 1 + u(z)^2 (n,): J = [u I_2 | I_2] (2 x 4) has J J^T = (1 + u^2) I_2.

        Averaged over Z it is M^2 = E[1 + u(Z)^2] = 4/3, the constant of Theorem 2.4.
        """
        return 1 + torch.erf(z[:, 0] / math.sqrt(2)) ** 2


def segment_sampler(p0, p1, seed=None, dtype=torch.float32):
    """The uniform law on the segment [p0, p1] of the plane, as the training loop wants data: a function
    n -> (n, 2) tensor (seeded). ``dtype=torch.float64`` puts the samples on the segment to double precision."""
    g = torch.Generator().manual_seed(seed) if seed is not None else None
    p0, p1 = torch.as_tensor(p0, dtype=dtype), torch.as_tensor(p1, dtype=dtype)
    return lambda n: p0 + torch.rand(n, 1, generator=g, dtype=dtype) * (p1 - p0)


def sq_distance_to_segment(x, p0, p1):
    """dist(x, [p0, p1])^2 for points x (n, 2): |x - proj(x)|^2, proj(x) = p0 + clip(<x - p0, d> / |d|^2, 0, 1) d,
    d = p1 - p0. A C^1 function of x (the squared distance to a convex set), with gradient 2 (x - proj(x)).

    >>> p0, p1 = torch.tensor([0.0, 0.0]), torch.tensor([1.0, 0.0])
    >>> sq_distance_to_segment(torch.tensor([[0.5, 2.0], [3.0, 0.0]]), p0, p1)
    tensor([4., 4.])
    """
    p0, p1 = torch.as_tensor(p0, dtype=x.dtype), torch.as_tensor(p1, dtype=x.dtype)
    d = p1 - p0
    t = ((x - p0) @ d / (d @ d)).clamp(0, 1)
    return ((x - p0 - t[:, None] * d) ** 2).sum(-1)


def perfectly_align(s, r, tol=1e-12):
    """Do the segments s = (p0, p1) and r = (q0, q1) of the plane perfectly align (Arjovsky and Bottou 2017)?

    True iff they meet at a point where their tangent spaces do not span R^2: parallel segments that touch or
    overlap, or an end point (a 0-dimensional boundary) lying on the other segment. A crossing interior to both,
    with different directions, is transversal: False. Disjoint segments: False.

    >>> perfectly_align(([-1, 0], [1, 0]), ([0, -1], [0, 1])), perfectly_align(([-1, 0], [1, 0]), ([0, 0], [2, 0]))
    (False, True)
    """
    p0, p1, q0, q1 = (np.asarray(v, dtype=float) for v in (*s, *r))
    d, e, w = p1 - p0, q1 - q0, q0 - p0
    cross = lambda u, v: u[0] * v[1] - u[1] * v[0]
    den = cross(d, e)
    if abs(den) <= tol * np.linalg.norm(d) * np.linalg.norm(e):   # parallel: aligned iff they touch
        if abs(cross(w, d)) > tol * np.linalg.norm(d) * max(np.linalg.norm(w), 1.0):
            return False                                            # parallel, on different lines
        t0, t1 = sorted([w @ d / (d @ d), (q1 - p0) @ d / (d @ d)])
        return bool(t1 >= -tol and t0 <= 1 + tol)                 # the same line: do the intervals meet?
    t, u = cross(w, e) / den, cross(w, d) / den                   # p0 + t d = q0 + u e
    if t < -tol or t > 1 + tol or u < -tol or u > 1 + tol:
        return False                                                # the lines cross outside a segment
    return bool(min(t, 1 - t, u, 1 - u) <= tol)                     # an end point on the other segment


class PerfectDiscriminator(nn.Module):
    """An optimal discriminator of Theorem 2.2 for nu on the segment S_r (data) and mu_theta on S_g (fakes):

        D*(x) = d_g(x)^2 / (d_g(x)^2 + d_r(x)^2),   logit D*(x) = log d_g(x)^2 - log d_r(x)^2,

    with d_r, d_g the distances to S_r and S_g. D* = 1 on S_r and 0 on S_g except where they meet (a null set for
    both laws when they don't perfectly align: Lemma 3), so it has accuracy 1 and L(theta, D*) = 0; it is C^1 off
    S_r and S_g's common points, with grad_x D* = 0 on both segments (d^2 and its gradient vanish on its segment).
    ``forward`` returns the logit (the kit's convention; +-inf on the segments), ``prob`` the value D*(x).

    >>> D = PerfectDiscriminator(([-1.0, 0.0], [1.0, 0.0]), ([-1.0, 1.0], [1.0, 1.0]))
    >>> D.prob(torch.tensor([[0.0, 0.0], [0.0, 1.0], [0.0, 0.5]])).tolist()
    [1.0, 0.0, 0.5]
    """

    def __init__(self, data_segment, fake_segment):
        super().__init__()
        self.r = [torch.as_tensor(p, dtype=torch.float64) for p in data_segment]
        self.g = [torch.as_tensor(p, dtype=torch.float64) for p in fake_segment]

    def _sq(self, x):
        x = x.double()
        return sq_distance_to_segment(x, *self.r), sq_distance_to_segment(x, *self.g)

    def prob(self, x):
        dr, dg = self._sq(x)
        return dg / (dg + dr)

    def forward(self, x):
        dr, dg = self._sq(x)
        return torch.log(dg) - torch.log(dr)

    def grad_norm(self, x):
        """||grad_x D*(x)||_2 at points x (n, 2), by autograd through ``prob``: 0 on both segments, off their
        common points."""
        x = x.detach().double().clone().requires_grad_(True)
        (grad,) = torch.autograd.grad(self.prob(x).sum(), x)
        return grad.norm(dim=1)


def gap_on_fakes(D, x):
    """eps = max_i D(x_i) + ||grad_x D(x_i)||_2 over fake samples x (n, 2), D = sigmoid(logit): the distance
    ||D - D*|| of Theorem 2.4 seen on the generator's samples, where D* = 0 and grad_x D* = 0.

    >>> gap_on_fakes(lambda v: v[:, 0], torch.zeros(3, 2))     # logit x_1: D(0) = 1/2, grad D(0) = (1/4, 0)
    0.75
    """
    x = x.detach().clone().requires_grad_(True)
    d = torch.sigmoid(D(x))
    (grad,) = torch.autograd.grad(d.sum(), x)
    return float((d.detach() + grad.norm(dim=1)).max())


def vanishing_bound(G, D, z):
    """Theorem 2.4's bound M eps / (1 - eps) for the saturating generator loss on the noise vectors z (n, 1):
    M^2 = mean_i ||J_theta g_theta(z_i)||^2 (``G.jacobian_sq``) and eps = ``gap_on_fakes(D, g_theta(z))``; +inf when
    eps >= 1 (no bound). For the empirical law of the z_i it holds exactly (Cauchy-Schwarz):
    ||grad_theta mean_i log(1 - D(g_theta(z_i)))|| <= (1/n) sum_i ||J_i|| ||grad_x D(x_i)|| / (1 - D(x_i))
                                                 <= M eps / (1 - eps).

    >>> G = SegmentGenerator([1.0, 0.0], [0.0, 0.0])
    >>> vanishing_bound(G, lambda v: 0 * v[:, 0], torch.zeros(4, 1))    # u(0) = 0: M = 1; D = 1/2, flat: eps = 1/2
    1.0
    """
    M = float(G.jacobian_sq(z).mean().sqrt())
    eps = gap_on_fakes(D, G(z))
    return math.inf if eps >= 1 else M * eps / (1 - eps)


def perfect_discrimination(data_segment, fake_segment, n=100_000, away=0.01):
    """Theorems 2.2 and 2.3 measured on two segments: the explicit ``PerfectDiscriminator`` D* on n points of each
    (uniform, double precision, seeds 0 and 1). Returns a ``tables.Report`` (it prints as one line): ``D``, ``align``
    (``perfectly_align``), ``L`` = L(theta, D*) (0 for a perfect D*), ``js``, the lower bound (L + log 4) / 2 on JS
    it proves (``losses.js_lower_bound``), and max ||grad_x D*|| on the data (``grad_data``) and on the fakes farther
    than ``away`` from the data's segment (``grad_fakes``: at a crossing D* cannot be continuous).

    >>> c = perfect_discrimination(([-1.0, 0.0], [1.0, 0.0]), ([-1.0, 1.0], [1.0, 1.0]), n=1000)
    >>> c.align, abs(c.L) < 1e-12, round(c.js / math.log(2), 9), c.grad_data < 1e-12, c.grad_fakes < 1e-12
    (False, True, 1.0, True, True)
    """
    D = PerfectDiscriminator(data_segment, fake_segment)
    y = segment_sampler(*data_segment, seed=0, dtype=torch.float64)(n)
    x = segment_sampler(*fake_segment, seed=1, dtype=torch.float64)(n)
    far = sq_distance_to_segment(x, *D.r) > away ** 2
    with torch.no_grad():
        L = -gan_d_loss(D, y, x).item()
    align, js = perfectly_align(data_segment, fake_segment), js_lower_bound(D, y, x)
    grad_data, grad_fakes = float(D.grad_norm(y).max()), float(D.grad_norm(x[far]).max())
    return Report(f"perfectly align: {align}; L(theta, D*) = {L:.1e}, JS >= {js:.10f}; max |grad D*| on the data "
                  f"{grad_data:.0e}, on the fakes farther than {away:g} from it {grad_fakes:.0e}",
                  D=D, align=align, L=L, js=js, grad_data=grad_data, grad_fakes=grad_fakes)


def collinear_js(data_segment, fake_segment):
    """JS between the uniform laws on two segments of one line (e.g. segments that perfectly align by overlapping),
    by quadrature along that line (``divergences.js_divergence``): in the coordinate t = <x, u>, u the unit direction
    of the data's segment, U[t_0, t_1] for each. For two segments of equal length it is (the share of each law
    outside the other's segment) x log 2.

    >>> round(collinear_js(([-1.0, 0.0], [1.0, 0.0]), ([-0.5, 0.0], [1.5, 0.0])) / math.log(2), 9)   # a quarter out
    0.25
    """
    r0, r1, g0, g1 = (np.asarray(p, dtype=float) for p in (*data_segment, *fake_segment))
    u = (r1 - r0) / np.linalg.norm(r1 - r0)
    cross = lambda v: abs(u[0] * v[1] - u[1] * v[0])
    if max(cross(g0 - r0), cross(g1 - r0)) > 1e-12 * max(1.0, np.abs([r0, r1, g0, g1]).max()):
        raise ValueError(f"the segments {data_segment} and {fake_segment} are not on one line")
    (a, b), (c, d) = sorted([r0 @ u, r1 @ u]), sorted([g0 @ u, g1 @ u])
    cuts = sorted([a, b, c, d])
    return js_divergence(stats.uniform(c, d - c).pdf, stats.uniform(a, b - a).pdf, lo=cuts[0], hi=cuts[-1],
                         points=cuts[1:3])


def run_summary(r, name=""):
    """One line on a run of D against a fixed segment generator (``r``: a ``toys.vanishing_gradients`` record with
    the extra measurement ``js``, a Monte Carlo estimate of the JS lower bound (L(theta, D) + log 4) / 2, printed to
    3 decimals: an estimate, not a guaranteed bound): the saturating gradient as first record, smallest and last
    record (not as a trend: it can be noisy), the non-saturating one as first and last record.

    >>> from types import SimpleNamespace
    >>> r = SimpleNamespace(steps=[0, 10], js=[0.1, 0.69], saturating=np.array([1.0, 0.01]), non_saturating=[1.0, 4.0])
    >>> print(run_summary(r, "lifted"))
    lifted   after 10 D steps: JS lower bound ~ 0.690 (Monte Carlo); saturating ||grad_theta|| first record 1.0e+00, smallest 1.0e-02, last 1.0e-02; non-saturating 1.0e+00 -> 4.0e+00
    """
    head = f"{name:8s} " if name else ""
    sat, non = r.saturating, r.non_saturating
    return (f"{head}after {r.steps[-1]} D steps: JS lower bound ~ {r.js[-1]:.3f} (Monte Carlo); saturating "
            f"||grad_theta|| first record {sat[0]:.1e}, smallest {sat.min():.1e}, last {sat[-1]:.1e}; "
            f"non-saturating {non[0]:.1e} -> {non[-1]:.1e}")
