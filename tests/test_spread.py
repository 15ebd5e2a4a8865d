"""Numbers with their noise: scores over seeds (``spread.score``), the verdict rule (``spread.compare``) and the
stored scores of the shipped generators (``python -m gankit.scores``)."""
import json
import math

import numpy as np
import pytest

from gankit import checkpoints, metrics, scores, spread
from gankit.spread import Spread, compare


@pytest.fixture(scope="module")
def ref(mnist_test):
    """The features of 1,000 test digits: a small reference keeps the live scoring tests fast."""
    return metrics.features(mnist_test[0][:1000])


def test_a_spread_is_the_mean_and_std_over_seeds_and_says_its_n():
    s = Spread.of([1.0, 2.0, 3.0], n=10000, seeds=(0, 1, 2))
    assert (s.mean, s.std, s.k) == (2.0, 1.0, 3) and s.se == pytest.approx(1 / math.sqrt(3))
    assert str(s) == "2.0 ± 1.0 (3 seeds × 10,000 samples)"
    with pytest.raises(ValueError, match="3 values for 2 seeds"):
        Spread.of([1, 2, 3], seeds=(0, 1))


def test_pairing_removes_the_noise_the_seeds_share():
    """B = A + 0.5 on every seed, with seed-to-seed noise of std 1 shared by both: paired, the difference is
    certain; unpaired, the shared noise hides it."""
    a = [3.0, 4.0, 5.0, 4.0, 3.5]
    b = [x + 0.5 + e for x, e in zip(a, [0.01, -0.01, 0.02, 0.0, -0.02])]
    paired, unpaired = compare(a, b, "A", "B", paired=True), compare(a, b, "A", "B", paired=False)
    print(paired, unpaired, sep="\n")
    assert paired.beyond and paired.worse and paired.diff == pytest.approx(0.5)
    assert paired.se == pytest.approx(np.std(np.subtract(b, a), ddof=1) / math.sqrt(5))
    assert not unpaired.beyond and unpaired.se == pytest.approx(math.sqrt(2 * np.var(a, ddof=1) / 5), rel=0.05)
    assert str(paired).startswith("B is worse than A by 0.50") and f"beyond the noise (|d| = {paired.ratio:.1f} SE > 2.78, 5 paired seeds)" in str(paired)
    assert str(unpaired).startswith("B does not differ from A beyond the noise") and f"|d| = {unpaired.ratio:.1f} SE <= 2.31" in str(unpaired)
    assert compare(b, a, "B", "A", paired=True).better


def test_the_rule_is_a_t_test_at_5_percent():
    """|d| / SE against Student's t quantile: at 5 paired seeds a ratio of 2.5 is within the noise (it would pass a
    2-SE rule, which errs about one time in eight there), 2.9 beyond; with many seeds the threshold nears 1.96."""
    base = [0.0, 1.0, 2.0, 3.0, 4.0]
    noise = np.array([1.0, -1.0, 0.5, -0.5, 0.0])
    se = np.std(noise, ddof=1) / math.sqrt(5)
    for ratio, beyond in ((2.5, False), (2.9, True)):
        v = compare(base, list(np.add(base, ratio * se + noise)), paired=True)
        assert v.diff / v.se == pytest.approx(ratio) and v.beyond == beyond and v.t == pytest.approx(2.776, abs=1e-3)
    assert compare(list(range(400)), list(np.arange(400) + 0.1), paired=True).t == pytest.approx(1.966, abs=1e-3)


def test_spreads_on_the_same_seeds_are_paired_and_at_different_n_refused():
    a = Spread.of([3.0, 3.4, 3.2], n=10000, seeds=(0, 1, 2))
    assert compare(a, Spread.of([8.0, 8.6, 8.1], n=10000, seeds=(0, 1, 2))).paired
    assert not compare(a, Spread.of([8.0, 8.6, 8.1], n=10000, seeds=(3, 4, 5))).paired
    with pytest.raises(ValueError, match="biased at finite n"):
        compare(a, Spread.of([8.0, 8.6, 8.1], n=2000, seeds=(0, 1, 2)))
    with pytest.raises(ValueError, match="at least 2"):
        compare([3.0], [4.0])


@pytest.mark.shipped
def test_shipped_generator_is_scored_by_its_name_checkpoint_network_or_a_function(ref):
    ck = checkpoints.load("dcgan_adam")
    kw = dict(n=100, seeds=(0, 1), real_features=ref, kid_subsets=2)
    by_name, by_function = spread.score("dcgan_adam", **kw), spread.score(lambda n, s: ck.G.sample(n, seed=s), **kw)
    assert by_name["fid"] == spread.score(ck, **kw)["fid"] == spread.score(ck.G, **kw)["fid"] == by_function["fid"]
    assert by_name["kid"] == by_function["kid"] and by_name["fid"].n == 100 and by_name["fid"].seeds == (0, 1)
    with pytest.raises(ValueError, match="returned 50 images for n = 100"):
        spread.score(lambda n, s: ck.G.sample(50, seed=s), **kw)


@pytest.mark.shipped
def test_shipped_generator_on_two_sets_of_seeds_is_within_the_noise(ref):
    """The same generator on seeds 0-2 and on seeds 3-5 (500 samples each): no difference beyond the noise."""
    a = spread.score("dcgan_adam", n=500, seeds=(0, 1, 2), real_features=ref, kid_subsets=2)
    b = spread.score("dcgan_adam", n=500, seeds=(3, 4, 5), real_features=ref, kid_subsets=2)
    verdict = compare(a["fid"], b["fid"], "dcgan_adam on seeds 0-2", "dcgan_adam on seeds 3-5")
    print(verdict)
    assert not verdict.paired and not verdict.beyond and "does not differ from dcgan_adam on seeds 0-2" in str(verdict)


@pytest.mark.shipped
def test_shipped_scores_wgan_clip_is_worse_than_the_vanilla_gan_beyond_the_noise():
    gan, clip = scores.stored("dcgan_adam"), scores.stored("wgan_clip")
    for key in ("fid", "kid"):
        verdict = compare(gan[key], clip[key], "the GAN (R1)", "WGAN-clip")
        print(verdict)
        assert verdict.paired and verdict.worse and "SE > 2.78, 5 paired seeds)" in str(verdict)


@pytest.mark.shipped
def test_shipped_scores_cover_every_shipped_generator_at_one_n_and_match_its_weights():
    blob = scores.load()
    assert set(blob["scores"]) == {spread.REAL, *checkpoints.generators()}
    assert blob["n"] == spread.N and tuple(blob["seeds"]) == spread.SEEDS
    for name in checkpoints.generators():
        assert blob["scores"][name]["checkpoint_sha256"] == checkpoints.fingerprint(name), f"rerun {scores.COMMAND}"
    real, gan = scores.stored(spread.REAL), scores.stored("dcgan_adam")
    print(f"training digits: MNIST-FID {real['fid']}, KID {real['kid']}; dcgan_adam: MNIST-FID {gan['fid']}")
    assert real["fid"].mean < gan["fid"].mean and abs(real["kid"].mean) < gan["kid"].mean
    assert "MNIST training digits (reference)" in scores.table()


@pytest.mark.shipped   # compares with the shipped dcgan_adam.pt
def test_stored_scores_say_what_is_missing_or_stale_against_the_shipped_weights(tmp_path):
    path = tmp_path / "scores.json"
    with pytest.raises(FileNotFoundError, match="python -m gankit.scores"):
        scores.stored("dcgan_adam", path=path)
    path.write_text(json.dumps({"n": 10, "seeds": [0, 1], "scores": {
        "dcgan_adam": {"fid": [1.0, 2.0], "kid": [0.1, 0.2], "checkpoint_sha256": "0" * 16}}}))
    with pytest.raises(KeyError, match="stored: dcgan_adam"):
        scores.stored("nope", path=path)
    with pytest.warns(UserWarning, match="changed since its scores were stored"):
        assert scores.stored("dcgan_adam", path=path)["fid"] == Spread.of([1.0, 2.0], 10, (0, 1), "MNIST-FID")
