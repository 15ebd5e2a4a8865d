"""The kit's MNIST metrics on real data: the classifier, MNIST-FID, coverage, precision and recall."""
import numpy as np
import pytest
import torch

from gankit import checkpoints, metrics


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


def test_fid_small_for_real_against_real_large_for_noise(mnist_test, mnist_train, test_features):
    x_test, f_test = mnist_test[0], test_features
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
])
def test_bad_images_are_refused_with_what_was_expected(bad, message):
    with pytest.raises(ValueError, match=message):
        metrics.fid(bad)
    with pytest.raises(ValueError, match=message):
        metrics.report(bad)


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
