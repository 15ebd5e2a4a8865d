"""The closing comparison (gankit.results) end to end on tiny untrained networks, and its stored form."""
from types import SimpleNamespace

import pytest
import torch

from gankit import data, metrics, nets, results

pytestmark = pytest.mark.shipped   # the comparison scores samples with the MNIST classifier the kit ships


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    G, D = nets.DCGenerator(c=4), nets.DCDiscriminator(c=4)
    return SimpleNamespace(G=G.eval(), D=D.eval())


@pytest.fixture(scope="module")
def real():
    return metrics.features(data.mnist(train=False)[0][:400])


def test_methods_that_do_nothing_give_the_baseline_on_every_seed(tiny, real):
    """DOT with 0 steps and DRS accepting everything return the baseline's samples: the same latent codes per seed,
    hence the same scores seed by seed; every score at the same n; DRS reports its acceptance. Catches methods that
    draw other latent codes than the baseline (which would break the pairing) and unequal sample sizes."""
    settings = {"DRS": dict(burn_in=0, gamma=-1e4, batch=200), "DOT target": dict(steps=0),
                "DOT latent": dict(steps=0)}
    s = results.scores(results.methods(tiny, settings=settings), real, n=200, seeds=(0, 1))
    assert list(s) == list(results.METHODS)
    base = s["baseline"]["fid"]
    assert base.n == 200 and base.seeds == (0, 1) and base.values[0] != base.values[1]
    for m in results.METHODS[1:]:
        assert s[m]["fid"].values == pytest.approx(base.values, rel=1e-6)
    assert s["DRS"]["acceptance"] == 1.0 and s["DOT latent"]["acceptance"] is None


def test_scores_tell_real_digits_from_blank_images(mnist_test):
    x, _ = mnist_test
    ref = metrics.features(x[5000:7000])
    sampler = lambda n, seed: x[1000 * seed:1000 * seed + n]       # real digits: one block per seed
    s = results.scores({"real": sampler, "blank": lambda n, seed: -torch.ones(n, 1, 28, 28)}, ref, n=100,
                       seeds=(0, 1, 2))
    assert s["real"]["fid"].n == 100 and s["real"]["fid"].seeds == (0, 1, 2) and s["real"]["fid"].k == 3
    assert s["real"]["recall"].mean > 0.5 > s["blank"]["recall"].mean
    assert s["blank"]["fid"].mean > 10 * s["real"]["fid"].mean
    assert abs(s["real"]["kid"].mean) < s["blank"]["kid"].mean


def test_a_real_method_changes_the_samples(tiny, real):
    s = results.scores(results.methods(tiny, settings={"DOT latent": dict(steps=3, lr=0.1)},
                                       which=("baseline", "DOT latent")), real, n=200, seeds=(0, 1))
    assert s["DOT latent"]["fid"].values != s["baseline"]["fid"].values
    with pytest.raises(ValueError, match="unknown method"):
        results.improve("GAN inversion", tiny.G, tiny.D, 10)


def test_a_method_short_of_samples_is_an_error(tiny, real):
    """DRS that rejects everything stops at max_proposals with fewer than n samples: no score at another size."""
    settings = {"DRS": dict(burn_in=0, gamma=1e4, batch=200, max_proposals=400)}
    with pytest.raises(RuntimeError, match="DRS gave 0 samples instead of 200"):
        results.scores(results.methods(tiny, settings=settings, which=("DRS",)), real, n=200, seeds=(0,))


def test_the_stored_form_reads_back_and_the_table_states_each_verdict(tiny, real):
    """What ``closing`` stores (per-seed values in JSON) reads back as the same Spreads; the table's change column
    is the verdict of ``spread.compare`` against the baseline: a method 10x worse on every seed is beyond the noise,
    one that equals the baseline is within it."""
    s = results.scores(results.methods(tiny, settings={"DOT target": dict(steps=0)}, which=("baseline", "DOT target")),
                       real, n=200, seeds=(0, 1, 2))
    worse = {k: (v._replace(values=tuple(10 * x for x in v.values), mean=10 * v.mean, std=10 * v.std)
                 if k == "fid" else v) for k, v in s["baseline"].items()}
    blob = {"n": 200, "seeds": [0, 1, 2], "scores": results.as_json({"tiny": {**s, "broken": worse}})}
    S = results.stored(blob=blob)
    assert S["scores"]["tiny"]["baseline"]["fid"] == s["baseline"]["fid"]
    v = results.verdicts(S)
    assert v["tiny", "broken"].beyond and not v["tiny", "DOT target"].beyond
    table = results.comparison_table(S)
    assert "+900%, beyond the noise" in table and "+0%, within the noise" in table
    assert table.count("\n") == 1 + 3


def test_the_shipped_comparison_is_stored_at_one_n_on_paired_seeds():
    S = results.stored()
    assert S["n"] >= 2000 and len(S["seeds"]) >= 5
    for label, by_method in S["scores"].items():
        assert list(by_method) == list(results.METHODS), label
        assert {s["fid"].n for s in by_method.values()} == {S["n"]}
