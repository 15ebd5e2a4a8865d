"""D* = q / (q + p) and sup_D L = 2 JS - log 4 (slides 001) against closed forms and scipy."""
import math

import numpy as np
import pytest
from scipy import integrate, stats
from scipy.spatial.distance import jensenshannon
from scipy.special import expit, rel_entr

from gankit import divergences as dv

LOG2, LOG4 = math.log(2), math.log(4)


def uniform_pair(shift):
    """mu = U([0, 1]) (density p), nu = U([shift, 1 + shift]) (density q) and their breakpoints."""
    return stats.uniform(0, 1).pdf, stats.uniform(shift, 1).pdf, dict(lo=0.0, hi=1.0 + shift, points=[shift, 1.0])


@pytest.mark.parametrize("shift", [0.25, 0.5, 0.75, 1.0, 3.0])
def test_js_of_shifted_uniforms_is_the_closed_form(shift):
    """JS(U[0,1], U[a,1+a]) = min(a, 1) log 2: the mass outside the overlap, times log 2; log 2 once disjoint."""
    p, q, where = uniform_pair(shift)
    assert dv.js_divergence(p, q, **where) == pytest.approx(min(shift, 1.0) * LOG2, abs=1e-9)


def test_disjoint_supports_give_log2_and_a_perfect_discriminator():
    p, q, where = uniform_pair(3.0)
    assert dv.js_divergence(p, q, **where) == pytest.approx(LOG2, abs=1e-12)
    assert dv.sup_L(p, q, **where) == pytest.approx(0.0, abs=1e-12)  # the slide: L(theta, D*) = 0
    D = dv.optimal_discriminator(p, q)
    np.testing.assert_allclose(D(np.array([0.2, 0.8, 3.2, 3.9])), [0, 0, 1, 1])


def test_equal_distributions():
    p = stats.norm(0.3, 0.7).pdf
    assert dv.js_divergence(p, p) == pytest.approx(0.0, abs=1e-10)
    assert dv.sup_L(p, p) == pytest.approx(-LOG4, abs=1e-9)
    np.testing.assert_allclose(dv.optimal_discriminator(p, p)(np.linspace(-3, 3, 7)), 0.5)


@pytest.mark.parametrize("m, s", [(2.0, 1.0), (0.5, 1.0), (1.0, 0.5)])
def test_js_of_gaussians_matches_scipy_on_a_fine_grid(m, s):
    """An independent computation: scipy's jensenshannon (it returns sqrt(JS), natural log) on a grid."""
    p, q = stats.norm(0, s).pdf, stats.norm(m, s).pdf
    x = np.linspace(-15 * s, m + 15 * s, 400_001)
    assert dv.js_divergence(p, q) == pytest.approx(jensenshannon(p(x), q(x)) ** 2, abs=1e-8)


@pytest.mark.parametrize("pair", ["gauss-far", "gauss-near", "gauss-widths", "uniform-half", "uniform-disjoint"])
def test_sup_L_is_2JS_minus_log4(pair):
    p, q, where = {
        "gauss-far": (stats.norm(0, 1).pdf, stats.norm(2, 1).pdf, {}),
        "gauss-near": (stats.norm(0, 1).pdf, stats.norm(0.1, 1).pdf, {}),
        "gauss-widths": (stats.norm(0, 1).pdf, stats.norm(1, 3).pdf, {}),
        "uniform-half": uniform_pair(0.5),
        "uniform-disjoint": uniform_pair(2.0),
    }[pair]
    js = dv.js_divergence(p, q, **where)
    assert 0 <= js <= LOG2 + 1e-12
    assert dv.sup_L(p, q, **where) == pytest.approx(2 * js - LOG4, abs=1e-9)
    # ... and sup L is L at D*, which beats D = 1/2 (value -log 4) and any other discriminator
    assert dv.gan_value(p, q, dv.optimal_discriminator(p, q), **where) == pytest.approx(2 * js - LOG4, abs=1e-7)
    assert dv.gan_value(p, q, lambda x: 0.5, **where) == pytest.approx(-LOG4, abs=1e-9)
    assert dv.gan_value(p, q, lambda x: expit(x - 0.3), **where) < 2 * js - LOG4


def test_optimal_discriminator_of_equal_variance_gaussians_is_logistic():
    """q / (q + p) = sigmoid(log q - log p) = sigmoid(a x + b), a = (m_nu - m_mu) / s^2, b = (m_mu^2 - m_nu^2) / (2 s^2)."""
    m_mu, m_nu, s = -0.5, 1.5, 0.8
    D = dv.optimal_discriminator(stats.norm(m_mu, s).pdf, stats.norm(m_nu, s).pdf)
    a, b = (m_nu - m_mu) / s ** 2, (m_mu ** 2 - m_nu ** 2) / (2 * s ** 2)
    x = np.linspace(-4, 5, 91)
    np.testing.assert_allclose(D(x), expit(a * x + b), rtol=1e-10)


def test_best_logistic_discriminator_reaches_the_sup():
    """Maximising L over sigmoid(a x + b) finds D*'s closed-form (a, b) = (2, -2) and the value 2 JS - log 4."""
    p, q = stats.norm(0, 1).pdf, stats.norm(2, 1).pdf
    a, b, L = dv.best_logistic_discriminator(p, q, lo=-12, hi=14)
    assert (a, b) == pytest.approx((2.0, -2.0), abs=1e-4)
    assert L == pytest.approx(2 * dv.js_divergence(p, q) - LOG4, abs=1e-8)


def test_bad_interval():
    p = stats.norm().pdf
    with pytest.raises(ValueError, match="lo < hi"):
        dv.js_divergence(p, p, lo=1.0, hi=0.0)


@pytest.mark.parametrize("theta0", [0.5, 1.0, 2.0])
def test_non_saturating_loss_descends_kl_minus_twice_js(theta0):
    """Arjovsky and Bottou 2017, Theorem 2.5: with D* held fixed at theta0, the gradient of E_{P_theta}[-log D*] is the
    gradient of KL(P_theta | P_r) - 2 JS(P_theta, P_r) at theta0. Here P_theta = N(theta, 1), P_r = N(0, 1), central
    differences on both sides. (Catches the JS term counted once instead of twice.)"""
    p_r, h, box = stats.norm(0, 1).pdf, 1e-3, dict(lo=-15.0, hi=17.0)
    D0 = dv.optimal_discriminator(stats.norm(theta0, 1).pdf, p_r)
    ns = lambda t: dv.expectation(stats.norm(t, 1).pdf, lambda x: -math.log(D0(x)), **box)
    kl_2js = lambda t: dv.kl_divergence(stats.norm(t, 1).pdf, p_r, **box) - 2 * dv.js_divergence(stats.norm(t, 1).pdf, p_r, **box)
    d_ns, d_rhs = (ns(theta0 + h) - ns(theta0 - h)) / (2 * h), (kl_2js(theta0 + h) - kl_2js(theta0 - h)) / (2 * h)
    assert d_ns == pytest.approx(d_rhs, rel=1e-5)
    wrong = lambda t: dv.kl_divergence(stats.norm(t, 1).pdf, p_r, **box) - dv.js_divergence(stats.norm(t, 1).pdf, p_r, **box)
    assert abs(d_ns - (wrong(theta0 + h) - wrong(theta0 - h)) / (2 * h)) > 1e-2


# ----------------------------------------------------------------------------- KL, TV and Pinsker's inequality

GAUSS_PAIRS = [(0, 1, 1, 1), (0, 1, 3, 1), (0.5, 2, -1, 2), (0, 1, 0, 2), (0, 2, 0, 1), (1, 0.5, -0.3, 1.7), (0, 1, 0, 1)]


@pytest.mark.parametrize("m1, s1, m2, s2", GAUSS_PAIRS)
def test_gaussian_kl_against_quadrature_and_scipy(m1, s1, m2, s2):
    """The closed form against the kit's quadrature and scipy's rel_entr summed on a fine grid."""
    p, q = stats.norm(m1, s1).pdf, stats.norm(m2, s2).pdf
    closed = dv.gaussian_kl(m1, s1, m2, s2)
    assert dv.kl_divergence(p, q, lo=-30, hi=30) == pytest.approx(closed, abs=1e-8)
    x = np.linspace(-30, 30, 600_001)
    assert rel_entr(p(x), q(x)).sum() * (x[1] - x[0]) == pytest.approx(closed, abs=1e-6)
    assert closed >= 0 and (closed == 0) == ((m1, s1) == (m2, s2))       # KL >= 0, = 0 iff equal


def test_kl_is_not_symmetric_and_infinite_without_absolute_continuity():
    """KL(N(0,1) | N(0,4)) = log 2 - 3/8 != KL(N(0,4) | N(0,1)) = 3/2 - log 2; U[0,1] << U[0,2] but not conversely."""
    assert dv.gaussian_kl(0, 1, 0, 2) == pytest.approx(LOG2 - 3 / 8)
    assert dv.gaussian_kl(0, 2, 0, 1) == pytest.approx(1.5 - LOG2)
    u1, u2 = stats.uniform(0, 1).pdf, stats.uniform(0, 2).pdf
    assert dv.kl_divergence(u1, u2, 0, 2, points=[1]) == pytest.approx(LOG2, abs=1e-12)
    assert dv.kl_divergence(u2, u1, 0, 2, points=[1]) == math.inf


@pytest.mark.parametrize("m1, s1, m2, s2", GAUSS_PAIRS)
def test_gaussian_tv_against_quadrature(m1, s1, m2, s2):
    """Closed form (crossing points and CDFs) against 1/2 int |p - q| and against 1 - int min(p, q) by quad."""
    p, q = stats.norm(m1, s1).pdf, stats.norm(m2, s2).pdf
    closed = dv.gaussian_tv(m1, s1, m2, s2)
    cuts = dv.gaussian_crossings(m1, s1, m2, s2)
    assert dv.tv_distance(p, q, points=cuts) == pytest.approx(closed, abs=1e-9)
    overlap = sum(integrate.quad(lambda t: min(p(t), q(t)), a, b, limit=200)[0]
                  for a, b in zip([-np.inf] + cuts, cuts + [np.inf]))
    assert 1 - overlap == pytest.approx(closed, abs=1e-9)
    for c in cuts:                                                          # the crossings are crossings
        assert p(c) == pytest.approx(q(c), rel=1e-9)


@pytest.mark.parametrize("m", [0.1, 0.5, 1.0, 2.0, 4.0])
def test_tv_of_unit_gaussians_is_2_phi_m_over_2_minus_1(m):
    assert dv.gaussian_tv(0, 1, m, 1) == pytest.approx(2 * stats.norm.cdf(m / 2) - 1, abs=1e-12)


def test_pinsker_holds_and_is_not_tight_for_nearby_gaussians():
    """TV <= sqrt(KL / 2) on a grid of pairs, both orders of KL; for N(0,1), N(m,1) with m -> 0,
    TV / sqrt(KL / 2) = (2 Phi(m/2) - 1) / (m / 2) -> 2 phi(0) = sqrt(2 / pi)."""
    for m in np.linspace(0, 5, 21):
        for s in [0.2, 0.5, 1.0, 2.0, 5.0]:
            tv = dv.gaussian_tv(0, 1, m, s)
            assert tv <= math.sqrt(dv.gaussian_kl(0, 1, m, s) / 2) + 1e-12
            assert tv <= math.sqrt(dv.gaussian_kl(m, s, 0, 1) / 2) + 1e-12
    m = 1e-4
    ratio = dv.gaussian_tv(0, 1, m, 1) / math.sqrt(dv.gaussian_kl(0, 1, m, 1) / 2)
    assert ratio == pytest.approx(math.sqrt(2 / math.pi), rel=1e-6)


# ----------------------------------------------------------------------------- uniqueness of D*

def test_D_star_is_unique_on_the_supports_and_arbitrary_off_them():
    """p = U[0, 2] (fake), q = U[1, 3] (real): a bump on the supports lowers L, any change off [0, 3] leaves it."""
    p, q, where = stats.uniform(0, 2).pdf, stats.uniform(1, 2).pdf, dict(lo=-2.0, hi=5.0, points=[0, 1, 2, 3])
    D = dv.optimal_discriminator(p, q)
    best = dv.gan_value(p, q, D, **where)
    assert best == pytest.approx(2 * dv.js_divergence(p, q, **where) - LOG4, abs=1e-12)
    for t in [-1.0, -0.1, 0.1, 1.0]:                                        # on the overlap [1, 2], D* = 1/2
        bumped = lambda x: expit(t * np.sin(math.pi * (x - 1)) ** 2) if 1 <= x <= 2 else D(x)
        assert dv.gan_value(p, q, bumped, **where) < best - 1e-6
    off = lambda x: D(x) if 0 <= x <= 3 else 0.5 + 0.5 * math.sin(7 * x)     # anything outside the supports
    assert dv.gan_value(p, q, off, **where) == best


def test_pinsker_curves_hold_the_bound_and_quadrature_matches_closed_forms():
    m, s = np.linspace(0, 4, 9), np.geomspace(0.2, 5, 9)
    c = dv.pinsker_curves(m, s, every=4)
    assert np.allclose(c.bound_m, m / 2)                                  # KL(N(0,1) | N(m,1)) = m^2 / 2
    assert np.allclose(c.tv_m, 2 * stats.norm.cdf(m / 2) - 1)
    assert all(t <= b + 1e-12 for t, b in zip(c.tv_m + c.tv_s, c.bound_m + c.bound_s))
    assert all(t <= b + 1e-12 for t, b in zip(c.tv_s, c.bound_s_rev))
    assert len(c.quad_m) == 3 and np.allclose(c.quad_m, c.tv_m[::4], atol=1e-8)
    assert np.allclose(c.quad_s, c.tv_s[::4], atol=1e-8)
