"""Discriminator Rejection Sampling (gankit.drs) against the paper's formula and a closed-form case."""
import math

import pytest
import torch

from critics import linear_D, linear_G
from gankit import drs, nets


def test_drs_acceptance_equals_the_papers_formula_on_hand_made_logits():
    logits = torch.tensor([-3.0, -1.0, 0.0, 0.5, 2.0])
    M, gamma, eps = 2.0, -1.5, 1e-6
    expected = [1 / (1 + math.exp(-(l - M - math.log(1 - math.exp(l - M - eps)) - gamma))) for l in logits.tolist()]
    assert torch.allclose(drs.acceptance(logits, M, gamma, eps), torch.tensor(expected, dtype=torch.float64),
                          rtol=1e-9, atol=0)
    # gamma = 0 is exact rejection sampling: acceptance exp(D~ - D~_M) (up to eps)
    exact = torch.exp(logits.double() - M)
    assert torch.allclose(drs.acceptance(logits[:-1], M, 0.0, 1e-12), exact[:-1], rtol=1e-6)
    with pytest.raises(ValueError, match="running max"):
        drs.F(logits, 1.0)


def test_gamma_to_minus_infinity_accepts_everything():
    G, D = linear_G([[1.0, 0.0], [0.0, 1.0]]), linear_D([3.0, -2.0])
    r = drs.sample(G, D, 500, burn_in=1000, gamma=-1e4, batch=250, progress=False)
    assert r.acceptance_rate == 1.0 and len(r.x) == 500 and r.proposed == 500
    assert torch.allclose(drs.acceptance(torch.randn(100), 5.0, -1e4), torch.ones(100, dtype=torch.float64))


def test_percentile_gamma_and_drs_prefers_high_logits():
    G, D = linear_G([[1.0, 0.0], [0.0, 1.0]]), linear_D([2.0, 0.0])
    r = drs.sample(G, D, 300, burn_in=2000, percentile=95, batch=500, progress=False)
    assert 0 < r.acceptance_rate < 0.5
    assert r.x[:, 0].mean() > 1.0                       # accepted samples sit where D is large
    F0 = torch.linspace(0, 1, 101)
    assert drs.percentile_gamma(F0, 95) == pytest.approx(0.95)


def test_logistic_calibration_recovers_the_log_density_ratio():
    g = torch.Generator().manual_seed(0)
    s_real, s_fake = torch.randn(20000, generator=g) + 1, torch.randn(20000, generator=g) - 1
    a, b = drs.fit_logistic(3.0 * s_real + 5, 3.0 * s_fake + 5)     # scores of a critic D = 3 s + 5
    assert a == pytest.approx(2 / 3, abs=0.03) and b == pytest.approx(-10 / 3, abs=0.1)   # log ratio 2 s




class Identity1D(nets.Generator):
    """g(z) = z, z ~ N(0, 1): p_g = N(0, 1)."""

    z_dim = 1

    def forward(self, z):
        return z


class ExactLogit(torch.nn.Module):
    """The exact log density ratio D~(x) = log p_data(x) / p_g(x) for p_data = N(0, s^2), p_g = N(0, 1)."""

    def __init__(self, s):
        super().__init__()
        self.s = s

    def forward(self, x):
        x = x.reshape(-1)
        return -math.log(self.s) - x ** 2 / (2 * self.s ** 2) + x ** 2 / 2


def test_drs_with_the_exact_logit_at_gamma_zero_samples_the_data():
    """p_g = N(0, 1), p_data = N(0, s^2), s < 1: M = max p_data / p_g = 1 / s. With the exact logit, gamma = 0
    and eps ~ 0, DRS is exact rejection sampling: the accepted samples are N(0, s^2), accepted at the rate 1 / M.
    (Catches a wrong sign or a missing term in F, a gamma taken from the percentile when it is given, a bound
    D~_M that is not the running max.)"""
    s, n = 0.5, 20000
    r = drs.sample(Identity1D(), ExactLogit(s), n, burn_in=20000, gamma=0.0, eps=1e-12, batch=5000, progress=False)
    assert len(r.x) == n
    assert r.logit_max == pytest.approx(-math.log(s), abs=1e-3)          # attained near x = 0
    assert r.x.std().item() == pytest.approx(s, rel=3 * 0.71 / math.sqrt(n))   # 3 standard errors of a sample std
    assert r.x.mean().item() == pytest.approx(0.0, abs=3 * s / math.sqrt(n))
    assert r.acceptance_rate == pytest.approx(s, abs=0.02)
