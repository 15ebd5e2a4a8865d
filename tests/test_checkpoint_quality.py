"""The shipped generators meet the quality bar the notebooks rely on (5,000 samples vs 5,000 test digits)."""
import pytest
import torch

from gankit import checkpoints, metrics, train

# name -> (largest MNIST-FID, fewest classes covered) for the runs that must learn (nearly) every digit, set at what
# ships (5,000 samples). The slides' MLP misses one digit at the 2% share threshold (9 classes on 5,000 samples); the
# DCGAN covers all 10 (the shipped one, three convolutions of 48 channels, scores 32.0; its predecessor with two
# convolutions of 64 channels scored 43.1). WGAN-GP, with the same networks, scores 23.3 (its predecessor 51);
# test_wgan_gp_close_to_the_vanilla_gan holds it to the course's claim as well.
LEARNS_ALL_DIGITS = {
    "dcgan_adam": (36, 10),
    "mlp_adam": (120, 9),
    "wgan_gp": (28, 10),
    "wgan_clip": (260, 7),   # clipping at c = 0.01 leaves a nearly flat critic (notebook 03): its curve flattens at
}                            # about 230 on 5,000 samples with 7 to 8 digits covered
# the DCGAN recipes train until their MNIST-FID curve is flat (``train.flat``), not for a fixed number of epochs
TRAINED_TO_FLAT = ("dcgan_adam", "wgan_gp", "wgan_clip")


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


def test_wgan_gp_close_to_the_vanilla_gan(mnist_test):
    """The course's claim on MNIST, at the kit's budgets: WGAN-GP within 1.25 times the vanilla GAN's MNIST-FID."""
    gp, vanilla = _report("wgan_gp", mnist_test)["fid"], _report("dcgan_adam", mnist_test)["fid"]
    print(f"MNIST-FID: wgan_gp {gp:.1f}, dcgan_adam {vanilla:.1f}, ratio {gp / vanilla:.2f}")
    assert gp <= 1.25 * vanilla


@pytest.mark.parametrize("name", TRAINED_TO_FLAT)
def test_trained_until_flat(name):
    meta = checkpoints.load(name, device="cpu").meta
    curve, trained = meta["fid_per_epoch"], meta.get("fid_trained_per_epoch")
    assert meta.get("flat") and train.flat(curve, trained=trained), f"{name}: {curve[-5:]}, trained G: {trained[-5:]}"


def test_dcgan_samples_look_like_digits(mnist_test):
    """Beyond the FID: the share of samples on the real digits' manifold (precision; the shipped run 0.69, its
    predecessors 0.63 and 0.55) and the share the classifier labels with confidence >= 0.9 (0.74; before 0.63)."""
    r = _report("dcgan_adam", mnist_test)
    print(f"dcgan_adam: precision {r['precision']:.3f}, confident share {r['confident_share']:.3f}")
    assert r["precision"] > 0.66 and r["confident_share"] > 0.7


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
