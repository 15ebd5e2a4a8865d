r"""The optimal discriminator and the Jensen-Shannon divergence, checked numerically on 1D densities.

Slides 001, "Optimal Discriminator" and "Relation with Jensen-Shannon divergence". Fix theta and write
mu_theta = p_theta dM and nu = q dM. The discriminator's objective is

    L(theta, D) = int log(D) dnu + int log(1 - D) dmu_theta,

and for measurable D with values in [0, 1]

    sup_D L(theta, D) = L(theta, D*_theta),          D*_theta = q / (q + p_theta),
    L(theta, D*_theta) = 2 JS(mu_theta, nu) - log 4,
    JS(mu, nu) = 1/2 KL(mu | (mu + nu) / 2) + 1/2 KL(nu | (mu + nu) / 2),   0 <= JS <= log 2,
    KL(mu | nu) = int log(dmu / dnu) dmu if mu << nu, +inf otherwise;  KL >= 0, = 0 iff mu = nu,
    TV(mu, nu) = sup_A |mu(A) - nu(A)| <= sqrt(KL(mu | nu) / 2)        (Pinsker's inequality).

Optimal means: L(theta, D) <= L(theta, D*) for every D, with equality iff D = D* (mu_theta + nu)-almost everywhere;
where p = q = 0 any value of D is optimal (pointwise, t -> q log t + p log(1 - t) has the unique maximiser
q / (q + p) as soon as p + q > 0).

Here p (for mu_theta) and q (for nu) are densities on the real line, given as functions of x (e.g.
``scipy.stats.norm(0, 1).pdf``), and every integral is computed by ``scipy.integrate.quad`` on the pieces of
[lo, hi] cut at ``points`` (put the places where a density jumps there). 0 log 0 = 0 throughout.

    >>> from scipy import stats
    >>> p, q = stats.uniform(0, 1).pdf, stats.uniform(3, 1).pdf      # disjoint supports
    >>> round(js_divergence(p, q, 0, 4, points=[1, 3]) / math.log(2), 6)
    1.0
"""
import math
from types import SimpleNamespace

import numpy as np
from scipy import integrate, optimize, stats
from scipy.special import expit, xlogy

TINY = 1e-300


def _integrate(f, lo, hi, points=None):
    """int_lo^hi f(x) dx by quad on the pieces [lo, t_1], [t_1, t_2], ..., [t_k, hi] (t = sorted ``points``)."""
    if not lo < hi:
        raise ValueError(f"need lo < hi, got lo={lo}, hi={hi}")
    cuts = [lo] + sorted(t for t in (points or []) if lo < t < hi) + [hi]
    return sum(integrate.quad(f, a, b, limit=200)[0] for a, b in zip(cuts[:-1], cuts[1:]))


def optimal_discriminator(p, q):
    """D*(x) = q(x) / (q(x) + p(x)): the best discriminator between nu = q dM (real) and mu_theta = p dM (fake).

    Returns a function of x (a float for a scalar x, an array for an array); where p = q = 0 it returns 1/2
    (any value is optimal there).

    >>> optimal_discriminator(lambda x: 1.0, lambda x: 3.0)(0.0)
    0.75
    """

    def D_star(x):
        px, qx = np.asarray(p(x), dtype=float), np.asarray(q(x), dtype=float)
        s = px + qx
        d = np.where(s > 0, qx / np.where(s > 0, s, 1.0), 0.5)
        return d.item() if d.ndim == 0 else d

    return D_star


def gan_value(p, q, D, lo=-np.inf, hi=np.inf, points=None):
    """L(theta, D) = int q log(D) + p log(1 - D) dx for a discriminator D: x -> [0, 1].

    ``gan_value(p, q, lambda x: 0.5)`` is -log 4 for every p, q (the slide's lower bound on sup_D L).
    Where D rounds to exactly 0 or 1 the logarithms are floored at log(1e-300) (about -690) instead of -inf,
    so that far tails, where the densities underflow, do not turn the integral into -inf.
    """

    def integrand(x):
        d = float(D(x))
        return float(xlogy(q(x), max(d, TINY)) + xlogy(p(x), max(1.0 - d, TINY)))

    return _integrate(integrand, lo, hi, points)


def sup_L(p, q, lo=-np.inf, hi=np.inf, points=None):
    """sup_D L(theta, D) = L(theta, D*) = int q log(q / (p + q)) + p log(p / (p + q)) dx, computed numerically.

    The slides' proposition says this equals 2 JS(mu_theta, nu) - log 4 (compare with ``js_divergence``).
    """

    def integrand(x):
        px, qx = float(p(x)), float(q(x))
        s = px + qx
        return 0.0 if s == 0 else float(xlogy(qx, qx / s) + xlogy(px, px / s))

    return _integrate(integrand, lo, hi, points)


def js_divergence(p, q, lo=-np.inf, hi=np.inf, points=None):
    """JS(mu, nu) = 1/2 int p log(2p / (p + q)) dx + 1/2 int q log(2q / (p + q)) dx, in [0, log 2]."""

    def integrand(x):
        px, qx = float(p(x)), float(q(x))
        s = px + qx
        return 0.0 if s == 0 else 0.5 * float(xlogy(px, 2 * px / s) + xlogy(qx, 2 * qx / s))

    return _integrate(integrand, lo, hi, points)


def kl_divergence(p, q, lo=-np.inf, hi=np.inf, points=None):
    """KL(mu | nu) = int p log(p / q) dx (infinite where q = 0 < p). Two unit Gaussians at distance m: m^2 / 2.

    Give a finite [lo, hi] when the densities' tails underflow: far enough in a Gaussian's tail q(x) rounds to 0
    while p(x) does not yet, which the quadrature would read as q = 0 < p, i.e. KL = +inf (``gaussian_kl`` is exact).

    >>> from scipy import stats
    >>> round(kl_divergence(stats.norm(1, 1).pdf, stats.norm(0, 1).pdf), 6)
    0.5
    """

    def integrand(x):
        px, qx = float(p(x)), float(q(x))
        if px == 0:
            return 0.0
        return math.inf if qx == 0 else px * math.log(px / qx)

    return _integrate(integrand, lo, hi, points)


def tv_distance(p, q, lo=-np.inf, hi=np.inf, points=None):
    """TV(mu, nu) = sup_A |mu(A) - nu(A)| = 1/2 int |p - q| dx, in [0, 1] (quadrature; put the crossings of p and q
    in ``points`` for full accuracy, as |p - q| has a kink there).

    Pinsker's inequality: TV(mu, nu) <= sqrt(KL(mu | nu) / 2) for any two probability measures (natural logarithm,
    and TV normalised as here, with the 1/2). Two unit Gaussians at distance m: TV = 2 Phi(m / 2) - 1 (``gaussian_tv``).

    >>> from scipy import stats
    >>> round(tv_distance(stats.norm(0, 1).pdf, stats.norm(1, 1).pdf, points=[0.5]), 6)
    0.382925

    References: Tsybakov, Introduction to Nonparametric Estimation, Springer 2009, Lemma 2.5 (Pinsker's inequality).
    """
    return _integrate(lambda x: 0.5 * abs(float(p(x)) - float(q(x))), lo, hi, points)


def gaussian_kl(m1, s1, m2, s2):
    """KL(N(m1, s1^2) | N(m2, s2^2)) = log(s2 / s1) + (s1^2 + (m1 - m2)^2) / (2 s2^2) - 1/2 (s1, s2 > 0).

    Not symmetric: KL(N(0, 1) | N(0, 2^2)) = log 2 - 3/8, KL(N(0, 2^2) | N(0, 1)) = 3/2 - log 2.

    >>> gaussian_kl(0, 1, 1, 1), round(gaussian_kl(0, 1, 0, 2), 6), round(gaussian_kl(0, 2, 0, 1), 6)
    (0.5, 0.318147, 0.806853)
    """
    return math.log(s2 / s1) + (s1 ** 2 + (m1 - m2) ** 2) / (2 * s2 ** 2) - 0.5


def gaussian_crossings(m1, s1, m2, s2):
    """The points where the densities of N(m1, s1^2) and N(m2, s2^2) are equal: the real roots of
    log p - log q = A x^2 + B x + C, A = 1/(2 s2^2) - 1/(2 s1^2), B = m1/s1^2 - m2/s2^2,
    C = m2^2/(2 s2^2) - m1^2/(2 s1^2) + log(s2 / s1). Two roots when s1 != s2, the midpoint when only the means differ,
    none for equal laws. Returns a sorted list.

    >>> gaussian_crossings(0, 1, 3, 1)
    [1.5]
    """
    A = 1 / (2 * s2 ** 2) - 1 / (2 * s1 ** 2)
    B = m1 / s1 ** 2 - m2 / s2 ** 2
    C = m2 ** 2 / (2 * s2 ** 2) - m1 ** 2 / (2 * s1 ** 2) + math.log(s2 / s1)
    if A == 0:
        return [] if B == 0 else [-C / B]
    disc = math.sqrt(B * B - 4 * A * C)     # > 0 when s1 != s2: the narrower density wins in the middle only
    return sorted([(-B - disc) / (2 * A), (-B + disc) / (2 * A)])


def gaussian_tv(m1, s1, m2, s2):
    """TV(N(m1, s1^2), N(m2, s2^2)) in closed form: mu(A) - nu(A) for A = {p > q}, an interval (or the complement of
    one) cut at ``gaussian_crossings``. With c_1 < c_2 the crossings, F, G the two CDFs,
    TV = |(F(c_2) - F(c_1)) - (G(c_2) - G(c_1))|; for s1 = s2 = s it is 2 Phi(|m1 - m2| / (2 s)) - 1.

    >>> round(gaussian_tv(0, 1, 1, 1), 6)          # 2 Phi(1/2) - 1
    0.382925
    """
    F, G = stats.norm(m1, s1).cdf, stats.norm(m2, s2).cdf
    c = gaussian_crossings(m1, s1, m2, s2)
    if not c:
        return 0.0
    lo, hi = (c[0], c[1]) if len(c) == 2 else (-np.inf, c[0])
    return float(abs((F(hi) - F(lo)) - (G(hi) - G(lo))))


def expectation(p, f, lo=-np.inf, hi=np.inf, points=None):
    """E_p[f] = int p(x) f(x) dx, e.g. the non-saturating generator loss E_{mu_theta}[-log D(X)].

    >>> from scipy import stats
    >>> round(expectation(stats.norm(2, 1).pdf, lambda x: x), 6)
    2.0
    """
    return _integrate(lambda x: float(p(x)) * float(f(x)) if p(x) > 0 else 0.0, lo, hi, points)


def best_logistic_discriminator(p, q, lo=-np.inf, hi=np.inf, points=None, start=(0.0, 0.0)):
    """Maximise L(theta, D_ab) over logistic discriminators D_ab(x) = sigmoid(a x + b) with scipy.optimize.

    For two Gaussians of the same variance s^2, log(q / p) is affine in x, so D* = q / (q + p) is itself
    logistic, with a = (m_nu - m_mu) / s^2 and b = (m_mu^2 - m_nu^2) / (2 s^2): the maximum must then reach
    sup_D L = 2 JS - log 4. Returns (a, b, L(theta, D_ab)).
    """

    def minus_L(ab):  # log D = -softplus(-t), log(1 - D) = -softplus(t) with t = a x + b: no overflow
        a, b = ab
        value = _integrate(lambda x: q(x) * np.logaddexp(0, -(a * x + b)) + p(x) * np.logaddexp(0, a * x + b),
                           lo, hi, points)
        # d/dt of the integrand is p sigmoid(t) - q sigmoid(-t); chain rule dt/da = x, dt/db = 1
        slope = lambda x: p(x) * expit(a * x + b) - q(x) * expit(-(a * x + b))
        grad = [_integrate(lambda x: slope(x) * x, lo, hi, points), _integrate(slope, lo, hi, points)]
        return value, np.asarray(grad)

    res = optimize.minimize(minus_L, np.asarray(start, dtype=float), jac=True, method="BFGS", options=dict(gtol=1e-9))
    a, b = res.x
    return float(a), float(b), -float(res.fun)


def pinsker_curves(m, s, every=10):
    """Pinsker's inequality TV <= sqrt(KL / 2) on two families: N(0, 1) against N(m, 1) for the shifts ``m`` and
    against N(0, s^2) for the scales ``s`` (arrays). Returns a namespace: ``m``, ``s``, the closed forms ``tv_m``,
    ``tv_s`` (``gaussian_tv``), the bounds ``bound_m``, ``bound_s`` from KL(N(0,1) | other) and ``bound_s_rev`` from
    KL(N(0,s^2) | N(0,1)) (``gaussian_kl``), and TV by quadrature (``tv_distance``, cut at the crossings) at every
    ``every``-th point, ``quad_m`` and ``quad_s``. For shifts sqrt(KL / 2) = m / 2 and TV = 2 Phi(m / 2) - 1.
    Also ``ratios``, TV / sqrt(KL / 2) on every pair of different laws (for scales, the smaller of the two KL
    bounds), and ``quad_error``, the largest gap between quadrature and closed-form TV.

    >>> c = pinsker_curves(np.array([0.0, 2.0]), np.array([1.0]), every=1)
    >>> c.bound_m, round(c.tv_m[1], 6), round(c.quad_m[1], 6)
    ([0.0, 1.0], 0.682689, 0.682689)
    """
    n01 = stats.norm(0, 1).pdf
    tv_quad = lambda mm, ss: tv_distance(n01, stats.norm(mm, ss).pdf, points=gaussian_crossings(0, 1, mm, ss))
    c = SimpleNamespace(
        m=m, s=s, every=every,
        tv_m=[gaussian_tv(0, 1, v, 1) for v in m], tv_s=[gaussian_tv(0, 1, 0, v) for v in s],
        bound_m=[math.sqrt(gaussian_kl(0, 1, v, 1) / 2) for v in m],
        bound_s=[math.sqrt(gaussian_kl(0, 1, 0, v) / 2) for v in s],
        bound_s_rev=[math.sqrt(gaussian_kl(0, v, 0, 1) / 2) for v in s],
        quad_m=[tv_quad(v, 1) for v in m[::every]], quad_s=[tv_quad(0, v) for v in s[::every]])
    c.ratios = ([t / b for t, b in zip(c.tv_m, c.bound_m) if b > 0]
                + [t / min(b, r) for t, b, r in zip(c.tv_s, c.bound_s, c.bound_s_rev) if b > 0])
    c.quad_error = max(np.abs(np.subtract(c.quad_m, c.tv_m[::every])).max(),
                       np.abs(np.subtract(c.quad_s, c.tv_s[::every])).max())
    return c
