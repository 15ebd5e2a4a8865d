r"""The exercises' answers in closed form: what ``gankit.check`` compares the students' answers with.

Exercise 1 (W1 of the square against three points, reduced to 1D integrals), Exercise 2 (W2 of a segment against two
points), Exercise 3 (discrete W1 by the CDF formula), Exercise 4 (parallel lines), Exercise 5 (the optimal
discriminator of two shifted uniforms) and Exercise 6 (a vertical segment, where the gradient formula (Grad-OT)
fails). Each function states the formula it computes and checks a known value.

References: the course slides (001, Exercises 1 and 2, "The Gradient formula"; 002, parallel lines; 003, discrete
W1); Arjovsky, Chintala, Bottou, Wasserstein GAN, ICML 2017 (arXiv:1701.07875), Example 1; Houdard, Leclaire,
Papadakis, Rabin, On the gradient formula for learning generative models with regularized optimal transport costs,
TMLR 2023.
"""
import functools
import math

import numpy as np
from scipy import integrate, optimize
from scipy.special import expit

LOG2 = math.log(2.0)


def w2_segment(a, b):
    r"""Exercise 2: W(mu_theta, nu) for mu_theta uniform on the segment [a, b] of R^2, theta = (a, b),
    nu = 1/2 delta_(-1,0) + 1/2 delta_(1,0), c(x, y) = |x - y|^2.

    The optimal map sends the half of the segment with the smaller first coordinate to (-1, 0) (a vertical line
    through the midpoint m = (a + b) / 2 splits the mass in two), so with X ~ mu_theta and E<X, T(X)> = |b_1 - a_1| / 4:

        W(mu_theta, nu) = E|X|^2 + E|T(X)|^2 - 2 E<X, T(X)> = |m|^2 + |b - a|^2 / 12 + 1 - |b_1 - a_1| / 2.

    a, b : arrays (2,). Minimum 1/4 at m = 0, b - a = (+-3, 0).

    >>> round(w2_segment(np.array([-1.0, 0.0]), np.array([1.0, 0.0])), 12)    # [-1, 1]: each half to its end, 1/3
    0.333333333333
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    m, d = (a + b) / 2, b - a
    return float(m @ m + d @ d / 12 + 1 - abs(d[0]) / 2)


def best_segment():
    r"""Exercise 2's minimiser of w2_segment: m = 0 and b_2 - a_2 = 0 (they only add squares), and
    d = |b_1 - a_1| minimises d^2 / 12 - d / 2, so d / 6 = 1 / 2: d = 3. Returns (a, b) = ((-3/2, 0), (3/2, 0))."""
    d = 0.5 / (2 / 12)
    return np.array([-d / 2, 0.0]), np.array([d / 2, 0.0])


def w1_cdf(p, q):
    r"""Exercise 3: W1 between histograms p, q (K,) on the bins 0..K-1 (cost |i - j|): sum_k |P_k - Q_k|, with
    P, Q the cumulative sums (the 1D formula W1 = int |F_mu - F_nu|).

    >>> w1_cdf([1, 0, 0], [0, 0, 1])     # all the mass moves by 2 bins
    2.0
    """
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    return float(np.abs(np.cumsum(p - q)).sum())


def parallel_lines(theta):
    r"""Exercise 4 (Arjovsky et al. 2017, "Learning parallel lines"): P_0 uniform on {0} x [0, 1] and P_theta
    uniform on {theta} x [0, 1]. Returns (W, JS, KL, TV) = (|theta|, log 2 [theta != 0], +inf [theta != 0],
    1 [theta != 0]), TV = sup_A |P_0(A) - P_theta(A)| the total variation (Arjovsky et al.'s delta).

    >>> parallel_lines(0.0), parallel_lines(-0.5)
    ((0.0, 0.0, 0.0, 0.0), (0.5, 0.6931471805599453, inf, 1.0))
    """
    theta = float(theta)
    apart = theta != 0
    return abs(theta), (LOG2 if apart else 0.0), (math.inf if apart else 0.0), (1.0 if apart else 0.0)


def threshold_gradients(w, theta):
    r"""Exercise 4, question 3: the discriminator D_w(x) = sigmoid(w (theta_0 / 2 - x_1)), its threshold halfway
    between the lines {0} x [0, 1] and {theta_0} x [0, 1] (theta_0 > 0), held fixed, and the generator
    g_theta(z) = (theta, z). At theta = theta_0 the derivatives in theta of the saturating loss
    E[log(1 - D_w(g_theta(Z)))] and of the non-saturating loss E[-log D_w(g_theta(Z))] are
    w sigmoid(-w theta_0 / 2) and w sigmoid(w theta_0 / 2): the first vanishes as w grows, the second grows like w.

    >>> [round(v, 4) for v in threshold_gradients(10.0, 0.01)]
    [4.875, 5.125]
    """
    w, theta = float(w), float(theta)
    return w * float(expit(-w * theta / 2)), w * float(expit(w * theta / 2))


def shifted_uniforms_D_star(x, s):
    r"""Exercise 5: D*(x) = q(x) / (q(x) + p(x)) for p = U[0, 1] (the generator's mu_theta) and q = U[s, 1 + s]
    (the data nu): 1 where only q is positive, 0 where only p is, 1/2 where both are (and 1/2 outside both, where
    any value is optimal)."""
    p = float(0 <= x <= 1)
    q = float(s <= x <= 1 + s)
    return 0.5 if p + q == 0 else q / (p + q)


def shifted_uniforms_js(s):
    r"""Exercise 5: JS(U[0, 1], U[s, 1 + s]) = min(|s|, 1) log 2: the non-overlapping share min(|s|, 1) of each
    measure sits where the mixture (p + q) / 2 is half its density (contributing log 2), the overlap contributes 0.

    >>> shifted_uniforms_js(0.5) == math.log(2) / 2
    True
    """
    return min(abs(float(s)), 1.0) * LOG2


# ----------------------------------------------------------------------------- Exercise 6: (Grad-OT) fails

def tilted_segment_w(s):
    r"""Exercise 6: h(s) = W(mu_s, nu) for mu_s uniform on the segment [a, b] = [(-s, -1), (s, 1)], i.e. the generator
    g_s(z) = a + z (b - a) = (s u, u) with u = 2z - 1, z ~ U[0, 1] (nu, c as in Exercise 2). Exercise 2's formula with
    midpoint 0 and b - a = (2s, 2):

        h(s) = (4 s^2 + 4) / 12 + 1 - |2s| / 2 = 4/3 - |s| + s^2 / 3.

    It has a kink at the vertical segment s = 0: h'(0+) = -1, h'(0-) = +1 (``tilted_segment_slopes``).

    >>> round(tilted_segment_w(0.0), 12), round(tilted_segment_w(-1.5), 12)   # vertical: 4/3; best tilt |s| = 3/2: 7/12
    (1.333333333333, 0.583333333333)
    """
    s = float(s)
    return 4.0 / 3.0 - abs(s) + s * s / 3.0


def tilted_segment_slopes():
    r"""Exercise 6: the one-sided derivatives (h'(0+), h'(0-)) of ``tilted_segment_w`` at the vertical segment:
    d/ds (s^2 / 3) = 0 at 0 and -|s| has slopes -1 on the right and +1 on the left, so (-1, +1). h has a strict
    local maximum at s = 0 (a concave kink): tilting the vertical segment either way lowers W.

    >>> tilted_segment_slopes()
    (-1.0, 1.0)
    """
    return -1.0, 1.0


def tilted_segment_grad_ot(c):
    r"""Exercise 6: the value at s = 0 of the gradient formula (Grad-OT)

        E[ D_s g(s, Z)^T grad_x c(g_s(Z), y_j(Z)) ] = E[ (u, 0) . 2 (g_0(Z) - y_j(Z)) ] = -2 E[ u y_j(Z),1 ]

    (y_j,1 the first coordinate of y_j: -1 for y1, +1 for y2), when the points of the vertical segment g_0(z) = (0, u) (all on the Laguerre interface x1 = 0 of the optimal
    psi_1 = psi_2) are sent to y1 = (-1, 0) for z in [c, c + 1/2] and to y2 = (1, 0) otherwise (an optimal map: mass 1/2
    each), c in [0, 1/2]. With u = 2z - 1: 2 (2 int_c^(c+1/2) (2z - 1) dz - int_0^1 (2z - 1) dz) = 4c - 1. It sweeps the
    interval [h'(0+), h'(0-)] = [-1, 1]: c = 0 (the lower half to y1, the limit of the optimal maps as s -> 0+) gives the
    right derivative, c = 1/2 the left one.

    >>> tilted_segment_grad_ot(0.0), tilted_segment_grad_ot(0.25), tilted_segment_grad_ot(0.5)
    (-1.0, 0.0, 1.0)
    """
    return 4.0 * float(c) - 1.0


def vertical_segment_psi_gap(t):
    r"""Exercise 6: psi_1 - psi_2 for the optimal psi of W(mu_t, nu), mu_t uniform on the vertical segment
    [(t, -1), (t, 1)]. The Laguerre cell of y1 is {4 x1 <= psi_1 - psi_2} (Exercise 2), and with psi_2 = 0, delta = psi_1:

        H(delta) = E|X - y2|^2 + delta / 2 + min(4t - delta, 0),

    increasing (slope 1/2) for delta < 4t and decreasing (slope -1/2) after: the unique maximiser is delta = 4t, with
    H = t^2 + 4/3 = W. So the optimal psi is unique up to a constant, and its interface x1 = (psi_1 - psi_2) / 4 = t holds
    the whole segment, for every t.

    >>> vertical_segment_psi_gap(0.25)
    1.0
    """
    return 4.0 * float(t)


# ----------------------------------------------------------------------------- Exercise 1: W1 by quadrature

Y_EX1 = np.array([[2.0, 0.0], [-1.0, 1.0], [-1.0, -1.0]])   # y1, y2, y3
NU_EX1 = np.array([0.5, 0.25, 0.25])


def _line_cost(y, lo, hi, x2):
    """int_lo^hi |(x1, x2) - y| dx1 in closed form: int sqrt(u^2 + c^2) du = (u sqrt(u^2 + c^2) + c^2 asinh(u/|c|)) / 2."""

    def F(u, c):
        return 0.5 * (u * math.hypot(u, c) + (c * c * math.asinh(u / abs(c)) if c != 0 else 0.0))

    c = x2 - y[1]
    return F(hi - y[0], c) - F(lo - y[0], c)


def _boundary(x2, s):
    """For 0 <= x2 <= 1: the x1 where |x - y1| - |x - y2| = s on the slice of the square at height x2 (clipped to the
    slice [-(1 - x2), 1 - x2]). |x - y1| - |x - y2| decreases in x1 there, so cell 1 is {x1 >= boundary}."""
    w = 1.0 - x2
    f = lambda x1: math.hypot(x1 - 2.0, x2) - math.hypot(x1 + 1.0, x2 - 1.0) - s
    if f(-w) <= 0:
        return -w
    if f(w) >= 0:
        return w
    return optimize.brentq(f, -w, w, xtol=1e-14)


def _upper_half(integrand):
    return integrate.quad(integrand, 0.0, 1.0, epsabs=1e-13, epsrel=1e-10, limit=200)[0]


@functools.lru_cache(maxsize=None)
def square_w1():
    r"""Exercise 1: W1(mu, nu) for mu uniform on the square {|x1| + |x2| <= 1} (density 1/2) and
    nu = 1/2 delta_(2,0) + 1/4 delta_(-1,1) + 1/4 delta_(-1,-1), c = |x - y|. No closed form is known to us; this
    reduces it to one unknown and 1D integrals, accurate to about 1e-9:

    - by the symmetry x2 -> -x2 the optimal psi has psi_2 = psi_3, so the cells of y2 and y3 meet on x2 = 0 and,
      for x2 >= 0, x is in the cell of y1 iff |x - y1| - |x - y2| <= s := psi_1 - psi_2 (a hyperbola branch);
    - s solves mu(L_psi(y1)) = 1/2, i.e. the part of the upper half beyond the hyperbola has mass 1/4 (brentq);
    - W1 = int |x - T_psi(x)| dmu(x), with the inner integral along x1 in closed form (``_line_cost``).

    Returns a dict: W1, s, and ``halves``, the cost of the (feasible, not optimal) plan that sends the right half
    to y1 and the two left quarters to y2 and y3.
    """
    y1, y2 = Y_EX1[0], Y_EX1[1]

    def mass_of_cell1_upper(s):  # mu(L_psi(y1) and x2 >= 0), density 1/2
        return _upper_half(lambda x2: 0.5 * ((1.0 - x2) - _boundary(x2, s)))

    s = optimize.brentq(lambda s: mass_of_cell1_upper(s) - 0.25, -3.0, 3.0, xtol=1e-13)

    def cost(r):  # 2 (symmetry) x int over the upper half of |x - T(x)| dmu, cell 1 = {x1 >= r(x2)}
        return 2 * _upper_half(lambda x2: 0.5 * (_line_cost(y1, r(x2), 1 - x2, x2) + _line_cost(y2, x2 - 1, r(x2), x2)))

    return dict(W1=cost(lambda x2: _boundary(x2, s)), s=s, halves=cost(lambda x2: 0.0))
