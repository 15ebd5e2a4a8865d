"""The kit's MNIST metrics on real data: the classifier, MNIST-FID, coverage, precision and recall."""
import numpy as np
import pytest
import torch

from gankit import checkpoints, metrics

pytestmark = pytest.mark.shipped   # the metrics stand on the MNIST classifier the kit ships (gankit/checkpoints/)


@pytest.fixture(scope="module")
def test_features(mnist_test):
    return metrics.features(mnist_test[0])


def test_classifier_is_accurate_on_the_test_set(mnist_test):
    acc = metrics.accuracy(metrics.classifier(), *mnist_test)
    print(f"classifier test accuracy {acc:.4f}")
    assert acc >= 0.99
    assert checkpoints.load("classifier").meta["test_accuracy"] == pytest.approx(acc, abs=1e-4)


def test_frechet_of_gaussians_matches_the_closed_form():
    # 1D-per-axis check: W2^2 between N(m1, s1^2 I) and N(m2, s2^2 I) is |m1-m2|^2 + d (s1 - s2)^2
    d = 4
    m1, m2 = np.zeros(d), np.ones(d)
    assert metrics.frechet(m1, 4 * np.eye(d), m2, np.eye(d)) == pytest.approx(d + d * (2 - 1) ** 2)


def test_fid_small_for_real_against_real_large_for_noise(mnist_train, test_features):
    f_test = test_features
    same = metrics.frechet(*metrics.gaussian_fit(f_test), *metrics.gaussian_fit(f_test))
    real = metrics.fid(mnist_train[0][:10000], fy=f_test)
    noise = metrics.fid(torch.rand(10000, 1, 28, 28) * 2 - 1, fy=f_test)
    print(f"MNIST-FID: test vs test {same:.2g}, test vs 10,000 train images {real:.2f}, test vs noise {noise:.0f}")
    assert same == pytest.approx(0, abs=1e-3)
    assert real < 3 and noise > 1000 * real


def test_precision_recall_identical_sets_and_a_set_of_ones(mnist_test, test_features):
    x, t = mnist_test
    f = test_features[:2000]
    assert metrics.precision_recall(f, f) == (1.0, 1.0)
    ones = x[t == 1][:1000]
    rep = metrics.report(ones, x[:2000])
    print(f"a set of 1000 ones: {rep['classes_covered']} class covered, precision {rep['precision']:.3f}, "
          f"recall {rep['recall']:.3f}")
    assert rep["classes_covered"] == 1 and rep["max_class_share"] > 0.98
    assert rep["precision"] > 0.9 and rep["recall"] < 0.3


def test_report_rejects_wrong_shapes():
    with pytest.raises(ValueError, match=r"\(N, 1, 28, 28\)"):
        metrics.features(torch.zeros(5, 3, 32, 32))


@pytest.mark.parametrize("bad, message", [
    (torch.zeros(5, 1, 28, 28), "look like \\[0, 1\\] images"),              # [0, 1] scale: background 0
    (torch.full((5, 1, 28, 28), 255.0), "range from 255 to 255"),           # 0-255 scale
    (torch.full((5, 1, 28, 28), float("nan")), "NaN or infinite"),
    (torch.full((5, 1, 28, 28), float("inf")), "NaN or infinite"),
    (torch.zeros(5, 3, 28, 28), "shape \\(N, 1, 28, 28\\)"),
    (-torch.ones(1, 1, 28, 28), "at least 2 images"),
    (-torch.ones(5, 784), "shape \\(N, 1, 28, 28\\).*got \\(5, 784\\): flattened images"),   # refused, not reshaped
])
def test_bad_images_are_refused_with_what_was_expected(bad, message):
    with pytest.raises(ValueError, match=message):
        metrics.fid(bad)
    with pytest.raises(ValueError, match=message):
        metrics.report(bad)
    with pytest.raises(ValueError, match=message):
        metrics.kid(bad)


def test_bad_samples_on_the_right_scale_are_scored():
    """A collapsed generator's grey images (tanh outputs, every pixel between 0.1 and 0.3: what stopped an early
    WGAN-clip run) get a FID, a large one, instead of being taken for [0, 1] images."""
    grey = 0.1 + 0.2 * torch.rand(500, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    assert metrics.fid(grey) > 100


def test_fid_and_report_default_to_the_mnist_test_set(mnist_test):
    """Without a reference, both score against the 10,000 test digits: the same numbers as with it passed."""
    x = mnist_test[0][:500]
    assert metrics.fid(x) == pytest.approx(metrics.fid(x, mnist_test[0]), rel=1e-9)
    assert metrics.report(x)["fid"] == pytest.approx(metrics.report(x, mnist_test[0])["fid"], rel=1e-9)


def brute_force_mmd2(x, y):
    """The unbiased MMD^2 with k(a, b) = (a.b / d + 1)^3 by explicit sums over pairs, in Python floats."""
    x, y = x.double().tolist(), y.double().tolist()
    k = lambda a, b: (sum(u * v for u, v in zip(a, b)) / len(a) + 1) ** 3
    m, n = len(x), len(y)
    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    yy = sum(k(y[i], y[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    return xx + yy - 2 * sum(k(a, b) for a in x for b in y) / (m * n)


def biased_mmd2(x, y):
    """The biased (V-statistic) MMD^2: the same kernel means with the diagonal terms k(x_i, x_i) kept."""
    K = metrics.polynomial_kernel
    return K(x, x).mean() + K(y, y).mean() - 2 * K(x, y).mean()


def test_kid_is_the_unbiased_mmd2_of_brute_force_sums():
    g = torch.Generator().manual_seed(0)
    fx, fy = torch.rand(12, 5, generator=g), torch.rand(12, 5, generator=g) + 0.3
    kid, std = metrics.kid_features(fx, fy, subset_size=12, subsets=1)
    print(f"KID {kid:.12f}, brute force {brute_force_mmd2(fx, fy):.12f}")
    assert kid == pytest.approx(brute_force_mmd2(fx, fy), rel=1e-12, abs=1e-12) and std == 0
    assert metrics.mmd2_unbiased(fx[:7], fy) == pytest.approx(brute_force_mmd2(fx[:7], fy), rel=1e-12)


def test_kid_of_images_is_the_kid_of_their_classifier_features(mnist_test):
    x, y = mnist_test[0][:300], mnist_test[0][300:600]
    assert metrics.kid(x, real=y, subsets=5, seed=3) == metrics.kid_features(metrics.features(x), metrics.features(y),
                                                                              subsets=5, seed=3)


def test_kid_of_two_random_halves_of_the_test_set_is_within_2_std_of_0(test_features):
    """Random halves: the test set's first and last 5,000 digits differ (other writers; MNIST-FID 12.9 between them)."""
    order = torch.randperm(len(test_features), generator=torch.Generator().manual_seed(0))
    kid, std = metrics.kid_features(test_features[order[:5000]], test_features[order[5000:]], subsets=20)
    print(f"KID of two random halves of the test set: {kid:.3f} ± {std:.3f}")
    assert abs(kid) < 2 * std


def test_kid_over_20_draws_of_one_distribution_averages_0_within_its_standard_error(test_features):
    """Unbiased: the mean of 20 KIDs of disjoint draws from the test digits is within 3 standard errors of 0, where
    the biased estimate (the diagonal terms kept) of the same draws is many standard errors above it.

    3, not 1: the KID of a small draw is skewed (skewness 1.2 at 100 samples), and over 100 blocks of 20 draws of a
    correct estimator 65% of the block means fall within 1 standard error of 0 and 88% within 2 (these 20: -2.2 SE);
    over 2,000 draws the mean was 0.08 with a standard error of 0.10."""
    kids, biased = [], []
    for i in range(20):
        order = torch.randperm(len(test_features), generator=torch.Generator().manual_seed(i))
        a, b = test_features[order[:100]], test_features[order[100:200]]
        kids.append(metrics.kid_features(a, b, subset_size=100, subsets=1)[0])
        biased.append(biased_mmd2(a, b))
    mean, se = np.mean(kids), np.std(kids, ddof=1) / np.sqrt(len(kids))
    biased_se = np.std(biased, ddof=1) / np.sqrt(len(biased))
    print(f"mean KID over 20 draws {mean:.2f} ({mean / se:+.1f} SE); biased MMD^2 {np.mean(biased):.1f} "
          f"({np.mean(biased) / biased_se:+.0f} SE)")
    assert abs(mean) < 3 * se
    assert np.mean(biased) > 10 * biased_se


@pytest.mark.parametrize("offset, precision", [(0.5e-4, 1.0), (1.5e-4, 0.0)])
def test_precision_recall_in_float64_resolves_balls_float32_cannot(offset, precision):
    """100 real points 1e-4 apart on a line near (1, 0), so every r_1 is 1e-4; fakes beside them at a distance
    `offset`: inside every ball at 0.5e-4, outside at 1.5e-4. float64 input is kept (float32's cdist resolves about
    3e-4 here)."""
    real = torch.stack([1 + 1e-4 * torch.arange(100, dtype=torch.float64), torch.zeros(100, dtype=torch.float64)], 1)
    fake = real + torch.tensor([0.0, offset], dtype=torch.float64)
    assert metrics.precision_recall(fake, real, k=1)[0] == precision
