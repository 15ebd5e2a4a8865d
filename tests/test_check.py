"""gankit.check: the reference answers against POT / quadrature, and the messages for right, wrong and missing answers."""
import math

import numpy as np
import ot as pot
import pytest
import torch
from scipy import optimize, stats
from scipy.spatial import distance

import gankit.check as chk
from gankit import closedforms as cf
from gankit import divergences
from gankit.check import check, reference
from gankit.semidiscrete import semi_dual

P3 = np.array([0, 2, 6, 8, 4, 2, 1, 1, 0, 0]) / 24
Q3 = np.array([3, 4, 2, 0, 0, 2, 5, 5, 2, 1]) / 24


Y1, NU1 = cf.Y_EX1, np.array([0.5, 0.25, 0.25])   # Exercise 1's atoms and masses


def context(name):
    return {("p", "q"): dict(p=P3, q=Q3), ("Y", "nu"): dict(Y=Y1, nu=NU1), (): {}}[chk.ANSWERS[name].context]


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


def test_w2_segment_minimum_against_pot_and_a_search():
    """Exercise 2's minimum is 1/4 by hand (m = 0, b_2 - a_2 = 0, and d = b_1 - a_1 minimises d^2 / 12 - d / 2 + 1
    at d = 3: 9/12 - 3/2 + 1); POT on the reference segment gives it, less the midpoint-rule error
    |b - a|^2 / (12 n^2) = 9 / (12 n^2); Nelder-Mead from random segments finds nothing lower, and 2,000 random
    segments all lie above it."""
    assert reference("ex2_W_min") == pytest.approx(0.25, abs=1e-12)
    n = 400
    W, _ = segment_ot(*reference("ex2_theta_star"), n)
    assert abs(W - (0.25 - 9 / (12 * n**2))) < 1e-9
    rng = np.random.default_rng(0)
    found = [optimize.minimize(lambda t: cf.w2_segment(t[:2], t[2:]), rng.normal(0, 2, 4), method="Nelder-Mead",
                               options=dict(xatol=1e-10, fatol=1e-14, maxiter=20000)).fun for _ in range(5)]
    assert min(found) == pytest.approx(0.25, abs=1e-9)
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


@pytest.mark.parametrize("theta", [0.0, -1e-6, 0.3, -2.0])
def test_parallel_lines_against_pot_and_scipy(theta):
    """Exercise 4 on n points of each line {0} x [0, 1] and {theta} x [0, 1]: W1 by POT, JS by scipy's
    jensenshannon (its square, natural logarithm) and KL(P_theta | P_0) by scipy's entropy, on the histograms of
    both measures over the union of their points (disjoint for theta != 0, however small)."""
    n = 200
    z = (np.arange(n) + 0.5) / n
    x0, xt = np.stack([np.zeros(n), z], 1), np.stack([np.full(n, theta), z], 1)
    W = pot.emd2(np.full(n, 1 / n), np.full(n, 1 / n), pot.dist(x0, xt, metric="euclidean"))
    atoms, where = np.unique(np.concatenate([x0, xt]), axis=0, return_inverse=True)
    p0, pt = (np.bincount(where.ravel()[k * n:(k + 1) * n], minlength=len(atoms)) / n for k in (0, 1))
    W_ref, js_ref, kl_ref, tv_ref = cf.parallel_lines(theta)
    assert W_ref == pytest.approx(W, abs=1e-9)
    assert js_ref == pytest.approx(distance.jensenshannon(p0, pt) ** 2, abs=1e-12)
    assert kl_ref == stats.entropy(pt, p0)      # +inf for theta != 0, 0 for theta = 0
    assert tv_ref == pytest.approx(0.5 * np.abs(p0 - pt).sum(), abs=1e-12)   # sup_A |P_0(A) - P_theta(A)|


Y2 = np.array([[-1.0, 0.0], [1.0, 0.0]])      # Exercises 2 and 6: y1, y2


def segment_ot(a, b, n):
    """POT on n midpoints of [a, b] against nu = (delta_y1 + delta_y2) / 2: (W, psi_1 - psi_2)."""
    x = np.asarray(a, dtype=float) + ((np.arange(n) + 0.5) / n)[:, None] * (np.asarray(b, dtype=float) - np.asarray(a, dtype=float))
    W, log = pot.emd2(np.full(n, 1 / n), np.array([0.5, 0.5]), pot.dist(x, Y2), log=True)
    return W, log["v"][0] - log["v"][1]


@pytest.mark.parametrize("s", [-2.0, -0.4, 0.0, 0.1, 1.5])
def test_tilted_segment_against_pot_and_exercise_2(s):
    """Exercise 6: h(s) is Exercise 2's W for [(-s, -1), (s, 1)], and POT's W minus the midpoint-rule error."""
    n = 400
    assert cf.tilted_segment_w(s) == pytest.approx(cf.w2_segment([-s, -1], [s, 1]), abs=1e-12)
    W, _ = segment_ot([-s, -1], [s, 1], n)
    assert abs(W - (cf.tilted_segment_w(s) - (4 * s**2 + 4) / (12 * n**2))) < 1e-9


def test_tilted_segment_slopes_are_pots_one_sided_derivatives():
    """h'(0+) and h'(0-) from POT alone: its one-sided difference quotients q(eps) at 0 are linear in eps (the
    slope, plus or minus eps / 3 from s^2 / 3, minus the midpoint-rule error's eps / (3 n^2)), so 2 q(eps) - q(2 eps)
    is the one-sided derivative (Richardson). They differ by about 2: h is not differentiable at 0."""
    n, eps = 400, 1e-3
    W0, _ = segment_ot([0, -1], [0, 1], n)

    def quotients(e):   # (right, left)
        return ((segment_ot([-e, -1], [e, 1], n)[0] - W0) / e, (W0 - segment_ot([e, -1], [-e, 1], n)[0]) / e)

    (r1, l1), (r2, l2) = quotients(eps), quotients(2 * eps)
    right, left = 2 * r1 - r2, 2 * l1 - l2
    assert cf.tilted_segment_slopes() == pytest.approx((right, left), abs=1e-6)
    assert left - right > 1.99


@pytest.mark.parametrize("c", [0.0, 0.125, 0.25, 0.3, 0.5])
def test_grad_ot_at_the_vertical_segment_by_autograd(c):
    """Exercise 6: d/ds E|g_s(Z) - y_j(Z)|^2 at s = 0 (autograd, Z on a midpoint grid) for y1 on z in [c, c + 1/2] is
    4c - 1, between the one-sided derivatives; that assignment's cost bounds h from above, touching at 0."""
    n = 4000
    z = (torch.arange(n, dtype=torch.float64) + 0.5) / n
    j = torch.where((z >= c) & (z <= c + 0.5), 0, 1)
    y = torch.as_tensor(Y2)

    def cost(s):
        x = torch.stack([s * (2 * z - 1), 2 * z - 1], 1)
        return ((x - y[j]) ** 2).sum(1).mean()

    s = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(cost(s), s)
    assert g.item() == pytest.approx(cf.tilted_segment_grad_ot(c), abs=1e-6)
    right, left = cf.tilted_segment_slopes()
    assert right - 1e-9 <= cf.tilted_segment_grad_ot(c) <= left + 1e-9
    for s in (-0.3, -0.01, 0.01, 0.3):
        assert cost(torch.tensor(s, dtype=torch.float64)).item() >= cf.tilted_segment_w(s) - 1e-6


@pytest.mark.parametrize("t", [-1.0, -0.3, 0.0, 0.2, 0.7])
def test_vertical_segment_psi_gap_against_pot_and_the_semi_dual(t):
    """POT's dual potential has psi_1 - psi_2 = 4t; the semi-dual H(delta) is largest at delta = 4t only (slopes +-1/2)."""
    _, gap = segment_ot([t, -1], [t, 1], 400)
    assert gap == pytest.approx(cf.vertical_segment_psi_gap(t), abs=1e-9)
    x = torch.stack([torch.full((400,), t, dtype=torch.float64), torch.linspace(-1, 1, 400, dtype=torch.float64)], 1)
    H = lambda d: semi_dual(torch.tensor([d, 0.0], dtype=torch.float64), x, torch.as_tensor(Y2)).item()
    best = H(cf.vertical_segment_psi_gap(t))
    for h in (0.05, 0.5):
        assert H(cf.vertical_segment_psi_gap(t) + h) == pytest.approx(best - h / 2, abs=1e-9)
        assert H(cf.vertical_segment_psi_gap(t) - h) == pytest.approx(best - h / 2, abs=1e-9)


# ----------------------------------------------------------------------------- the messages

def optimal_plan():
    """An optimal plan of Exercise 3 (POT's network simplex)."""
    return pot.emd(P3, Q3, np.abs(np.arange(10)[:, None] - np.arange(10)[None, :]).astype(float))


def optimal_psi():
    """Exercise 1's optimal potential: psi_2 = psi_3 = 0 and psi_1 = s (``closedforms.square_w1``)."""
    return np.array([cf.square_w1()["s"], 0.0, 0.0])


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
    if name == "ex3_primal":
        return np.outer(P3, Q3)          # a transport plan (independent coupling), not an optimal one
    if name == "ex1_psi":
        return np.zeros(3)
    if name == "ex2_theta_star":
        return (np.zeros(2), np.ones(2))
    return ref + 0.1


@pytest.mark.parametrize("name", list(chk.ANSWERS))
def test_every_answer_right_wrong_missing(capsys, name):
    ref = reference(name, **context(name))
    right = {"ex3_potential": optimal_potential(), "ex4_continuous": ["w"], "ex3_primal": optimal_plan(),
             "ex1_psi": optimal_psi()}.get(name, ref)
    assert printed(capsys, name, right).startswith(f"✅ {name}: right")
    out = printed(capsys, name, wrong_value(name))
    assert out.startswith(f"❌ {name}: not right yet") and "\n   Hint: " in out
    assert printed(capsys, name, None).startswith(f"⏳ {name}: not answered yet")


def test_wrong_answer_gets_the_hint(capsys):
    """The deliberately wrong value of the report: W1 = 1.36 for Exercise 1."""
    out = printed(capsys, "ex1_w1_pot", 1.36)
    assert out.splitlines()[0] == "❌ ex1_w1_pot: not right yet. You gave 1.36."
    assert out.splitlines()[1].startswith("   Hint: Discretise mu")


def test_known_mistakes_have_their_own_message(capsys):
    assert "base-2 logarithms" in printed(capsys, "ex1_js", 1.0)
    assert "not the optimal one" in printed(capsys, "ex1_w1_pot", cf.square_w1()["halves"])
    assert "factor" in printed(capsys, "ex2_grad_norm", lambda x, t: float(np.linalg.norm(np.subtract(x, t))))
    assert "a_1 > b_1" in printed(capsys, "ex2_W", lambda a, b: cf.w2_segment(a, b) + (a[0] > b[0]) * 0.3)
    assert "sign is flipped" in printed(capsys, "ex3_potential", -optimal_potential())
    assert "not 1-Lipschitz" in printed(capsys, "ex3_potential", 2 * optimal_potential())
    assert "s < 0" in printed(capsys, "ex6_W", lambda s: 4 / 3 - s + s**2 / 3)
    assert "vertical spread" in printed(capsys, "ex6_W", lambda s: 1 - abs(s) + s**2 / 3)
    assert "left derivative" in printed(capsys, "ex6_right_derivative", 1.0)
    assert "not differentiable" in printed(capsys, "ex6_left_derivative", 0.0)
    assert "sign" in printed(capsys, "ex6_grad_ot", lambda c: 1 - 4 * c)
    assert "factor" in printed(capsys, "ex6_grad_ot", lambda c: 2 * c - 0.5)
    assert "factor" in printed(capsys, "ex6_psi_gap", lambda t: t)
    assert "sign" in printed(capsys, "ex6_psi_gap", lambda t: -4 * t)
    assert "should not be there" in printed(capsys, "ex6_hypothesis", ["interface", "unique"])


@pytest.mark.parametrize("n", [1000, 2000, 4999, 5000])
def test_pot_in_place_of_the_closed_form_is_rejected(capsys, n):
    """ex2_W and ex6_W ask for closed forms: a student's POT on n <= 5,000 midpoints (the exercise's pot_W(a, b, n),
    or the same along the tilts) is low by |b - a|^2 / (12 n^2), relative 4 / n^2 at worst (the test segment of length
    4), above the 1e-9 relative tolerance at most test points: rejected, with the near-miss message."""
    for name, pot in (("ex2_W", lambda a, b: segment_ot(a, b, n)[0]), ("ex6_W", lambda s: segment_ot([-s, -1], [s, 1], n)[0])):
        out = printed(capsys, name, pot)
        assert out.startswith(f"❌ {name}: not right yet") and "numerical estimate (POT on n points)" in out


def test_closed_forms_in_float64_pass_and_in_float32_are_near_misses(capsys):
    """The closed forms written another way pass at 1e-9; the same in float32 (torch's default) is a near miss."""
    w2 = lambda a, b: np.mean((a + b) ** 2) / 2 + np.sum((b - a) ** 2) / 12 + 1 - abs(b[0] - a[0]) / 2   # noqa: E731
    assert printed(capsys, "ex2_W", w2).startswith("✅ ex2_W: right")
    assert printed(capsys, "ex6_W", lambda s: (4 + s * s) / 3 - abs(s)).startswith("✅ ex6_W: right")
    h32 = lambda s: (4 / 3 - torch.tensor(s).abs() + torch.tensor(s) ** 2 / 3).item()   # noqa: E731
    out = printed(capsys, "ex6_W", h32)
    assert out.startswith("❌ ex6_W: not right yet") and "float32" in out


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
    assert printed(capsys, "ex1_js", torch.tensor(math.log(2))).startswith("✅")
    assert printed(capsys, "ex1_js", np.array([math.log(2)])).startswith("✅")


def test_bad_calls_raise():
    with pytest.raises(ValueError, match="unknown exercise"):
        check("ex9", 1.0)
    with pytest.raises(ValueError, match="needs the keywords"):
        check("ex3_primal", np.eye(3))


def test_nan_segment_or_potential_is_wrong(capsys):
    assert printed(capsys, "ex2_theta_star", np.full((2, 2), np.nan)).startswith("❌ ex2_theta_star: not right yet")
    assert printed(capsys, "ex3_potential", np.full(len(P3), np.nan)).startswith("❌ ex3_potential: not right yet")


def test_a_d_star_right_only_for_positive_shifts_is_wrong(capsys):
    """D* coded as if the data's interval always lay to the right (s >= 0): 1/2 on all of [0, 1] is wrong for s < 0,
    where the overlap is [0, 1 + s] and D* = 0 on (1 + s, 1]."""
    def d_star(x, s):
        p, q = float(0 <= x <= 1), float(s <= x <= 1 + s)
        if s >= 0:
            return cf.shifted_uniforms_D_star(x, s)
        return 0.5 if 0 <= x <= 1 else q / (p + q) if p + q else 0.5
    out = printed(capsys, "ex5_D_star", d_star)
    assert out.startswith("❌ ex5_D_star: not right yet. Wrong at")


def test_copied_values_do_not_pass_the_method_checks(capsys):
    """Exercises 1 and 3 check what the method produces, not a value a student could copy from another method: the
    plan (not W_primal), the potential psi (not W1_asgd), the CDF formula as a function (not W_cdf's number)."""
    W1 = cf.w1_cdf(P3, Q3)
    assert "should have shape (10, 10)" in printed(capsys, "ex3_primal", W1)
    assert "should be a function" in printed(capsys, "ex3_cdf", W1)
    assert printed(capsys, "ex3_cdf", lambda p, q: W1).startswith("❌ ex3_cdf: not right yet. Wrong at")
    assert printed(capsys, "ex1_psi", cf.square_w1()["W1"]).startswith("❌ ex1_psi: not right yet")


def test_plan_and_psi_messages(capsys):
    plan = optimal_plan()
    assert "row sums are not p" in printed(capsys, "ex3_primal", plan.T)
    assert "negative entry" in printed(capsys, "ex3_primal", plan - 0.01 * np.eye(10) + 0.01 * np.roll(np.eye(10), 1, 0))
    assert "not an optimal one" in printed(capsys, "ex3_primal", np.outer(P3, Q3))
    out = printed(capsys, "ex1_psi", optimal_psi() + [0.2, 0, 0])
    assert out.startswith("❌ ex1_psi: not right yet") and "hold the masses" in out
    assert printed(capsys, "ex1_psi", optimal_psi() + 0.3).startswith("✅ ex1_psi: right")   # psi + const: same H
    out = printed(capsys, "ex1_psi", optimal_psi() + [0.079, 0, 0])   # H only 1.5e-3 short, the cells' masses off
    assert out.startswith("❌ ex1_psi: not right yet") and "0.538" in out


def test_square_semi_dual_is_the_quadrature_of_h():
    """The checker's H(psi) on its 1,000 x 1,000 grid: W1 at the optimal psi (to 1e-6), below it elsewhere, and the
    mean of psi^c over the exercise's 400 x 400 grid to 1e-4."""
    from gankit.answers import square_semi_dual
    psi = optimal_psi()
    assert abs(square_semi_dual(psi, Y1, NU1) - cf.square_w1()["W1"]) < 1e-6
    assert square_semi_dual(psi + [0.1, -0.1, 0], Y1, NU1) < cf.square_w1()["W1"] - 1e-3
    x = torch.as_tensor(square_grid(400))
    h400 = semi_dual(torch.as_tensor(psi), x, torch.as_tensor(Y1), torch.as_tensor(NU1), cost="euclidean").item()
    assert abs(h400 - square_semi_dual(psi, Y1, NU1)) < 1e-4
