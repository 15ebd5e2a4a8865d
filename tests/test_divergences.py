"""D* = q / (q + p) and sup_D L = 2 JS - log 4 (slides 001) against closed forms and scipy."""
import math

import numpy as np
import pytest
from scipy import stats
from scipy.spatial.distance import jensenshannon
from scipy.special import expit

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
