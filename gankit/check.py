r"""Exercise checks: ``check(name, value)`` says whether an answer is right, wrong (with a hint) or not given yet.

Each exercise notebook calls it in the cell after the student's cell, e.g. ``check("ex1_js", js)``, and it shows
one line (right; not right yet, with a hint; not answered yet) with the record that grading reads
(``gankit.verdicts``). It never raises on an answer (None, a wrong type, a function that crashes: all are
messages), so that the exercise notebooks run top to bottom. Numbers, functions (evaluated at fixed test points) and
small sets are checked. The reference answers are computed below from the closed forms of the solutions
(``reference(name)`` returns them); where no closed form exists (Exercise 1's W1) by a quadrature accurate to 1e-9.
Some exercises depend on the notebook's data, passed as keywords: ``check("ex3_primal", P, p=p, q=q)``. The closed
forms asked as functions in Exercises 2 and 6 (``ex2_W``, ``ex6_W``) are compared to a relative 1e-9 (``EXACT``), so
that POT on the n <= 5,000 points of a segment a student can afford (low by |b - a|^2 / (12 n^2)) does not pass.

    >>> check("ex1_js", 0.5)                                       # doctest: +ELLIPSIS
    ❌ ex1_js: not right yet. You gave 0.5.
       Hint: ...
    >>> check("ex1_js", None)                                      # doctest: +ELLIPSIS
    ⏳ ex1_js: not answered yet (JS(mu, nu)). ...
"""
import math

import numpy as np

from .answers import Answer, function_of, lipschitz_potential, names, number, segment, semi_discrete_potential
from .answers import transport_plan
from .closedforms import LOG2, best_segment, parallel_lines, shifted_uniforms_D_star, shifted_uniforms_js, square_w1
from .closedforms import threshold_gradients, tilted_segment_grad_ot, tilted_segment_slopes, tilted_segment_w
from .closedforms import vertical_segment_psi_gap
from .closedforms import w1_cdf, w2_segment
from .verdicts import verdict


# ----------------------------------------------------------------------------- the answers

_rng = np.random.default_rng(0)
_SEGMENTS = ([(np.array([-1.0, 0.0]), np.array([1.0, 0.0])), (np.array([1.5, 0.0]), np.array([-1.5, 0.0])),
              (np.array([0.3, -1.0]), np.array([0.3, 2.0])), (np.array([0.5, 0.5]), np.array([0.5, 0.5])),
              (np.array([-2.0, 0.1]), np.array([2.0, -0.1]))]   # |b - a| ~ 4: POT's largest relative error, 4 / n^2
             + [tuple(_rng.normal(0, 1.5, size=(2, 2))) for _ in range(8)])
_THETAS = [(t,) for t in (-2.0, -0.3, -1e-3, 0.0, 1e-6, 1e-3, 0.25, 1.0, 3.0)]   # 1e-6: a JS ramped near 0 fails
_W_THETAS = [(w, t) for w in (1.0, 10.0, 100.0, 1000.0) for t in (0.01, 0.1, 0.5)]    # sharpness w, the lines' gap
_D_POINTS = [(x, s) for s in (-1.5, -0.3, 0.0, 0.25, 0.5, 0.75, 1.5)
             for x in (-1.2, -0.2, 0.1, 0.4, 0.6, 0.9, 1.1, 1.3, 1.6, 2.2)
             if (0 < x < 1 or s < x < 1 + s) and min(abs(x - t) for t in (0, 1, s, 1 + s)) > 1e-9]
_SHIFTS = [(s,) for s in (0.0, 0.1, 0.25, 0.5, 0.9, 1.0, 1.5, 3.0, -0.3, -2.0)]
_XT = [tuple(_rng.normal(0, 1, size=(2, 2))) for _ in range(6)]
_TILTS = [(s,) for s in (-2.0, -0.7, -1e-3, 0.0, 1e-3, 0.4, 1.5, 3.0)]
_CUTS = [(c,) for c in (0.0, 0.1, 0.25, 0.4, 0.5)]
_POSITIONS = [(t,) for t in (-1.0, -0.3, 0.0, 0.2, 0.5, 1.0)]
_HISTOGRAMS = [(np.array([1.0, 0.0, 0.0]), np.array([0.0, 0.0, 1.0])), (np.array([0.5, 0.5]), np.array([0.5, 0.5]))] + [
    tuple(h / h.sum() for h in _rng.integers(0, 6, size=(2, K)).astype(float) + 0.5) for K in (4, 7, 10, 10, 12)]


EXACT = dict(rtol=1e-9, atol=1e-12)   # closed forms at their test points: float64 rounding passes, POT on n points does not
NEAR = 1e-4                           # a relative error below it (and above EXACT's) is a near miss: ``_near_miss``


def _near_miss(ref, failed):
    """The message for values within ``NEAR`` (relative) of the reference at every failed point, but not within
    ``EXACT``: a numerical estimate, e.g. POT on n points of the segment (low by |b - a|^2 / (12 n^2): relative
    1.6e-7 at n = 5,000 for a test segment of length 4), or float32 arithmetic."""
    worst = max(abs(v - ref(*a)) / max(abs(ref(*a)), 1e-12) for a, v in failed)
    if worst < NEAR:
        return (f"Your values are within {worst:.1e} of the solution's (relative), not within the check's 1e-9: a "
                "numerical estimate (POT on n points), or float32 arithmetic? The question asks for the closed form, "
                "computed in float64.")
    return None


def _segment_diagnose(f, ref, failed):
    if message := _near_miss(ref, failed):
        return message
    if any(a[0] > b[0] for (a, b), _ in failed) and all(a[0] > b[0] for (a, b), _ in failed):
        return "It fails only where a_1 > b_1: which end of the segment goes to y1 = (-1, 0) then?"
    if all(abs(v - ref(a, b) + np.sum((b - a) ** 2) / 12) < 1e-9 for (a, b), v in failed):
        return "Did you forget the spread of mu_theta around its mean (E|X|^2 is not |m|^2)?"
    return None


def _grad_diagnose(f, ref, failed):
    if all(abs(2 * v - ref(x, t)) < 1e-9 for (x, t), v in failed):
        return "Check the factor: grad_x |x - y|^2 = 2 (x - y)."
    if all(abs(v - ref(x, t) ** 2 / 4) < 1e-9 for (x, t), v in failed):
        return "That is |x - T(x)|^2, the cost; the question asks for the norm of the gradient of psi^c."
    return None


def _bits_diagnose(f, ref, failed):
    if all(abs(v * LOG2 - ref(*a)) < 1e-9 for a, v in failed):
        return "That is JS with base-2 logarithms (bits); the slides use the natural log."
    return None


def _tilt_diagnose(f, ref, failed):
    if message := _near_miss(ref, failed):
        return message
    if all(a[0] < 0 for a, _ in failed):
        return "It fails only where s < 0: which half of the segment goes to y1 = (-1, 0) then?"
    if all(abs(v - ref(*a) + 1 / 3) < 1e-9 for a, v in failed):
        return "Did you forget the vertical spread of mu_s (E[X_2^2] = 1/3)?"
    return None


def _sign_or_factor(ref, failed, sign, factor):
    """The message ``sign`` when the student's values are -ref, ``factor`` when they are ref / 2 or ref / 4."""
    if all(abs(v + ref(*a)) < 1e-9 for a, v in failed):
        return sign
    if any(all(abs(k * v - ref(*a)) < 1e-9 for a, v in failed) for k in (2, 4)):
        return factor
    return None


def _grad_ot_diagnose(f, ref, failed):
    return _sign_or_factor(ref, failed, "Check the sign: y1 = (-1, 0) is on the left, and grad_x |x - y|^2 = 2 (x - y).",
                           "Check the factor: grad_x |x - y|^2 = 2 (x - y), and u = 2z - 1.")


def _gap_diagnose(f, ref, failed):
    return _sign_or_factor(ref, failed, "Check the sign: the cell of y1 = (-1, 0) is where |x - y1|^2 - psi_1 is the "
                           "smaller one.", "Check the factor: |x - y1|^2 - |x - y2|^2 = 4 x1.")


ANSWERS = {
    # Exercise 1
    "ex1_js": Answer(
        "JS(mu, nu)", lambda: LOG2, number(rtol=1e-3),
        "Is there a set A that nu charges fully and mu not at all (mu has a density, nu is atoms)? There the optimal "
        "discriminator D* = q / (q + p) is 1 on A and 0 elsewhere: what is sup_D L = 2 JS - log 4 then?",
        mistakes=[(lambda: 1.0, "That is JS with base-2 logarithms (bits); the slides use the natural log."),
                  (lambda: 0.0, "JS is 0 only when mu = nu.")]),
    "ex1_psi": Answer(
        "the potential psi", lambda **data: square_w1()["W1"], semi_discrete_potential,
        "psi is the averaged potential asgd returns, for the cost |x - y| (cost=\"euclidean\") and the weights "
        "nu = (1/2, 1/4, 1/4): its Laguerre cells must hold the masses nu and its H(psi) reach the maximum W1. Too few "
        "steps, or a step size gamma far from 1, leave it short.", context=("Y", "nu")),
    "ex1_w1_pot": Answer(
        "W1(mu, nu) by POT", lambda: square_w1()["W1"], number(rtol=0, atol=1.5e-3),
        "Discretise mu by the 100 x 100 grid (each point of mass 1 / 10,000), take the cost matrix ot.dist(x, Y, "
        "metric=\"euclidean\") (|x - y|, not its square) and the weights nu = (1/2, 1/4, 1/4), then ot.emd2.",
        mistakes=[(lambda: square_w1()["halves"], "That is the cost of the 'halves' plan, not the optimal one.")]),
    # Exercise 2
    "ex2_W": Answer(
        "W(mu_theta, nu) as a function of (a, b)", lambda: w2_segment, function_of(_SEGMENTS, **EXACT, diagnose=_segment_diagnose),
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
    "ex2_grad_norm": Answer(
        "||grad psi^c(x)|| for c = |x - y|^2, given x and T_psi(x)",
        lambda: lambda x, t: 2 * float(np.linalg.norm(np.asarray(x, dtype=float) - np.asarray(t, dtype=float))),
        function_of(_XT, diagnose=_grad_diagnose),
        "On the Laguerre cell of y_j = T_psi(x), psi^c(x) = |x - y_j|^2 - psi_j: its gradient in x is ...?"),
    # Exercise 3 (data p, q passed by the notebook)
    "ex3_primal": Answer(
        "the optimal plan P", w1_cdf, transport_plan,
        "Variables: the K^2 entries of P (flattened), cost |i - j|; equality constraints: row sums = p, column sums = q; "
        "bounds P >= 0. linprog minimises; P = res.x reshaped to K x K.", context=("p", "q")),
    "ex3_potential": Answer(
        "the dual potential f", w1_cdf, lipschitz_potential,
        "linprog minimises: maximise sum_i (p_i - q_i) f_i by minimising its negative, with inequality constraints "
        "f_i - f_j <= |i - j| for all i != j; f is the solution vector (res.x). Bounds: free (None, None), or "
        "linprog's default f >= 0, which gives the same optimum (sum_i (p_i - q_i) = 0, so f is defined up to a "
        "constant).", context=("p", "q")),
    "ex3_cdf": Answer(
        "W1(p, q) by the CDF formula, as a function of two histograms", lambda: w1_cdf,
        function_of(_HISTOGRAMS, rtol=1e-9, atol=1e-12),
        "In 1D, W1 = integral of |F_p - F_q|: on bins of width 1 that is sum_k |P_k - Q_k| with the cumulative sums "
        "(np.cumsum)."),
    # Exercise 4
    "ex4_W": Answer(
        "W(P_0, P_theta)", lambda: lambda t: parallel_lines(t)[0], function_of(_THETAS),
        "Every point (0, z) has to move to the other line: how far at least, and which plan achieves it?"),
    "ex4_JS": Answer(
        "JS(P_0, P_theta)", lambda: lambda t: parallel_lines(t)[1],
        function_of(_THETAS, rtol=1e-3, diagnose=_bits_diagnose),   # log 2 typed as 0.693 is right, as in ex1_js
        "For theta != 0 the two lines are disjoint, however close: the optimal discriminator is 1 on one line and 0 "
        "on the other. And for theta = 0?"),
    "ex4_KL": Answer(
        "KL(P_theta || P_0)", lambda: lambda t: parallel_lines(t)[2], function_of(_THETAS),
        "KL(P | Q) is +inf as soon as P charges a set that Q does not (no density dP/dQ): return math.inf there."),
    "ex4_TV": Answer(
        "TV(P_0, P_theta)", lambda: lambda t: parallel_lines(t)[3], function_of(_THETAS),
        "TV = sup over sets A of |P_0(A) - P_theta(A)|: for theta != 0, which set A separates the two lines?"),
    "ex4_continuous": Answer(
        "the divergences continuous at theta = 0", lambda: {"W"}, names,
        "Look at your four functions as theta -> 0: which of them tend to their value at 0?"),
    "ex4_saturating": Answer(
        "d/dtheta E[log(1 - D_w(g_theta(Z)))] at theta_0", lambda: lambda w, t: threshold_gradients(w, t)[0],
        function_of(_W_THETAS),
        "Write D_w(g_theta(z)) = sigmoid(w (theta_0 / 2 - theta)): it does not depend on z. Then "
        "d/du log(1 - sigmoid(u)) = -sigmoid(u), and du/dtheta = -w."),
    "ex4_non_saturating": Answer(
        "d/dtheta E[-log D_w(g_theta(Z))] at theta_0", lambda: lambda w, t: threshold_gradients(w, t)[1],
        function_of(_W_THETAS),
        "d/du (-log sigmoid(u)) = -(1 - sigmoid(u)) = -sigmoid(-u), with u = w (theta_0 / 2 - theta) and "
        "du/dtheta = -w."),
    # Exercise 5
    "ex5_D_star": Answer(
        "D*(x) for p = U[0, 1], q = U[s, 1 + s]", lambda: shifted_uniforms_D_star, function_of(_D_POINTS),
        "D* = q / (q + p): q is the density of the data nu, p that of the generator's mu_theta."),
    "ex5_JS": Answer(
        "JS(U[0, 1], U[s, 1 + s]) as a function of s", lambda: shifted_uniforms_js,
        function_of(_SHIFTS, rtol=1e-3, diagnose=_bits_diagnose),   # log 2 typed as 0.693 is right, as in ex4_JS
        "Split the line into: only p > 0, both, only q > 0. The mixture m = (p + q) / 2 is p / 2, p = q, then q / 2 there. "
        "And what happens when |s| > 1?"),
    "ex5_sup_L": Answer(
        "sup_D L(theta, D) for s = 1/4", lambda: 2 * shifted_uniforms_js(0.25) - math.log(4), number(rtol=1e-3),
        "sup_D L = 2 JS - log 4 (slides, 'Relation with Jensen-Shannon divergence').",
        mistakes=[(lambda: shifted_uniforms_js(0.25), "That is JS itself; the question asks for sup_D L = 2 JS - log 4."),
                  (lambda: -2 * shifted_uniforms_js(0.25), "That is -2 JS (a sign error), which at s = 1/4 is also "
                   "2 JS - log 2 (log 2 written for log 4): sup_D L = 2 JS - log 4.")]),
    # Exercise 6
    "ex6_W": Answer(
        "h(s) = W(mu_s, nu) for the segment [(-s, -1), (s, 1)]", lambda: tilted_segment_w,
        function_of(_TILTS, **EXACT, diagnose=_tilt_diagnose),
        "It is Exercise 2's formula with a = (-s, -1), b = (s, 1): the midpoint is 0 and b - a = (2s, 2)."),
    "ex6_right_derivative": Answer(
        "h'(0+)", lambda: tilted_segment_slopes()[0], number(rtol=1e-3),
        "Differentiate your h(s) for s > 0 and let s -> 0: the term |s| is s there.",
        mistakes=[(lambda: 0.0, "h is not differentiable at 0: the term |s| has different slopes on each side, and "
                   "the question asks for the slope on the right."),
                  (lambda: tilted_segment_slopes()[1], "That is the left derivative (s < 0, where |s| = -s).")]),
    "ex6_left_derivative": Answer(
        "h'(0-)", lambda: tilted_segment_slopes()[1], number(rtol=1e-3),
        "Differentiate your h(s) for s < 0 and let s -> 0: the term |s| is -s there.",
        mistakes=[(lambda: 0.0, "h is not differentiable at 0: the term |s| has different slopes on each side, and "
                   "the question asks for the slope on the left."),
                  (lambda: tilted_segment_slopes()[0], "That is the right derivative (s > 0, where |s| = s).")]),
    "ex6_grad_ot": Answer(
        "the (Grad-OT) formula at s = 0 for the assignment y1 on z in [c, c + 1/2]", lambda: tilted_segment_grad_ot,
        function_of(_CUTS, diagnose=_grad_ot_diagnose),
        "D_s g(s, z) = (2z - 1, 0) and grad_x c(x, y_j) = 2 (x - y_j) with x = (0, 2z - 1): the formula is "
        "E[(2Z - 1) * 2 * (0 - first coordinate of y_j(Z))]: integrate (2z - 1) times +2 on [c, c + 1/2], -2 elsewhere."),
    "ex6_psi_gap": Answer(
        "psi_1 - psi_2 for the segment [(t, -1), (t, 1)]", lambda: vertical_segment_psi_gap,
        function_of(_POSITIONS, diagnose=_gap_diagnose),
        "The cell of y1 is {x : 4 x1 <= psi_1 - psi_2}, and all the points of the segment have x1 = t. Write H as a "
        "function of delta = psi_1 - psi_2 (with psi_2 = 0): where is it largest?"),
    "ex6_hypothesis": Answer(
        "the hypotheses of the theorem that fail", lambda: {"interface"}, names,
        "Check them one by one on the tilts |s| < 1: at s = 0, is the maximiser of H unique (write H as a function of "
        "psi_1 - psi_2)? Which set do the Laguerre cells of psi = 0 share, and what is its mu_0-mass?"),
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

    Never raises on the value (unless grading, see ``gankit.verdicts.grading``); returns None. ``context``: the exercise's data when
    its answer depends on it (Exercise 3: ``p=p, q=q``).
    """
    a = _answer(name, context)
    verdict(name, a.what, a.hint, value,
            lambda v: a.compare(v, a.reference(**context), a.what, mistakes=a.mistakes, **context))
