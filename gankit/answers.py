r"""How an exercise answer is compared with its reference: numbers at a tolerance, functions at fixed test points,
small sets, a segment, a 1-Lipschitz potential. Each comparer returns the text shown for a right
answer or raises ``Wrong`` (with what the student gave and, for known mistakes, what that value is) or
``NotAnswered`` (``gankit.verdicts`` turns that into the line a check shows, and its record). ``gankit.check`` holds
the exercises' table of answers and ``check()``. Each comparer carries its ``spec`` (kind, tolerances, test points;
``from_spec`` makes the comparer again) and compares through ``near`` and ``same``, so that the reference it is
given may be the number (set, function, ...) or its one-way form (``gankit.oneway``, the student release's checker).

    >>> compare = number(rtol=1e-3)            # |value - ref| <= 1e-6 + 1e-3 |ref|
    >>> compare(3.1416, math.pi, "pi")
    'pi = 3.1416'
    >>> compare(3.0, math.pi, "pi")
    Traceback (most recent call last):
    ...
    gankit.answers.Wrong: you gave 3.
"""
import math
from dataclasses import dataclass, field

import numpy as np


class Wrong(Exception):
    """A wrong answer, with the message to show (raised inside a comparison, caught by ``check``)."""


class NotAnswered(Exception):
    """A function stub that still returns None."""


def _number(value, what="the answer"):
    """value as a float (int, float, numpy or torch scalar, array of one element); Wrong otherwise."""
    if isinstance(value, (bool, np.bool_)):
        raise Wrong(f"{what} should be a number, not {value!r}")
    try:
        v = np.asarray(value.detach().cpu() if hasattr(value, "detach") else value, dtype=float)
    except (TypeError, ValueError):
        raise Wrong(f"{what} should be a number, got {type(value).__name__} {_short(value)}")
    if v.size != 1:
        raise Wrong(f"{what} should be one number, got an array of shape {v.shape}")
    v = float(v.reshape(()))
    if math.isnan(v):
        raise Wrong(f"{what} is nan")
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


def near(values, ref, rtol, atol):
    """Whether each number of ``values`` is within tolerance of the reference number at its place in ``ref``:
    |v - r| <= atol + rtol |r| (exact for infinities). A reference in one-way form (an object with ``admits``,
    ``gankit.oneway.Sealed``) says itself whether it admits ``values``.

    >>> near([3.1416], math.pi, 1e-3, 0), near([1.0, 2.5], [1.0, 2.0], 0, 0.1)
    (True, False)
    """
    if hasattr(ref, "admits"):
        return ref.admits([float(v) for v in values])
    return all(_close(float(v), float(r), rtol, atol) for v, r in zip(values, np.ravel(ref), strict=True))


def as_text(got):
    """A set of names as the text a one-way reference hashes: "JS,W"."""
    return ",".join(sorted(str(n).upper() for n in got))


def same(got, ref):
    """Whether a set of names (upper case) equals the reference, or is admitted by its one-way
    form (which hashes ``as_text(got)``)."""
    return ref.admits(as_text(got)) if hasattr(ref, "admits") else got == ref


@dataclass
class Answer:
    """One checked answer. ``reference(**context)`` computes it; ``compare(value, ref, **context)`` returns the text
    shown when right, or raises Wrong(message); ``hint`` is shown under a wrong answer; ``what`` names it in the
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
        if near([v], ref, rtol, atol):
            return f"{what} = {_fmt(v)}"
        for wrong, message in mistakes:
            if near([v], wrong(**context), rtol, atol):
                raise Wrong(f"you gave {_fmt(v)}. {message}")
        raise Wrong(f"you gave {_fmt(v)}.")

    compare.spec = dict(kind="number", rtol=rtol, atol=atol)
    return compare


def function_of(points, rtol=1e-6, atol=1e-9, diagnose=None):
    """Compare a function with the reference function at the test ``points`` (a list of argument tuples).
    ``diagnose(f, ref, failed)`` may return a more specific message (e.g. the factor 2 is missing)."""

    def compare(value, ref, what, mistakes=(), **context):
        got = _read_values_at(value, points, what)
        failed = [(args, v) for args, v in zip(points, got) if not near([v], ref(*args), rtol, atol)]
        return _function_result(what, points, failed, diagnose(value, ref, failed) if diagnose and failed else None)

    compare.spec = dict(kind="function_of", points=points, rtol=rtol, atol=atol)
    return compare


def _read_values_at(value, points, what):
    """The student's function ``value`` at the test points, as floats (Wrong when it is no function or crashes,
    NotAnswered when the stub returns None at the first point)."""
    if not callable(value):
        raise Wrong(f"{what} should be a function, got {type(value).__name__} {_short(value)}")
    got = []
    for args in points:
        try:
            out = value(*args)
        except Exception as e:  # the student's function crashed: say where and how, do not raise
            raise Wrong(f"your function raised {type(e).__name__}: {e} at {_args(args)}.")
        if out is None and args is points[0]:  # the stub's "return None": not answered yet
            raise NotAnswered
        got.append(_number(out, f"its value at {_args(args)}"))
    return got


def _function_result(what, points, failed, special=None):
    """The text for a function right at every test point, or Wrong listing the ``failed`` (args, value) pairs."""
    if not failed:
        return f"{what} matches the solution at all {len(points)} test points"
    shown = ", ".join(f"{_args(a)} -> {_fmt(v)}" for a, v in failed[:3])
    raise Wrong(f"wrong at {len(failed)} of {len(points)} test points, e.g. {shown}." + (f" {special}" if special else ""))


def _args(args):
    def one(a):
        a = np.asarray(a)
        return _fmt(float(a)) if a.ndim == 0 else "(" + ", ".join(_fmt(float(t)) for t in a.ravel()) + ")"

    return one(args[0]) if len(args) == 1 else "(" + ", ".join(one(a) for a in args) + ")"


def names(value, ref, what, mistakes=(), **context):
    """A set of names, e.g. {"W"}: any iterable of strings (or one string), case-insensitive."""
    got = _read_names(value, what)
    want = ref if hasattr(ref, "admits") else {r.upper() for r in ref}
    if not same(got, want):
        extra, missing = (sorted(got - want), sorted(want - got)) if isinstance(want, set) else ([], [])
        raise Wrong(f"you gave {sorted(got)}" + (f"; {extra} should not be there" if extra else "")
                     + (f"; one is missing" if missing else "") + ".")
    return f"{what}: {sorted(got)}"


def _read_names(value, what):
    items = [value] if isinstance(value, str) else value
    try:
        return {str(v).strip().upper() for v in items}
    except TypeError:
        raise Wrong(f"{what} should be a list of names such as [\"W\", \"JS\"], got {_short(value)}.")


names.spec = dict(kind="names")


def segment(atol=1e-3):
    """An unordered pair of points (a, b) of R^2: array-like of shape (2, 2), compared in either order."""

    def compare(value, ref, what, mistakes=(), **context):
        v = _read_segment(value, what)
        if not (near(v.ravel(), ref, 0.0, atol) or near(v[::-1].ravel(), ref, 0.0, atol)):
            raise Wrong(f"you gave a = {_args((v[0],))}, b = {_args((v[1],))}.")
        return f"{what}: a = {_args((v[0],))}, b = {_args((v[1],))}"

    compare.spec = dict(kind="segment", rtol=0.0, atol=atol)
    return compare


def _read_segment(value, what):
    """The student's segment as an array (2, 2): rows a and b."""
    try:
        v = np.asarray([np.asarray(t.detach() if hasattr(t, "detach") else t, dtype=float) for t in value])
    except (TypeError, ValueError):
        raise Wrong(f"{what} should be two points (a, b) of R^2, got {_short(value)}.")
    if v.shape != (2, 2):
        raise Wrong(f"{what} should be two points (a, b) of R^2, i.e. shape (2, 2); got shape {v.shape}.")
    if not np.isfinite(v).all():
        raise Wrong(f"{what} should be finite numbers, got a = {_args((v[0],))}, b = {_args((v[1],))}.")
    return v


POTENTIAL_ATOL = 1e-6   # lipschitz_potential's tolerance on the Lipschitz constraints and on sum_i (p_i - q_i) f_i
FLIPPED = ("Your f gives sum_i (p_i - q_i) f_i = {} = -W1: the sign is flipped (use -f, or check which histogram gets "
           "the + sign in the slide's dual).")
NOT_OPTIMAL = "Your f is 1-Lipschitz but not optimal: sum_i (p_i - q_i) f_i = {} is below the maximum."
POTENTIAL_RIGHT = "{} is 1-Lipschitz and reaches sum_i (p_i - q_i) f_i = {} = W1"


def lipschitz_potential(value, ref, what, mistakes=(), p=None, q=None):
    """Exercise 3's dual potential f (K,): optimal iff |f_i - f_j| <= |i - j| and sum_i (p_i - q_i) f_i = W1 (ref);
    -W1 is a flipped sign."""
    gain = _read_potential_gain(value, what, p, q)
    if near([gain], ref, 0.0, POTENTIAL_ATOL):
        return POTENTIAL_RIGHT.format(what, _fmt(gain))
    raise Wrong((FLIPPED if near([-gain], ref, 0.0, POTENTIAL_ATOL) else NOT_OPTIMAL).format(_fmt(gain)))


lipschitz_potential.spec = dict(kind="lipschitz_potential", rtol=0.0, atol=POTENTIAL_ATOL)


def _read_array(value, what, shape, kind, shape_text):
    """The student's ``value`` as a finite float array of ``shape`` (a torch tensor detached and moved to the CPU; a
    vector flattened), or Wrong: it should be ``kind`` ("an array of K numbers") and have ``shape_text``."""
    try:
        a = np.asarray(value.detach().cpu() if hasattr(value, "detach") else value, dtype=float)
    except (TypeError, ValueError):
        raise Wrong(f"{what} should be {kind}, got {_short(value)}.")
    a = a.ravel() if len(shape) == 1 else a
    if a.shape != shape:
        raise Wrong(f"{what} should have {shape_text}; got shape {a.shape}.")
    if not np.isfinite(a).all():
        raise Wrong(f"{what} should be finite numbers, got {_short(value)}.")
    return a


def _read_potential_gain(value, what, p, q):
    """sum_i (p_i - q_i) f_i for the student's potential f, after checking its shape and that it is 1-Lipschitz."""
    K = len(np.asarray(p))
    f = _read_array(value, what, (K,), "an array of K numbers", f"one value per bin, shape ({K},)")
    i = np.arange(K)
    excess = np.abs(f[:, None] - f[None, :]) - np.abs(i[:, None] - i[None, :])
    if excess.max() > POTENTIAL_ATOL:
        a, b = np.unravel_index(excess.argmax(), excess.shape)
        raise Wrong(f"Your f is not 1-Lipschitz on the bins: |f_{a} - f_{b}| = {_fmt(abs(f[a] - f[b]))} > |{a} - {b}|.")
    return float((np.asarray(p, dtype=float) - np.asarray(q, dtype=float)) @ f)


PLAN_ATOL = 1e-6   # transport_plan's tolerance on P >= 0, its marginals and its cost
NOT_A_PLAN = "Your P is not a transport plan of p to q: {}."
PLAN_NOT_OPTIMAL = "Your P is a transport plan but not an optimal one: its cost sum_ij P_ij |i - j| = {} is above the minimum."
PLAN_RIGHT = "{} is a transport plan of p to q of cost sum_ij P_ij |i - j| = {} = W1"


def transport_plan(value, ref, what, mistakes=(), p=None, q=None):
    """Exercise 3's primal plan P (K, K): optimal iff P >= 0, sum_j P_ij = p_i, sum_i P_ij = q_j and
    sum_ij P_ij |i - j| = W1 (ref), each to ``PLAN_ATOL``."""
    cost = _read_plan_cost(value, what, p, q)
    if near([cost], ref, 0.0, PLAN_ATOL):
        return PLAN_RIGHT.format(what, _fmt(cost))
    raise Wrong(PLAN_NOT_OPTIMAL.format(_fmt(cost)))


transport_plan.spec = dict(kind="transport_plan", rtol=0.0, atol=PLAN_ATOL)


def _read_plan_cost(value, what, p, q):
    """sum_ij P_ij |i - j| for the student's plan P, after checking its shape, signs and marginals."""
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    K = len(p)
    P = _read_array(value, what, (K, K), "a K x K array", f"shape ({K}, {K}) (row i: the mass leaving bin i)")
    for bad, text in ((P.min() < -PLAN_ATOL, f"it has a negative entry ({_fmt(P.min())})"),
                      (np.abs(P.sum(1) - p).max() > PLAN_ATOL, "its row sums are not p (sum_j P_ij = p_i)"),
                      (np.abs(P.sum(0) - q).max() > PLAN_ATOL, "its column sums are not q (sum_i P_ij = q_j)")):
        if bad:
            raise Wrong(NOT_A_PLAN.format(text))
    i = np.arange(K)
    return float((P * np.abs(i[:, None] - i[None, :])).sum())


SEMI_DUAL_ATOL = 1.5e-3   # semi_discrete_potential's tolerance on H(psi) (Exercise 1's quadrature is exact to ~1e-6)
SEMI_DUAL_GRID = 1000     # the midpoint rule's n x n grid of the square
CELL_MASS_ATOL = 0.01     # semi_discrete_potential's tolerance on each cell's mass mu(L_psi(y_j)) against nu_j


def square_semi_dual(psi, Y, nu, n=SEMI_DUAL_GRID, masses=False):
    r"""Exercise 1's semi-dual H(psi) = E_mu[min_j |X - y_j| - psi_j] + sum_j nu_j psi_j for mu uniform on the square
    {|x1| + |x2| <= 1}: ``semidiscrete.semi_dual`` (cost |x - y|, float64) on the n x n midpoint grid of
    [-1/2, 1/2]^2 turned by 45 degrees, (u, v) -> (u - v, u + v) (a linear map: the grid's points carry equal mass).
    psi (J,), Y (J, 2), nu (J,). ``masses=True`` also returns the Laguerre cells' masses mu(L_psi(y_j)) on that grid
    (``semidiscrete.cell_masses``), (J,).

    >>> round(square_semi_dual([0.0], [[0.0, 0.0]], [1.0]), 4)    # E|X| for X uniform on the square
    0.5411
    """
    from .semidiscrete import cell_masses, semi_dual   # torch only when an Exercise 1 answer is checked

    psi, Y, nu = (np.asarray(a, dtype=float) for a in (psi, Y, nu))
    g = (np.arange(n) + 0.5) / n - 0.5
    u, v = np.meshgrid(g, g, indexing="ij")
    x = np.stack([(u - v).ravel(), (u + v).ravel()], 1)
    H = float(semi_dual(psi, x, Y, nu, cost="euclidean"))
    if not masses:
        return H
    return H, cell_masses(psi, x, Y, cost="euclidean").numpy()


def semi_discrete_potential(value, ref, what, mistakes=(), Y=None, nu=None):
    """Exercise 1's potential psi (J,) for mu uniform on the square and nu = sum_j nu_j delta_(y_j), cost |x - y|:
    (near) optimal iff each Laguerre cell holds its mass nu_j to ``CELL_MASS_ATOL`` and H(psi) (``square_semi_dual``)
    is within ``SEMI_DUAL_ATOL`` of W1 (ref); H(psi) <= W1 always, and H is flat near its maximum, so the masses are
    the sharper test."""
    J = len(nu)
    psi = _read_array(value, what, (J,), f"an array of {J} numbers", f"one value per atom y_j, shape ({J},)")
    H, masses = square_semi_dual(psi, Y, nu, masses=True)
    nu = np.asarray(nu, dtype=float)
    if np.abs(masses - nu).max() > CELL_MASS_ATOL:   # H is flat near its maximum: the masses tell a psi that is off
        shown = ", ".join(f"{m:.3f}" for m in masses)
        raise Wrong(f"your psi's Laguerre cells hold the masses {shown} of mu, not nu = "
                    f"{', '.join(f'{v:g}' for v in nu)} (to {CELL_MASS_ATOL:g}): not optimal yet.")
    if near([H], ref, 0.0, SEMI_DUAL_ATOL):
        return f"{what} reaches H(psi) = {_fmt(H)} = W1 (within {SEMI_DUAL_ATOL:g}), its cells the masses nu"
    raise Wrong(f"your psi gives H(psi) = {_fmt(H)}, below the maximum W1 of H: not optimal yet.")


semi_discrete_potential.spec = dict(kind="semi_discrete_potential", rtol=0.0, atol=SEMI_DUAL_ATOL)


def from_spec(spec):
    """The comparer that ``spec`` (a comparer's ``.spec``) describes: how the student release's checker
    (``gankit.oneway``) makes the same comparers from its table.

    >>> from_spec(number(rtol=1e-3).spec)(3.1416, math.pi, "pi")
    'pi = 3.1416'
    """
    made = {"number": lambda: number(spec["rtol"], spec["atol"]),
            "function_of": lambda: function_of(spec["points"], spec["rtol"], spec["atol"]),
            "segment": lambda: segment(spec["atol"]), "names": lambda: names,
            "lipschitz_potential": lambda: lipschitz_potential, "transport_plan": lambda: transport_plan,
            "semi_discrete_potential": lambda: semi_discrete_potential}
    return made[spec["kind"]]()
