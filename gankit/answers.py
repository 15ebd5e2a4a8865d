r"""How an exercise answer is compared with its reference: numbers at a tolerance, functions at fixed test points,
yes/no answers, small sets, a segment, a 1-Lipschitz potential. Each comparer returns the text shown for a right
answer or raises ``Wrong`` (with what the student gave and, for known mistakes, what that value is) or
``NotAnswered``. ``gankit.check`` holds the exercises' table of answers and ``check()``.

    >>> compare = number(rtol=1e-3)            # |value - ref| <= 1e-6 + 1e-3 |ref|
    >>> compare(0.6931, math.log(2), "JS")
    'JS = 0.6931'
    >>> compare(1.0, math.log(2), "JS")
    Traceback (most recent call last):
    ...
    gankit.answers.Wrong: you gave 1.
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
        if _close(v, ref, rtol, atol):
            return f"{what} = {_fmt(v)}"
        for wrong, message in mistakes:
            if _close(v, wrong(**context), rtol, atol):
                raise Wrong(f"you gave {_fmt(v)}. {message}")
        raise Wrong(f"you gave {_fmt(v)}.")

    return compare


def function_of(points, rtol=1e-6, atol=1e-9, diagnose=None):
    """Compare a function with the reference function at the test ``points`` (a list of argument tuples).
    ``diagnose(f, ref, failed)`` may return a more specific message (e.g. the factor 2 is missing)."""

    def compare(value, ref, what, mistakes=(), **context):
        if not callable(value):
            raise Wrong(f"{what} should be a function, got {type(value).__name__} {_short(value)}")
        failed = []
        for args in points:
            try:
                out = value(*args)
            except Exception as e:  # the student's function crashed: say where and how, do not raise
                raise Wrong(f"your function raised {type(e).__name__}: {e} at {_args(args)}.")
            if out is None and args is points[0]:  # the stub's "return None": not answered yet
                raise NotAnswered
            v = _number(out, f"its value at {_args(args)}")
            if not _close(v, ref(*args), rtol, atol):
                failed.append((args, v))
        if not failed:
            return f"{what} matches the solution at all {len(points)} test points"
        special = diagnose(value, ref, failed) if diagnose else None
        shown = ", ".join(f"{_args(a)} -> {_fmt(v)}" for a, v in failed[:3])
        raise Wrong(f"wrong at {len(failed)} of {len(points)} test points, e.g. {shown}." + (f" {special}" if special else ""))

    return compare


def _args(args):
    def one(a):
        a = np.asarray(a)
        return _fmt(float(a)) if a.ndim == 0 else "(" + ", ".join(_fmt(float(t)) for t in a.ravel()) + ")"

    return one(args[0]) if len(args) == 1 else "(" + ", ".join(one(a) for a in args) + ")"


def yes_no(value, ref, what, mistakes=(), **context):
    """A yes/no answer: True or False."""
    if not isinstance(value, (bool, np.bool_)):
        raise Wrong(f"{what} should be True or False, got {_short(value)}.")
    if bool(value) != ref:
        raise Wrong(f"you answered {bool(value)}.")
    return f"{what}: {bool(value)}"


def names(value, ref, what, mistakes=(), **context):
    """A set of names, e.g. {"W"}: any iterable of strings (or one string), case-insensitive."""
    items = [value] if isinstance(value, str) else value
    try:
        got = {str(v).strip().upper() for v in items}
    except TypeError:
        raise Wrong(f"{what} should be a list of names such as [\"W\", \"JS\"], got {_short(value)}.")
    want = {r.upper() for r in ref}
    if got != want:
        extra, missing = sorted(got - want), sorted(want - got)
        raise Wrong(f"you gave {sorted(got)}" + (f"; {extra} should not be there" if extra else "")
                     + (f"; one is missing" if missing else "") + ".")
    return f"{what}: {sorted(got)}"


def segment(atol=1e-3):
    """An unordered pair of points (a, b) of R^2: array-like of shape (2, 2), compared in either order."""

    def compare(value, ref, what, mistakes=(), **context):
        try:
            v = np.asarray([np.asarray(t.detach() if hasattr(t, "detach") else t, dtype=float) for t in value])
        except (TypeError, ValueError):
            raise Wrong(f"{what} should be two points (a, b) of R^2, got {_short(value)}.")
        if v.shape != (2, 2):
            raise Wrong(f"{what} should be two points (a, b) of R^2, i.e. shape (2, 2); got shape {v.shape}.")
        r = np.asarray(ref)
        if min(np.abs(v - r).max(), np.abs(v[::-1] - r).max()) > atol:
            raise Wrong(f"you gave a = {_args((v[0],))}, b = {_args((v[1],))}.")
        return f"{what}: a = {_args((v[0],))}, b = {_args((v[1],))}"

    return compare


def lipschitz_potential(value, ref, what, mistakes=(), p=None, q=None):
    """Exercise 3's dual potential f (K,): optimal iff |f_i - f_j| <= |i - j| and sum_i (p_i - q_i) f_i = W1."""
    try:
        f = np.asarray(value.detach() if hasattr(value, "detach") else value, dtype=float).ravel()
    except (TypeError, ValueError):
        raise Wrong(f"{what} should be an array of K numbers, got {_short(value)}.")
    K = len(np.asarray(p))
    if f.shape != (K,):
        raise Wrong(f"{what} should have one value per bin, shape ({K},); got shape {f.shape}.")
    i = np.arange(K)
    excess = np.abs(f[:, None] - f[None, :]) - np.abs(i[:, None] - i[None, :])
    if excess.max() > 1e-6:
        a, b = np.unravel_index(excess.argmax(), excess.shape)
        raise Wrong(f"Your f is not 1-Lipschitz on the bins: |f_{a} - f_{b}| = {_fmt(abs(f[a] - f[b]))} > |{a} - {b}|.")
    gain = float((np.asarray(p, dtype=float) - np.asarray(q, dtype=float)) @ f)
    if abs(gain + ref) <= 1e-6 and ref > 1e-6:
        raise Wrong(f"Your f gives sum_i (p_i - q_i) f_i = {_fmt(gain)} = -W1: the sign is flipped (use -f, or check which "
                     "histogram gets the + sign in the slide's dual).")
    if abs(gain - ref) > 1e-6:
        raise Wrong(f"Your f is 1-Lipschitz but not optimal: sum_i (p_i - q_i) f_i = {_fmt(gain)} is below the maximum.")
    return f"{what} is 1-Lipschitz and reaches sum_i (p_i - q_i) f_i = {_fmt(gain)} = W1"
