r"""Exercise checks: ``check(name, value)`` says whether an answer is right, wrong (with a hint) or not given yet.

Each exercise notebook calls it in the cell after the student's cell, e.g. ``check("ex1_js", js)``, and it prints
one line (and a hint when wrong):

    right           ✅ ex1_js: right — JS(mu, nu) = 0.693147
    wrong           ❌ ex1_js: not right yet. You gave 0.5.
                       Hint: ...
    not given yet   ⏳ ex1_js: not answered yet (JS(mu, nu)). Fill in the cell above, run it, then run this cell again.

It never raises on an answer (None, a wrong type, a function that crashes: all are messages), so that the
exercise notebooks run top to bottom. Numbers, functions (evaluated at fixed test points), yes/no answers and
small sets are checked. The reference answers are computed below from the closed forms of the solutions
(``reference(name)`` returns them); where no closed form exists (Exercise 1's W1) by a quadrature accurate to 1e-9.
Some exercises depend on the notebook's data, passed as keywords: ``check("ex3_primal", W, p=p, q=q)``.

    >>> check("ex1_js", 0.5)                                       # doctest: +ELLIPSIS
    ❌ ex1_js: not right yet. You gave 0.5.
       Hint: ...
    >>> check("ex1_js", None)                                      # doctest: +ELLIPSIS
    ⏳ ex1_js: not answered yet (JS(mu, nu)). ...
"""
import functools
import math
from dataclasses import dataclass, field

import numpy as np
from scipy import integrate, optimize

LOG2 = math.log(2.0)


# ----------------------------------------------------------------------------- closed forms (the references)

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
    uniform on {theta} x [0, 1]. Returns (W, JS, KL) = (|theta|, log 2 [theta != 0], +inf [theta != 0]).

    >>> parallel_lines(0.0), parallel_lines(-0.5)
    ((0.0, 0.0, 0.0), (0.5, 0.6931471805599453, inf))
    """
    theta = float(theta)
    return abs(theta), (LOG2 if theta != 0 else 0.0), (math.inf if theta != 0 else 0.0)


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


# ----------------------------------------------------------------------------- comparing answers

class _Wrong(Exception):
    """A wrong answer, with the message to show (raised inside a comparison, caught by ``check``)."""


class _NotAnswered(Exception):
    """A function stub that still returns None."""


def _number(value, what="the answer"):
    """value as a float (int, float, numpy or torch scalar, array of one element); _Wrong otherwise."""
    if isinstance(value, (bool, np.bool_)):
        raise _Wrong(f"{what} should be a number, not {value!r}")
    try:
        v = np.asarray(value.detach().cpu() if hasattr(value, "detach") else value, dtype=float)
    except (TypeError, ValueError):
        raise _Wrong(f"{what} should be a number, got {type(value).__name__} {_short(value)}")
    if v.size != 1:
        raise _Wrong(f"{what} should be one number, got an array of shape {v.shape}")
    v = float(v.reshape(()))
    if math.isnan(v):
        raise _Wrong(f"{what} is nan")
    return v


def _short(value, n=60):
    s = repr(value)
    return s if len(s) <= n else s[: n - 3] + "..."


def _fmt(v):
    return "inf" if v == math.inf else "-inf" if v == -math.inf else f"{v:.6g}"


def _close(v, r, rtol, atol):
    if math.isinf(r) or math.isinf(v):
        return v == r
    return abs(v - r) <= atol + rtol * abs(r)


@dataclass
class Answer:
    """One checked answer. ``reference(**context)`` computes it; ``compare(value, ref, **context)`` returns the text
    shown when right, or raises _Wrong(message); ``hint`` is shown under a wrong answer; ``what`` names it in the
    messages; ``mistakes`` lists (reference-like function, message) for known wrong answers."""

    what: str
    reference: callable
    compare: callable
    hint: str
    context: tuple = ()
    mistakes: list = field(default_factory=list)


def number(rtol=1e-4, atol=1e-6):
    """Compare a number with the reference: |value - ref| <= atol + rtol |ref| (exact for infinities)."""

    def compare(value, ref, what, mistakes=(), **context):
        v = _number(value, what)
        if _close(v, ref, rtol, atol):
            return f"{what} = {_fmt(v)}"
        for wrong, message in mistakes:
            if _close(v, wrong(**context), rtol, atol):
                raise _Wrong(f"you gave {_fmt(v)}. {message}")
        raise _Wrong(f"you gave {_fmt(v)}.")

    return compare


def function_of(points, rtol=1e-6, atol=1e-9, diagnose=None):
    """Compare a function with the reference function at the test ``points`` (a list of argument tuples).
    ``diagnose(f, ref, failed)`` may return a more specific message (e.g. the factor 2 is missing)."""

    def compare(value, ref, what, mistakes=(), **context):
        if not callable(value):
            raise _Wrong(f"{what} should be a function, got {type(value).__name__} {_short(value)}")
        failed = []
        for args in points:
            try:
                out = value(*args)
            except Exception as e:  # the student's function crashed: say where and how, do not raise
                raise _Wrong(f"your function raised {type(e).__name__}: {e} at {_args(args)}.")
            if out is None and args is points[0]:  # the stub's "return None": not answered yet
                raise _NotAnswered
            v = _number(out, f"its value at {_args(args)}")
            if not _close(v, ref(*args), rtol, atol):
                failed.append((args, v))
        if not failed:
            return f"{what} matches the solution at all {len(points)} test points"
        special = diagnose(value, ref, failed) if diagnose else None
        shown = ", ".join(f"{_args(a)} -> {_fmt(v)}" for a, v in failed[:3])
        raise _Wrong(f"wrong at {len(failed)} of {len(points)} test points, e.g. {shown}." + (f" {special}" if special else ""))

    return compare


def _args(args):
    def one(a):
        a = np.asarray(a)
        return _fmt(float(a)) if a.ndim == 0 else "(" + ", ".join(_fmt(float(t)) for t in a.ravel()) + ")"

    return one(args[0]) if len(args) == 1 else "(" + ", ".join(one(a) for a in args) + ")"


def yes_no(value, ref, what, mistakes=(), **context):
    """A yes/no answer: True or False."""
    if not isinstance(value, (bool, np.bool_)):
        raise _Wrong(f"{what} should be True or False, got {_short(value)}.")
    if bool(value) != ref:
        raise _Wrong(f"you answered {bool(value)}.")
    return f"{what}: {bool(value)}"


def names(value, ref, what, mistakes=(), **context):
    """A set of names, e.g. {"W"}: any iterable of strings (or one string), case-insensitive."""
    items = [value] if isinstance(value, str) else value
    try:
        got = {str(v).strip().upper() for v in items}
    except TypeError:
        raise _Wrong(f"{what} should be a list of names such as [\"W\", \"JS\"], got {_short(value)}.")
    want = {r.upper() for r in ref}
    if got != want:
        extra, missing = sorted(got - want), sorted(want - got)
        raise _Wrong(f"you gave {sorted(got)}" + (f"; {extra} should not be there" if extra else "")
                     + (f"; one is missing" if missing else "") + ".")
    return f"{what}: {sorted(got)}"


def segment(atol=1e-3):
    """An unordered pair of points (a, b) of R^2: array-like of shape (2, 2), compared in either order."""

    def compare(value, ref, what, mistakes=(), **context):
        try:
            v = np.asarray([np.asarray(t.detach() if hasattr(t, "detach") else t, dtype=float) for t in value])
        except (TypeError, ValueError):
            raise _Wrong(f"{what} should be two points (a, b) of R^2, got {_short(value)}.")
        if v.shape != (2, 2):
            raise _Wrong(f"{what} should be two points (a, b) of R^2, i.e. shape (2, 2); got shape {v.shape}.")
        r = np.asarray(ref)
        if min(np.abs(v - r).max(), np.abs(v[::-1] - r).max()) > atol:
            raise _Wrong(f"you gave a = {_args((v[0],))}, b = {_args((v[1],))}.")
        return f"{what}: a = {_args((v[0],))}, b = {_args((v[1],))}"

    return compare


def lipschitz_potential(value, ref, what, mistakes=(), p=None, q=None):
    """Exercise 3's dual potential f (K,): optimal iff |f_i - f_j| <= |i - j| and sum_i (p_i - q_i) f_i = W1."""
    try:
        f = np.asarray(value.detach() if hasattr(value, "detach") else value, dtype=float).ravel()
    except (TypeError, ValueError):
        raise _Wrong(f"{what} should be an array of K numbers, got {_short(value)}.")
    K = len(np.asarray(p))
    if f.shape != (K,):
        raise _Wrong(f"{what} should have one value per bin, shape ({K},); got shape {f.shape}.")
    i = np.arange(K)
    excess = np.abs(f[:, None] - f[None, :]) - np.abs(i[:, None] - i[None, :])
    if excess.max() > 1e-6:
        a, b = np.unravel_index(excess.argmax(), excess.shape)
        raise _Wrong(f"Your f is not 1-Lipschitz on the bins: |f_{a} - f_{b}| = {_fmt(abs(f[a] - f[b]))} > |{a} - {b}|.")
    gain = float((np.asarray(p, dtype=float) - np.asarray(q, dtype=float)) @ f)
    if abs(gain + ref) <= 1e-6 and ref > 1e-6:
        raise _Wrong(f"Your f gives sum_i (p_i - q_i) f_i = {_fmt(gain)} = -W1: the sign is flipped (use -f, or check which "
                     "histogram gets the + sign in the slide's dual).")
    if abs(gain - ref) > 1e-6:
        raise _Wrong(f"Your f is 1-Lipschitz but not optimal: sum_i (p_i - q_i) f_i = {_fmt(gain)} is below the maximum.")
    return f"{what} is 1-Lipschitz and reaches sum_i (p_i - q_i) f_i = {_fmt(gain)} = W1"


# ----------------------------------------------------------------------------- the answers

_rng = np.random.default_rng(0)
_SEGMENTS = ([(np.array([-1.0, 0.0]), np.array([1.0, 0.0])), (np.array([1.5, 0.0]), np.array([-1.5, 0.0])),
              (np.array([0.3, -1.0]), np.array([0.3, 2.0])), (np.array([0.5, 0.5]), np.array([0.5, 0.5]))]
             + [tuple(_rng.normal(0, 1.5, size=(2, 2))) for _ in range(8)])
_THETAS = [(t,) for t in (-2.0, -0.3, -1e-3, 0.0, 1e-3, 0.25, 1.0, 3.0)]
_D_POINTS = [(x, s) for s in (0.0, 0.25, 0.5, 0.75, 1.5) for x in (0.1, 0.4, 0.6, 0.9, 1.1, 1.3, 1.6, 2.2)
             if (0 < x < 1 or s < x < 1 + s) and min(abs(x - t) for t in (0, 1, s, 1 + s)) > 1e-9]
_SHIFTS = [(s,) for s in (0.0, 0.1, 0.25, 0.5, 0.9, 1.0, 1.5, 3.0, -0.3, -2.0)]
_XT = [tuple(_rng.normal(0, 1, size=(2, 2))) for _ in range(6)]


def _segment_diagnose(f, ref, failed):
    if any(a[0] > b[0] for (a, b), _ in failed) and all(a[0] > b[0] for (a, b), _ in failed):
        return "It fails only where a_1 > b_1: which end of the segment goes to y1 = (-1, 0) then?"
    if all(abs(v - ref(a, b) + np.sum((b - a) ** 2) / 12) < 1e-9 for (a, b), v in failed):
        return "Did you forget the spread of mu_theta around its mean (E|X|^2 is not |m|^2)?"
    return None


def _grad_diagnose(f, ref, failed):
    if all(abs(2 * v - ref(x, t)) < 1e-9 for (x, t), v in failed):
        return "Check the factor: grad_x |x - y|^2 = 2 (x - y)."
    if all(abs(v - ref(x, t) ** 2 / 4) < 1e-9 for (x, t), v in failed):
        return "That is |x - T(x)|^2: the norm of the gradient, not the cost."
    return None


ANSWERS = {
    # Exercise 1
    "ex1_js": Answer(
        "JS(mu, nu)", lambda: LOG2, number(rtol=1e-3),
        "Do the supports of mu and nu overlap? Where they do not, what is the optimal discriminator D* = q / (q + p), "
        "and what is sup_D L = 2 JS - log 4 then?",
        mistakes=[(lambda: 1.0, "That is JS with base-2 logarithms (bits); the slides use the natural log."),
                  (lambda: 0.0, "JS is 0 only when mu = nu.")]),
    "ex1_w1": Answer(
        "W1(mu, nu)", lambda: square_w1()["W1"], number(rtol=0, atol=1.5e-3),
        "Use the cost |x - y| (cost=\"euclidean\"), the weights nu = (1/2, 1/4, 1/4), and estimate H(psi) on many points "
        "of the square (e.g. a 400 x 400 grid): random samples add a Monte Carlo error of about 0.5 / sqrt(N).",
        mistakes=[(lambda: square_w1()["halves"], "That is the cost of sending the right half of the square to y1 and "
                   "the left quarters to y2, y3: a valid plan, but not the optimal one. For c = |x - y| the cell "
                   "boundaries are hyperbola branches, not the line x1 = 0.")]),
    # Exercise 2
    "ex2_W": Answer(
        "W(mu_theta, nu) as a function of (a, b)", lambda: w2_segment, function_of(_SEGMENTS, diagnose=_segment_diagnose),
        "Write X = a + U (b - a), U ~ U[0, 1]. The optimal map cuts the segment into two halves of mass 1/2 by a "
        "vertical line; then W = E|X|^2 + E|T(X)|^2 - 2 E<X, T(X)>."),
    "ex2_W_min": Answer(
        "min_theta W(mu_theta, nu)", lambda: w2_segment(*best_segment()), number(rtol=1e-3),
        "Minimise your formula: first in the midpoint m, then in the vertical and horizontal extents of b - a.",
        mistakes=[(lambda: 0.0, "mu_theta has a density on a segment: it can never equal two Dirac masses."),
                  (lambda: w2_segment([-1, 0], [1, 0]), "That is W for the segment [-1, 1]: stretching it further still helps.")]),
    "ex2_theta_star": Answer(
        "the optimal segment (a, b)", best_segment, segment(1e-3),
        "Set the derivative of your formula in (b_1 - a_1) to zero; the midpoint and b_2 - a_2 have obvious optima."),
    # Exercise 3 (data p, q passed by the notebook)
    "ex3_primal": Answer(
        "W1 by the primal LP (transport plan)", w1_cdf, number(rtol=1e-6, atol=1e-8),
        "Variables: the K^2 entries of P (flattened), cost |i - j|; equality constraints: row sums = p, column sums = q; "
        "bounds P >= 0. linprog minimises.", context=("p", "q")),
    "ex3_dual": Answer(
        "W1 by the dual LP (potential f)", w1_cdf, number(rtol=1e-6, atol=1e-8),
        "linprog minimises: maximise sum_i (p_i - q_i) f_i by minimising its negative, with inequality constraints "
        "f_i - f_j <= |i - j| for all i != j, and free bounds (None, None) (linprog's default is f >= 0).",
        context=("p", "q")),
    "ex3_potential": Answer(
        "the dual potential f", w1_cdf, lipschitz_potential,
        "f is the solution vector of your dual linear program (res.x).", context=("p", "q")),
    "ex3_cdf": Answer(
        "W1 by the CDF formula", w1_cdf, number(rtol=1e-9, atol=1e-12),
        "In 1D, W1 = integral of |F_p - F_q|: on bins of width 1 that is sum_k |P_k - Q_k| with the cumulative sums.",
        context=("p", "q")),
    # Exercise 4
    "ex4_W": Answer(
        "W(P_0, P_theta)", lambda: lambda t: parallel_lines(t)[0], function_of(_THETAS),
        "Every point (0, z) has to move to the other line: how far at least, and which plan achieves it?"),
    "ex4_JS": Answer(
        "JS(P_0, P_theta)", lambda: lambda t: parallel_lines(t)[1], function_of(_THETAS),
        "For theta != 0 the two lines are disjoint, however close: the optimal discriminator is 1 on one line and 0 "
        "on the other. And for theta = 0?"),
    "ex4_KL": Answer(
        "KL(P_theta | P_0)", lambda: lambda t: parallel_lines(t)[2], function_of(_THETAS),
        "KL(P | Q) is +inf as soon as P charges a set that Q does not (no density dP/dQ): return math.inf there."),
    "ex4_continuous": Answer(
        "the divergences continuous at theta = 0", lambda: {"W"}, names,
        "Look at your three functions as theta -> 0: which of them tend to their value at 0?"),
    # Exercise 5
    "ex5_D_star": Answer(
        "D*(x) for p = U[0, 1], q = U[s, 1 + s]", lambda: shifted_uniforms_D_star, function_of(_D_POINTS),
        "D* = q / (q + p): q is the density of the data nu, p that of the generator's mu_theta."),
    "ex5_JS": Answer(
        "JS(U[0, 1], U[s, 1 + s]) as a function of s", lambda: shifted_uniforms_js, function_of(_SHIFTS),
        "Split the line into: only p > 0, both, only q > 0. The mixture M = (p + q) / 2 is p / 2 or p there. "
        "And what happens when |s| > 1?"),
    "ex5_sup_L": Answer(
        "sup_D L(theta, D) for s = 1/2", lambda: 2 * shifted_uniforms_js(0.5) - math.log(4), number(rtol=1e-4),
        "sup_D L = 2 JS - log 4 (slides, 'Relation with Jensen-Shannon divergence').",
        mistakes=[(lambda: shifted_uniforms_js(0.5), "That is JS itself; the question asks for sup_D L = 2 JS - log 4.")]),
    "ex5_unit_gradient": Answer(
        "||grad psi^c|| = 1 a.e. for c = |x - y|^2", lambda: False, yes_no,
        "On the Laguerre cell of y_j, psi^c(x) = |x - y_j|^2 - psi_j: differentiate it."),
    "ex5_grad_norm": Answer(
        "||grad psi^c(x)|| for c = |x - y|^2, given x and T_psi(x)",
        lambda: lambda x, t: 2 * float(np.linalg.norm(np.asarray(x, dtype=float) - np.asarray(t, dtype=float))),
        function_of(_XT, diagnose=_grad_diagnose),
        "On the Laguerre cell of y_j = T_psi(x), psi^c(x) = |x - y_j|^2 - psi_j: its gradient in x is ...?"),
}


def reference(name, **context):
    """The reference answer of exercise ``name`` (a number, a function, ...), computed from its closed form."""
    a = _answer(name, context)
    return a.reference(**context)


def _answer(name, context):
    if name not in ANSWERS:
        raise ValueError(f"unknown exercise {name!r}; known: {', '.join(ANSWERS)}")
    a = ANSWERS[name]
    missing = [k for k in a.context if k not in context]
    if missing or set(context) - set(a.context):
        raise ValueError(f"check({name!r}, ...) needs the keywords {list(a.context)}, got {sorted(context)}")
    return a


def check(name, value, **context):
    """Print whether ``value`` answers exercise ``name``: right, wrong (with a hint) or not answered yet (None).

    Never raises on the value; returns None. ``context``: the exercise's data when its answer depends on it
    (Exercise 3: ``p=p, q=q``).
    """
    a = _answer(name, context)
    try:
        if value is None or value is Ellipsis:
            raise _NotAnswered
        ok = a.compare(value, a.reference(**context), a.what, mistakes=a.mistakes, **context)
    except _NotAnswered:
        print(f"⏳ {name}: not answered yet ({a.what}). Fill in the cell above, run it, then run this cell again.")
        return
    except _Wrong as e:
        message = str(e)
        print(f"❌ {name}: not right yet. {message[:1].upper() + message[1:]}")
        print(f"   Hint: {a.hint}")
        return
    print(f"✅ {name}: right — {ok}")
