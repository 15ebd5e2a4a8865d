r"""Answers in one-way form, and the student release's checker that compares with them.

The student release (``gankit.release``) holds no readable reference answer: ``seal`` writes, for every answer of
``gankit.check.ANSWERS``, salted hashes of where its reference lies (the table ``oneway.json``), and ``check``
compares a student's value with them, through the same comparers as the instructor's check (``gankit.answers``,
given the references as ``Sealed``), with the same lines (``gankit.verdicts``). This module imports neither
nbformat nor nbclient: a student's kernel needs only the kit.

The rule. A reference number r checked at tolerance tau(r) = atol + rtol |r| (``gankit.answers``) is stored as
sha256(salt, exercise, data, point, j, k) for its cell k = floor(r / h_j) on the grid of width h_j = 1.01^j, for each
j that a value within tau(r) of r can have. A value v is accepted iff one of the cells floor(v / h_j) + (-1, 0, 1)
hashes to a stored key, at j = ceil(log_1.01(tau(v) / (1 - rtol))): then h_j >= tau(v) / (1 - rtol) >= tau(r)
whenever |v - r| <= tau(r). Hence
- |v - r| <= tau(r)  =>  accepted: every answer the instructor's checker accepts is accepted;
- accepted  =>  |v - r| < 2 h_j < 2.02 tau(v) / (1 - rtol): nothing beyond about twice that tolerance.
Infinities are the tokens "inf", "-inf"; sets of names are hashed as their text; a function at
each test point (the message still says at how many points it is wrong); a segment's four coordinates together, in
either order of its ends; Exercise 3's potential by sum_i (p_i - q_i) f_i against W1 (and -W1, for the sign-flip
message). Known wrong numbers (``mistakes``) are hashed alike and keep their messages; hints stay. Left out: the
diagnoses of a wrong function (e.g. a missing factor 2), which compute with the reference function. Answers that
depend on the notebook's data (``context``, Exercise 3's p and q) are hashed for the data the exercise notebook
passes (``gankit.release`` records them), keyed by a hash of that data: with other data the check says it knows
the notebook's data only.

Limits: hashes keep the answers from being read, not from being guessed: a small set falls to a
few tries, a number to trying grid cells against the check, as with any checker run on the student's machine.
"""
import functools
import hashlib
import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .answers import Wrong, as_text, from_spec
from .verdicts import verdict

TABLE = "oneway.json"   # the release's table, beside this module
BASE = 1.01             # grid widths are powers of BASE


# ----------------------------------------------------------------------------- the rule

def _width(v, rtol, atol):
    """j such that h_j = BASE^j is the smallest power of BASE >= (atol + rtol |v|) / (1 - rtol)."""
    return math.ceil(math.log((atol + rtol * abs(v)) / (1 - rtol), BASE))


def _cells(v, rtol, atol, stored):
    """Stored: the cells of reference v at every width j(u) of a u within tau(v) of v (j grows with |u|). Tried: the
    cell of value v at its width j(v) and the two beside it. An infinity is its own token."""
    if math.isinf(v):
        return [str(v)]
    if stored:
        tau = atol + rtol * abs(v)
        widths = range(_width(max(0.0, abs(v) - tau), rtol, atol), _width(abs(v) + tau, rtol, atol) + 1)
        return [f"{j}:{math.floor(v / BASE ** j)}" for j in widths]
    j = _width(v, rtol, atol)
    return [f"{j}:{math.floor(v / BASE ** j) + d}" for d in (-1, 0, 1)]


def _digest(salt, tag, tokens):
    return hashlib.sha256("|".join([salt, tag, *tokens]).encode()).hexdigest()


def keys(salt, tag, refs, rtol, atol):
    """The one-way form of the reference numbers ``refs`` (one or several, hashed together): sorted hex digests.

    >>> stored = keys("salt", "x", [math.pi], rtol=1e-3, atol=1e-6)
    >>> matches("salt", "x", [3.1416], 1e-3, 1e-6, stored), matches("salt", "x", [3.15], 1e-3, 1e-6, stored)
    (True, False)
    """
    cells = itertools.product(*(_cells(float(r), rtol, atol, stored=True) for r in refs))
    return sorted({_digest(salt, tag, c) for c in cells})


def matches(salt, tag, values, rtol, atol, stored):
    """Whether ``values`` are accepted against the ``stored`` keys of the same tag (the rule above)."""
    tried = itertools.product(*(_cells(float(v), rtol, atol, stored=False) for v in values))
    return not set(stored).isdisjoint(_digest(salt, tag, c) for c in tried)


@dataclass(frozen=True)
class Sealed:
    """A reference in one-way form, as ``gankit.answers``' comparers take it: ``admits(values)`` says whether the
    numbers ``values`` pass the rule against the ``stored`` keys of ``tag``, or, given a text (a
    set of names, ``answers.as_text``), whether it hashes to a stored key."""

    salt: str
    tag: str
    stored: frozenset
    rtol: float = 0.0
    atol: float = 0.0

    def admits(self, values):
        if isinstance(values, str):
            return _digest(self.salt, self.tag, [values]) in self.stored
        return matches(self.salt, self.tag, values, self.rtol, self.atol, self.stored)


def fingerprint(salt, context):
    """A hash of an exercise's data (the check's keywords), rounded to 12 decimals."""
    data = {k: np.round(np.asarray(v, dtype=float), 12).tolist() for k, v in sorted(context.items())}
    return _digest(salt, "data", [json.dumps(data)])


def _point_key(args):
    return json.dumps([np.asarray(a, dtype=float).tolist() for a in args])


# ----------------------------------------------------------------------------- writing the table (the release)

def one_way(name, a, context, salt):
    """The one-way form of answer ``a`` (a ``gankit.answers.Answer``) for the data ``context``: the keys of the right
    answer (a list per test point for a function) and the known mistakes [keys, message]."""
    spec, ref, tag = a.compare.spec, a.reference(**context), f"{name}|{fingerprint(salt, context)}"
    kind, tol = spec["kind"], (spec.get("rtol", 0.0), spec.get("atol", 0.0))
    if kind == "function_of":
        right = [keys(salt, f"{tag}|{i}", [ref(*args)], *tol) for i, args in enumerate(spec["points"])]
    elif kind == "names":
        right = [_digest(salt, tag, [as_text(ref)])]
    else:   # number, segment (its 4 coordinates), lipschitz_potential (W1)
        right = keys(salt, tag, np.ravel(ref), *tol)
    if kind != "names" and not tol[1] > 0:
        raise ValueError(f"{name}: a one-way form needs atol > 0")
    return dict(right=right, mistakes=[[keys(salt, f"{tag}|m{i}", [wrong(**context)], *tol), message]
                                       for i, (wrong, message) in enumerate(a.mistakes)])


def seal(answers, data, salt):
    """The release's table: the ``salt`` and, per answer of ``answers`` (name -> ``Answer``), what it is, its hint,
    data keywords, comparer's spec and its ``one_way`` form for each of its recorded ``data`` (name -> [context])."""
    table = {}
    for name, a in answers.items():
        if a.context and not data.get(name):
            raise ValueError(f"{name}: no exercise notebook calls check({name!r}, ...) with its data")
        spec = dict(a.compare.spec)
        spec["points"] = [[np.asarray(x).tolist() for x in args] for args in spec.get("points", [])]
        table[name] = dict(what=a.what, hint=a.hint, context=list(a.context), spec=spec,
                           cases={fingerprint(salt, c): one_way(name, a, c, salt) for c in data.get(name, [{}])})
    return dict(salt=salt, answers=table)


# ----------------------------------------------------------------------------- the student's checker

@functools.cache
def table(path=None):
    """The release's table (``seal``), read from ``TABLE`` beside this module unless ``path`` is given."""
    return json.loads(Path(path or Path(__file__).with_name(TABLE)).read_text())


def _sealed(spec, case, salt, tag):
    """The reference and the known mistakes of an answer (its comparer's ``spec``) for one data ``case`` of the
    table, as ``Sealed``: what the comparer ``from_spec(spec)`` is given instead of the numbers."""
    tol = dict(rtol=spec.get("rtol", 0.0), atol=spec.get("atol", 0.0))
    if spec["kind"] == "function_of":
        at = {_point_key(args): Sealed(salt, f"{tag}|{i}", frozenset(stored), **tol)
              for i, (args, stored) in enumerate(zip(spec["points"], case["right"]))}
        ref = lambda *args: at[_point_key(args)]   # noqa: E731
    else:
        ref = Sealed(salt, tag, frozenset(case["right"]), **tol)
    mistakes = [(lambda s=Sealed(salt, f"{tag}|m{i}", frozenset(stored), **tol), **data: s, message)
                for i, (stored, message) in enumerate(case["mistakes"])]
    return ref, mistakes


def check(name, value, **context):
    """Print whether ``value`` answers exercise ``name``: right, wrong (with a hint) or not answered yet (None),
    against the release's one-way keys. Never raises on the value (unless ``GANKIT_GRADE=1``); returns None."""
    t = table()
    if name not in t["answers"]:
        raise ValueError(f"unknown exercise {name!r}; known: {', '.join(t['answers'])}")
    e = t["answers"][name]
    if sorted(context) != sorted(e["context"]):
        raise ValueError(f"check({name!r}, ...) needs the keywords {e['context']}, got {sorted(context)}")
    spec = dict(e["spec"], points=[tuple(np.asarray(x, dtype=float) if isinstance(x, list) else x for x in args)
                                   for args in e["spec"]["points"]])
    data = fingerprint(t["salt"], context)

    def compare(v):
        if data not in e["cases"]:
            raise Wrong(f"this check knows the answer for the exercise notebook's data ({', '.join(context)}) only: "
                        "run the cell that defines them again, unchanged.")
        ref, mistakes = _sealed(spec, e["cases"][data], t["salt"], f"{name}|{data}")
        return from_spec(spec)(v, ref, e["what"], mistakes=mistakes, **context)

    verdict(name, e["what"], e["hint"], value, compare)
