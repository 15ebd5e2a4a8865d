"""Segments of the plane (Arjovsky and Bottou 2017, Section 2): the segment generator, perfect alignment, the perfect
discriminator of Theorem 2.2 and the bound of Theorem 2.4, against closed forms and autograd."""
import math
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from gankit import losses, manifolds, nets, toys

S_R = ([-1.0, 0.0], [1.0, 0.0])            # the data's segment
CROSSING = ([0.3, 0.8], [0.1, 0.0])        # (a, b): [(-0.2, -0.8), (0.4, 0.8)] crosses S_R at (0.1, 0), inside both
DISJOINT = ([0.3, 0.8], [0.1, 1.0])        # the same segment lifted by 1: 0.2 away from S_R


def test_segment_generator_is_uniform_on_its_segment():
    """g(Z) = b + u a with u = erf(Z / sqrt 2) = 2 Phi(Z) - 1 ~ U(-1, 1): on the segment, with E u = 0, E u^2 = 1/3."""
    G = manifolds.SegmentGenerator([2.0, 1.0], [0.5, -0.5])
    x = G.sample(200_000, seed=0).double()
    u = (x - torch.tensor([0.5, -0.5], dtype=torch.float64)) / torch.tensor([2.0, 1.0], dtype=torch.float64)
    torch.testing.assert_close(u[:, 0], u[:, 1], rtol=0, atol=1e-6)       # every sample on the line through b along a
    assert u.abs().max() <= 1
    assert float(u[:, 0].mean()) == pytest.approx(0.0, abs=5e-3)
    assert float((u[:, 0] ** 2).mean()) == pytest.approx(1 / 3, abs=5e-3)
    counts = np.histogram(u[:, 0].numpy(), bins=10, range=(-1, 1))[0]
    assert counts.min() > 0.95 * 20_000 and counts.max() < 1.05 * 20_000  # flat: each tenth holds a tenth


def test_jacobian_norm_is_one_plus_u_squared():
    """||J_theta g_theta(z)||_2 (operator norm) by autograd against the closed form 1 + u^2, and M^2 -> 4/3."""
    G = manifolds.SegmentGenerator([0.3, -1.2], [0.1, 0.4])
    z = G.noise(5, seed=1)
    for zi, closed in zip(z, G.jacobian_sq(z)):
        u = torch.erf(zi / math.sqrt(2))
        J = torch.cat([torch.autograd.functional.jacobian(lambda a: G.b + u * a, G.a.detach()),
                       torch.autograd.functional.jacobian(lambda b: b + u * G.a, G.b.detach())], 1)
        assert float(torch.linalg.matrix_norm(J, ord=2) ** 2) == pytest.approx(float(closed), rel=1e-5)
    assert float(G.jacobian_sq(G.noise(200_000, seed=2)).mean()) == pytest.approx(4 / 3, abs=5e-3)


def test_squared_distance_to_a_segment_against_brute_force():
    p0, p1 = torch.tensor([-0.5, 0.2]), torch.tensor([1.0, 1.1])
    x = torch.randn(300, 2, generator=torch.Generator().manual_seed(0)) * 2
    dense = p0.double() + torch.linspace(0, 1, 200_001, dtype=torch.float64)[:, None] * (p1.double() - p0.double())
    brute = torch.cdist(x.double(), dense, compute_mode="donot_use_mm_for_euclid_dist").min(dim=1).values ** 2
    torch.testing.assert_close(manifolds.sq_distance_to_segment(x.double(), p0, p1), brute, rtol=0, atol=1e-7)


@pytest.mark.parametrize("other, aligned", [
    (([0.0, -1.0], [0.0, 1.0]), False),      # crossing inside both, transversally
    (([-3.0, 1.0], [3.0, 1.0]), False),      # parallel, disjoint
    (([2.0, -1.0], [2.0, 1.0]), False),      # the lines cross outside S_R
    (([0.0, 0.0], [2.0, 0.0]), True),        # the same line, overlapping
    (([1.0, 0.0], [3.0, 0.0]), True),        # the same line, touching at an end point
    (([2.0, 0.0], [3.0, 0.0]), False),       # the same line, apart
    (([0.0, 0.0], [0.0, 1.0]), True),        # an end point on the other's interior: T = {0} + a line
    (([1.0, 0.0], [1.0, 1.0]), True),        # end point on end point
])
def test_perfect_alignment_of_segments(other, aligned):
    assert manifolds.perfectly_align(S_R, other) is aligned
    assert manifolds.perfectly_align(other, S_R) is aligned               # a symmetric relation


@pytest.mark.parametrize("case", [CROSSING, DISJOINT])
def test_perfect_discriminator_has_accuracy_one_flat_gradient_and_L_zero(case):
    """Theorem 2.2 (and 2.1): D* = 1 on the data, 0 on the fakes, grad_x D* = 0 on both away from their meeting point;
    L(theta, D*) = 0, so JS = (L + log 4) / 2 = log 2 (Theorem 2.3)."""
    G = manifolds.SegmentGenerator(*case)
    D = manifolds.PerfectDiscriminator(S_R, G.endpoints())
    y, x = manifolds.segment_sampler(*S_R, seed=0)(20_000).double(), G.sample(20_000, seed=1).double()
    far = manifolds.sq_distance_to_segment(x, *map(torch.tensor, S_R)) > 0.05 ** 2    # fakes away from S_R
    for pts, target in [(y, 1.0), (x[far], 0.0)]:
        p = pts.clone().requires_grad_(True)
        d = D.prob(p)
        (grad,) = torch.autograd.grad(d.sum(), p)
        assert float((d.detach() - target).abs().max()) < 1e-9
        assert float(grad.norm(dim=1).max()) < 1e-5
    assert losses.js_lower_bound(D, y, x) == pytest.approx(math.log(2), abs=1e-9)


def test_perfect_discriminator_jumps_where_the_segments_cross():
    """Crossing supports: D* = 1 on S_R and 0 on S_g arbitrarily close to the crossing point c = (0.1, 0), so no
    continuous D is within 1/2 of it in sup norm: Theorem 2.4's hypothesis ||D - D*|| < eps fails for eps < 1/2."""
    G = manifolds.SegmentGenerator(*CROSSING)
    e0, e1 = torch.as_tensor(G.endpoints())
    D = manifolds.PerfectDiscriminator(S_R, (e0, e1))
    t = -e0[1] / (e1[1] - e0[1])                                 # S_g meets the x-axis at e0 + t (e1 - e0)
    c, h = e0 + t * (e1 - e0), torch.tensor([1e-3, 1e-6], dtype=torch.float64)
    on_r = torch.stack([c[0] + h, 0 * h], 1)
    on_g = e0 + (t + h)[:, None] * (e1 - e0)
    torch.testing.assert_close(D.prob(on_r), torch.ones(2, dtype=torch.float64))
    torch.testing.assert_close(D.prob(on_g), torch.zeros(2, dtype=torch.float64), atol=1e-12, rtol=0)


def linear_logit(w, c):
    w = torch.as_tensor(w)
    return lambda x: x @ w + c


@pytest.mark.parametrize("c", [-2.0, -6.0, -12.0])
def test_theorem_2_4_bound_holds_and_falls_as_D_sharpens(c):
    """||grad_theta mean log(1 - D(g_theta(z)))|| <= M eps / (1 - eps), with eps = max D + ||grad_x D|| on the fakes.
    A logistic D = sigmoid(w.x + c) that rejects the fakes more and more (c -> -inf): eps and the gradient fall."""
    G = manifolds.SegmentGenerator(*DISJOINT)
    D = linear_logit([0.0, -1.0], c)                 # the fakes sit at x_2 in [0.2, 1.8]
    z = G.noise(2000, seed=0)
    grad = toys.generator_grad_norm(G, D, z, losses.saturating_g_loss)
    eps = manifolds.gap_on_fakes(D, G(z))
    x2 = G(z)[:, 1].detach()
    top = torch.sigmoid(-x2 + c).max()
    assert eps == pytest.approx(float(top + top * (1 - top)), rel=1e-5)  # D + |D'| |w|, largest at the lowest fake
    bound = manifolds.vanishing_bound(G, D, z)
    assert 0 < grad <= bound < math.inf
    if c < -10:
        assert bound < 1e-4


def test_vanishing_gradients_records_the_extra_measurements():
    G, D = manifolds.SegmentGenerator(*DISJOINT), nets.ToyDiscriminator(width=16, depth=1)
    r = toys.vanishing_gradients(G, D, manifolds.segment_sampler(*S_R, seed=0), steps=40, record_every=20, n=64,
                                 batch_size=32, progress=False, extra=dict(bound=manifolds.vanishing_bound))
    assert len(r.bound) == len(r.steps) == 4                     # steps 0, 1, 20, 40
    assert all(s <= b for s, b in zip(r.saturating, r.bound))         # Theorem 2.4 at every record


@pytest.mark.parametrize("case", [CROSSING, DISJOINT])
def test_perfect_discrimination_summary_measures_theorem_2_3(case):
    """perfect_discrimination: L(theta, D*) = 0 and JS >= log 2 for segments that don't perfectly align, the gradient
    of D* flat on the data and on the fakes away from the crossing (at the crossing D* jumps)."""
    c = manifolds.perfect_discrimination(S_R, manifolds.SegmentGenerator(*case).endpoints(), n=5000)
    assert c.align is False
    assert abs(c.L) < 1e-9 and c.js == pytest.approx(math.log(2), abs=1e-9)
    assert c.grad_data < 1e-9 and c.grad_fakes < 1e-5
    near = manifolds.perfect_discrimination(S_R, manifolds.SegmentGenerator(*case).endpoints(), n=5000, away=0.0)
    assert near.grad_fakes >= c.grad_fakes


def test_perfect_discrimination_prints_its_measurements():
    c = manifolds.perfect_discrimination(S_R, manifolds.SegmentGenerator(*DISJOINT).endpoints(), n=2000)
    assert str(c) == (f"perfectly align: False; L(theta, D*) = {c.L:.1e}, JS >= {c.js:.10f}; max |grad D*| on the "
                      f"data {c.grad_data:.0e}, on the fakes farther than 0.01 from it {c.grad_fakes:.0e}")
    assert f"JS >= {math.log(2):.10f}" in str(c)


@pytest.mark.parametrize("shift", [0.25, 0.5, 1.0, 1.5, 3.0])
@pytest.mark.parametrize("angle", [0.0, 0.7])
def test_collinear_js_of_shifted_equal_segments_is_the_share_outside_times_log2(shift, angle):
    """U[-1, 1] against U[-1 + s, 1 + s] on one line (any direction): JS = min(s / 2, 1) log 2."""
    u = np.array([math.cos(angle), math.sin(angle)])
    seg = lambda t0, t1: (t0 * u + [0.3, -0.2], t1 * u + [0.3, -0.2])
    js = manifolds.collinear_js(seg(-1.0, 1.0), seg(-1.0 + shift, 1.0 + shift))
    assert js == pytest.approx(min(shift / 2, 1.0) * math.log(2), abs=1e-9)


def test_collinear_js_of_nested_segments_and_of_segments_off_one_line():
    """U[-0.5, 0.5] inside U[-1, 1]: on the overlap the densities are 1 and 1/2 (mixture 3/4), outside only 1/2."""
    js = manifolds.collinear_js(([-1.0, 0.0], [1.0, 0.0]), ([-0.5, 0.0], [0.5, 0.0]))
    closed = 0.5 * (math.log(4 / 3) + 0.5 * math.log(2 / 3)) + 0.25 * math.log(2)
    assert js == pytest.approx(closed, abs=1e-10)
    with pytest.raises(ValueError, match="not on one line"):
        manifolds.collinear_js(S_R, ([0.0, 0.0], [1.0, 0.1]))


def test_run_summary_reads_a_record_of_D_against_a_fixed_generator():
    r = SimpleNamespace(steps=np.array([0, 10, 20, 30]), saturating=np.array([1.0, 0.5, 0.001, 0.01]),
                        js=np.array([0.1, 0.5, 0.6, 0.69]), non_saturating=np.array([1.0, 2.0, 3.0, 4.0]))
    assert manifolds.run_summary(r, "crossing") == (
        "crossing after 30 D steps: JS lower bound ~ 0.690 (Monte Carlo); saturating ||grad_theta|| first record "
        "1.0e+00, smallest 1.0e-03, last 1.0e-02; non-saturating 1.0e+00 -> 4.0e+00")
    assert manifolds.run_summary(r).startswith("after 30 D steps")
