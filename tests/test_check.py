"""gankit.check: the reference answers against POT / quadrature, and the messages for right, wrong and missing answers."""
import math

import numpy as np
import ot as pot
import pytest
from scipy import stats

import gankit.check as chk
from gankit import closedforms as cf
from gankit import divergences
from gankit.check import check, reference

P3 = np.array([0, 2, 6, 8, 4, 2, 1, 1, 0, 0]) / 24
Q3 = np.array([3, 4, 2, 0, 0, 2, 5, 5, 2, 1]) / 24


def context(name):
    return dict(p=P3, q=Q3) if chk.ANSWERS[name].context else {}


def printed(capsys, name, value):
    check(name, value, **context(name))
    return capsys.readouterr().out


# ----------------------------------------------------------------------------- the references

def square_grid(n):
    g = (np.arange(n) + 0.5) / n - 0.5
    u, v = (a.ravel() for a in np.meshgrid(g, g, indexing="ij"))
    return np.stack([u - v, u + v], 1)


def test_square_w1_against_pot_on_a_grid():
    """Exercise 1: the quadrature reference and the 'halves' plan against a 100 x 100 grid of the square."""
    ref = cf.square_w1()
    x = square_grid(100)
    M = pot.dist(x, cf.Y_EX1, metric="euclidean")
    W = pot.emd2(np.full(len(x), 1 / len(x)), cf.NU_EX1, M, numItermax=10**7)
    assert abs(W - ref["W1"]) < 1e-4            # measured 2.1e-5 (grid discretisation)
    left = np.where(x[:, 1] > 0, M[:, 1], M[:, 2])           # on x2 = 0, M[:, 1] = M[:, 2]
    right_share = np.where(x[:, 0] > 0, 1.0, np.where(x[:, 0] < 0, 0.0, 0.5))   # grid points on x1 = 0: half each
    halves = (right_share * M[:, 0] + (1 - right_share) * left).mean()
    assert abs(halves - ref["halves"]) < 1e-4
    assert ref["W1"] < ref["halves"] - 5e-3     # the halves plan is not optimal


@pytest.mark.parametrize("seed", range(4))
def test_w2_segment_against_pot(seed):
    """Exercise 2: POT on n midpoints of [a, b] is the closed form minus the midpoint-rule error |b - a|^2 / (12 n^2)."""
    a, b = np.random.default_rng(seed).normal(0, 1.5, (2, 2))
    n = 400
    x = a + ((np.arange(n) + 0.5) / n)[:, None] * (b - a)
    W = pot.emd2(np.full(n, 1 / n), np.array([0.5, 0.5]), pot.dist(x, np.array([[-1.0, 0.0], [1.0, 0.0]])))
    assert abs(W - (cf.w2_segment(a, b) - np.sum((b - a) ** 2) / (12 * n**2))) < 1e-9


def test_w2_segment_minimum():
    assert reference("ex2_W_min") == pytest.approx(cf.w2_segment(*reference("ex2_theta_star")))
    rng = np.random.default_rng(0)
    assert min(cf.w2_segment(*rng.normal(0, 2, (2, 2))) for _ in range(2000)) > 0.25


def test_w1_cdf_against_pot():
    rng = np.random.default_rng(0)
    for K in (2, 7, 30):
        p, q = rng.dirichlet(np.ones(K)), rng.dirichlet(np.ones(K))
        C = np.abs(np.subtract.outer(np.arange(K), np.arange(K))).astype(float)
        assert cf.w1_cdf(p, q) == pytest.approx(pot.emd2(p, q, C), abs=1e-10)


@pytest.mark.parametrize("s", [0.0, 0.3, 0.8, 1.0, 2.5, -0.4])
def test_shifted_uniforms_against_quadrature(s):
    p, q = stats.uniform(0, 1).pdf, stats.uniform(s, 1).pdf
    box = dict(lo=min(0, s) - 1, hi=max(1, 1 + s) + 1, points=[0, 1, s, 1 + s])
    assert cf.shifted_uniforms_js(s) == pytest.approx(divergences.js_divergence(p, q, **box), abs=1e-9)
    L = divergences.gan_value(p, q, lambda x: cf.shifted_uniforms_D_star(x, s), **box)
    assert L == pytest.approx(2 * cf.shifted_uniforms_js(s) - math.log(4), abs=1e-9)


def test_parallel_lines():
    assert cf.parallel_lines(0.0) == (0.0, 0.0, 0.0)
    assert cf.parallel_lines(-1e-6) == (1e-6, math.log(2), math.inf)


# ----------------------------------------------------------------------------- the messages

def optimal_potential():
    """f_(k+1) = f_k - sign(P_k - Q_k): the maximiser found by summation by parts (Exercise 3's solution)."""
    return np.concatenate([[0.0], -np.cumsum(np.sign(np.cumsum(P3 - Q3))[:-1])])


def wrong_value(name):
    """A deliberately wrong answer of the right type for each exercise."""
    ref = reference(name, **context(name))
    if isinstance(ref, bool):
        return not ref
    if isinstance(ref, set):
        return ["JS"]
    if callable(ref):
        return lambda *args: 12345.0
    if name == "ex3_potential":
        return np.zeros(len(P3))
    if name == "ex2_theta_star":
        return (np.zeros(2), np.ones(2))
    return ref + 0.1


@pytest.mark.parametrize("name", list(chk.ANSWERS))
def test_every_answer_right_wrong_missing(capsys, name):
    ref = reference(name, **context(name))
    right = {"ex3_potential": optimal_potential(), "ex4_continuous": ["w"]}.get(name, ref)
    assert printed(capsys, name, right).startswith(f"✅ {name}: right")
    out = printed(capsys, name, wrong_value(name))
    assert out.startswith(f"❌ {name}: not right yet") and "\n   Hint: " in out
    assert printed(capsys, name, None).startswith(f"⏳ {name}: not answered yet")


def test_wrong_answer_gets_the_hint(capsys):
    """The deliberately wrong value of the report: W1 = 1.36 for Exercise 1."""
    out = printed(capsys, "ex1_w1", 1.36)
    assert out.splitlines()[0] == "❌ ex1_w1: not right yet. You gave 1.36."
    assert out.splitlines()[1].startswith("   Hint: Use the cost |x - y|")


def test_known_mistakes_have_their_own_message(capsys):
    assert "base-2 logarithms" in printed(capsys, "ex1_js", 1.0)
    assert "not the optimal one" in printed(capsys, "ex1_w1", cf.square_w1()["halves"])
    assert "factor" in printed(capsys, "ex5_grad_norm", lambda x, t: float(np.linalg.norm(np.subtract(x, t))))
    assert "a_1 > b_1" in printed(capsys, "ex2_W", lambda a, b: cf.w2_segment(a, b) + (a[0] > b[0]) * 0.3)
    assert "sign is flipped" in printed(capsys, "ex3_potential", -optimal_potential())
    assert "not 1-Lipschitz" in printed(capsys, "ex3_potential", 2 * optimal_potential())


@pytest.mark.parametrize("value", ["log 2", [1, 2], np.ones((2, 2)), float("nan"), True, {"a": 1}])
def test_bad_types_are_messages_not_errors(capsys, value):
    assert printed(capsys, "ex1_js", value).startswith("❌ ex1_js: not right yet")


def test_functions_that_crash_or_return_none(capsys):
    out = printed(capsys, "ex4_W", lambda t: 1 / t)
    assert out.startswith("❌ ex4_W: not right yet. Your function raised ZeroDivisionError")
    assert printed(capsys, "ex2_W", lambda a, b: None).startswith("⏳ ex2_W: not answered yet")
    assert printed(capsys, "ex2_W", 0.25).startswith("❌ ex2_W: not right yet. W(mu_theta, nu) as a function of (a, b) should be a function")
    assert printed(capsys, "ex4_KL", lambda t: 1e300 if t else 0.0).startswith("❌")   # large is not +inf


def test_torch_and_numpy_scalars(capsys):
    import torch

    assert printed(capsys, "ex1_js", torch.tensor(math.log(2))).startswith("✅")
    assert printed(capsys, "ex1_js", np.array([math.log(2)])).startswith("✅")
    assert printed(capsys, "ex5_unit_gradient", np.bool_(False)).startswith("✅")


def test_bad_calls_raise():
    with pytest.raises(ValueError, match="unknown exercise"):
        check("ex9", 1.0)
    with pytest.raises(ValueError, match="needs the keywords"):
        check("ex3_cdf", 1.0)


def test_nan_segment_or_potential_is_wrong(capsys):
    assert printed(capsys, "ex2_theta_star", np.full((2, 2), np.nan)).startswith("❌ ex2_theta_star: not right yet")
    assert printed(capsys, "ex3_potential", np.full(len(P3), np.nan)).startswith("❌ ex3_potential: not right yet")
