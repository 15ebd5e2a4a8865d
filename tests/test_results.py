"""The closing comparison (gankit.results.compare) end to end on tiny untrained networks."""
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


def test_compare_measures_every_method_at_equal_sample_size(tiny):
    """Every method gives exactly n samples, measured against the same real features; the change column is
    FID / baseline FID - 1; a method that does nothing (DOT with 0 steps, DRS accepting everything) gives the
    baseline's samples, hence its FID exactly. Catches unequal sample sizes, a change taken against the wrong
    row, and methods that draw other latent codes than the baseline."""
    x_real = data.mnist(train=False)[0][:400]
    settings = {"DRS": dict(burn_in=0, gamma=-1e4, batch=200), "DOT target": dict(steps=0),
                "DOT latent": dict(steps=0)}
    rows = results.compare({"tiny": tiny}, metrics.features(x_real), n=200, settings=settings, progress=False)
    assert [r["method"] for r in rows] == list(results.METHODS)
    assert all(r["n"] == 200 for r in rows)
    base = rows[0]["fid"]
    for r in rows[1:]:
        assert r["fid"] == pytest.approx(base, rel=1e-6) and r["change"] == pytest.approx(r["fid"] / base - 1)
    assert rows[0]["change"] is None and rows[1]["acceptance"] == 1.0 and rows[2]["acceptance"] is None
    table = results.comparison_table(rows)
    assert table.count("\n") == 1 + len(rows) and "| tiny | DRS |" in table


def test_a_real_method_changes_the_samples(tiny):
    x_real = data.mnist(train=False)[0][:400]
    rows = results.compare({"tiny": tiny}, metrics.features(x_real), n=200, methods=("baseline", "DOT latent"),
                           settings={"DOT latent": dict(steps=3, lr=0.1)}, progress=False)
    assert rows[1]["fid"] != rows[0]["fid"]
    with pytest.raises(ValueError, match="unknown method"):
        results.improve("GAN inversion", tiny.G, tiny.D, 10)


def test_a_method_short_of_samples_is_an_error(tiny):
    """DRS that rejects everything stops at max_proposals with fewer than n samples: no row at another size."""
    x_real = data.mnist(train=False)[0][:400]
    with pytest.raises(RuntimeError, match="DRS gave 0 samples instead of 200"):
        results.compare({"tiny": tiny}, metrics.features(x_real), n=200, methods=("baseline", "DRS"),
                        settings={"DRS": dict(burn_in=0, gamma=1e4, batch=200, max_proposals=400)}, progress=False)
