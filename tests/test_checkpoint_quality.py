"""The shipped generators meet the quality bar the notebooks rely on (5,000 samples vs 5,000 test digits)."""
import pytest
import torch

from gankit import checkpoints, metrics

# name -> (largest MNIST-FID, fewest classes covered) for the runs that must learn (nearly) every digit, set at what
# ships (5,000 samples). The slides' MLP misses one digit at the 2% share threshold (9 classes on 5,000 samples); the
# DCGAN covers all 10 (the shipped one scores 43.1; its 25-epoch predecessor with half the channels scored about 60).
LEARNS_ALL_DIGITS = {
    "dcgan_adam": (46, 10),
    "mlp_adam": (120, 9),
    "wgan_gp": (250, 9),
    "wgan_clip": (400, 8),   # clipping learns slowly (notebook 03): the bar is that it learnt digits at all
}


def _report(name, mnist_test):
    G = checkpoints.load(name, device="cpu").G
    with torch.no_grad():
        x = G.sample(5000, seed=0)
    return metrics.report(x, mnist_test[0][:5000])


@pytest.mark.parametrize("name", list(LEARNS_ALL_DIGITS))
def test_generator_quality(name, mnist_test):
    r = _report(name, mnist_test)
    max_fid, min_classes = LEARNS_ALL_DIGITS[name]
    print(f"{name}: MNIST-FID {r['fid']:.1f}, {r['classes_covered']} classes, precision {r['precision']:.3f}, "
          f"recall {r['recall']:.3f}")
    assert r["fid"] < max_fid and r["classes_covered"] >= min_classes


def test_dcgan_samples_look_like_digits(mnist_test):
    """Beyond the FID: the share of samples on the real digits' manifold (precision; the shipped run 0.63, its
    predecessor 0.55) and the share the classifier labels with confidence >= 0.9 (0.63; before 0.59)."""
    r = _report("dcgan_adam", mnist_test)
    assert r["precision"] > 0.6 and r["confident_share"] > 0.6


def test_sgd_run_collapses(mnist_test):
    r = _report("mlp_sgd", mnist_test)
    print(f"mlp_sgd: {r['classes_covered']} classes covered, largest class {r['max_class_share']:.0%}")
    assert r["classes_covered"] <= 5 or r["max_class_share"] >= 0.4


def test_every_shipped_generator_has_a_bar():
    gans = [n for n in checkpoints.available() if n != "classifier"]
    assert set(gans) <= set(LEARNS_ALL_DIGITS) | {"mlp_sgd"}


def test_every_recipe_is_shipped():
    from gankit.train import RECIPES

    assert set(RECIPES) <= set(checkpoints.available())
