r"""How an exercise answer is compared with its reference: numbers at a tolerance, functions at fixed test points,
yes/no answers, small sets, a segment, a 1-Lipschitz potential. Each comparer returns the text shown for a right
answer or raises ``Wrong`` (with what the student gave and, for known mistakes, what that value is) or
``NotAnswered``; ``verdict`` prints the line a check shows. ``gankit.check`` holds the exercises' table of answers
and ``check()``. Each comparer carries its ``spec`` (kind, tolerances, test points), from which ``gankit.release``
makes the one-way form of an answer for the student release; the ``_read_*`` helpers, shared with it, turn a
student's value into what is compared.

    >>> compare = number(rtol=1e-3)            # |value - ref| <= 1e-6 + 1e-3 |ref|
    >>> compare(3.1416, math.pi, "pi")
    'pi = 3.1416'
    >>> compare(3.0, math.pi, "pi")
    Traceback (most recent call last):
    ...
    gankit.answers.Wrong: you gave 3.
"""
import math
import os
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


def grading():
    """True when ``GANKIT_GRADE=1``: a check then fails (AssertionError) on a wrong or missing answer, so that
    ``pytest --nbval-lax`` on a submitted notebook fails exactly on its wrong answers."""
    return os.environ.get("GANKIT_GRADE", "0") not in ("", "0", "false", "False")


def verdict(name, what, hint, value, compare):
    """Print the line of check ``name``: right (the text ``compare(value)`` returns), not right yet (``Wrong``, with
    the hint) or not answered yet (None, Ellipsis or ``NotAnswered``). Raises AssertionError on the last two when
    ``grading()``."""
    try:
        if value is None or value is Ellipsis:
            raise NotAnswered
        lines, right = [f"✅ {name}: right — {compare(value)}"], True
    except NotAnswered:
        lines, right = [f"⏳ {name}: not answered yet ({what}). Fill in the cell above, run it, then run this cell "
                        "again."], False
    except Wrong as e:
        message = str(e)
        lines, right = [f"❌ {name}: not right yet. {message[:1].upper() + message[1:]}", f"   Hint: {hint}"], False
    print("\n".join(lines))
    if grading() and not right:
        raise AssertionError("\n".join(lines))


def number(rtol=1e-4, atol=1e-6):
    """Compare a number with the reference: |value - ref| <= atol + rtol |ref| (exact for infinities)."""

    def compare(value, ref, what, mistakes=(), **context):
        v = _number(value, what)
        if _close(v, ref, rtol, atol):
            return f"{what} = {_fmt(v)}"
        for wrong, message in mistakes:
            if _close(v, wrong(**context), rtol, atol):
                raise Wrong(f"you gave {_fmt(v)}. {message}")
        raise Wrong(f"you gave {_fmt(v)}.")

    compare.spec = dict(kind="number", rtol=rtol, atol=atol)
    return compare


def function_of(points, rtol=1e-6, atol=1e-9, diagnose=None):
    """Compare a function with the reference function at the test ``points`` (a list of argument tuples).
    ``diagnose(f, ref, failed)`` may return a more specific message (e.g. the factor 2 is missing)."""

    def compare(value, ref, what, mistakes=(), **context):
        got = _read_values_at(value, points, what)
        failed = [(args, v) for args, v in zip(points, got) if not _close(v, ref(*args), rtol, atol)]
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


def yes_no(value, ref, what, mistakes=(), **context):
    """A yes/no answer: True or False."""
    got = _read_yes_no(value, what)
    if got != ref:
        raise Wrong(f"you answered {got}.")
    return f"{what}: {got}"


def _read_yes_no(value, what):
    if not isinstance(value, (bool, np.bool_)):
        raise Wrong(f"{what} should be True or False, got {_short(value)}.")
    return bool(value)


def names(value, ref, what, mistakes=(), **context):
    """A set of names, e.g. {"W"}: any iterable of strings (or one string), case-insensitive."""
    got = _read_names(value, what)
    want = {r.upper() for r in ref}
    if got != want:
        extra, missing = sorted(got - want), sorted(want - got)
        raise Wrong(f"you gave {sorted(got)}" + (f"; {extra} should not be there" if extra else "")
                     + (f"; one is missing" if missing else "") + ".")
    return f"{what}: {sorted(got)}"


def _read_names(value, what):
    items = [value] if isinstance(value, str) else value
    try:
        return {str(v).strip().upper() for v in items}
    except TypeError:
        raise Wrong(f"{what} should be a list of names such as [\"W\", \"JS\"], got {_short(value)}.")


yes_no.spec, names.spec = dict(kind="yes_no"), dict(kind="names")


def segment(atol=1e-3):
    """An unordered pair of points (a, b) of R^2: array-like of shape (2, 2), compared in either order."""

    def compare(value, ref, what, mistakes=(), **context):
        v = _read_segment(value, what)
        r = np.asarray(ref)
        if min(np.abs(v - r).max(), np.abs(v[::-1] - r).max()) > atol:
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
    """Exercise 3's dual potential f (K,): optimal iff |f_i - f_j| <= |i - j| and sum_i (p_i - q_i) f_i = W1."""
    gain = _read_potential_gain(value, what, p, q)
    if abs(gain + ref) <= POTENTIAL_ATOL and ref > POTENTIAL_ATOL:
        raise Wrong(FLIPPED.format(_fmt(gain)))
    if abs(gain - ref) > POTENTIAL_ATOL:
        raise Wrong(NOT_OPTIMAL.format(_fmt(gain)))
    return POTENTIAL_RIGHT.format(what, _fmt(gain))


lipschitz_potential.spec = dict(kind="lipschitz_potential", rtol=0.0, atol=POTENTIAL_ATOL)


def _read_potential_gain(value, what, p, q):
    """sum_i (p_i - q_i) f_i for the student's potential f, after checking its shape and that it is 1-Lipschitz."""
    try:
        f = np.asarray(value.detach() if hasattr(value, "detach") else value, dtype=float).ravel()
    except (TypeError, ValueError):
        raise Wrong(f"{what} should be an array of K numbers, got {_short(value)}.")
    K = len(np.asarray(p))
    if f.shape != (K,):
        raise Wrong(f"{what} should have one value per bin, shape ({K},); got shape {f.shape}.")
    if not np.isfinite(f).all():
        raise Wrong(f"{what} should be finite numbers, got {_short(value)}.")
    i = np.arange(K)
    excess = np.abs(f[:, None] - f[None, :]) - np.abs(i[:, None] - i[None, :])
    if excess.max() > POTENTIAL_ATOL:
        a, b = np.unravel_index(excess.argmax(), excess.shape)
        raise Wrong(f"Your f is not 1-Lipschitz on the bins: |f_{a} - f_{b}| = {_fmt(abs(f[a] - f[b]))} > |{a} - {b}|.")
    return float((np.asarray(p, dtype=float) - np.asarray(q, dtype=float)) @ f)
