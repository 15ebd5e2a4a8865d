"""The controls of notebook 06 (``gankit.dotcontrols``): the random move, and the stored file against the closing
comparison it shares its DOT runs with."""
import pytest
import torch

from gankit import dotcontrols, drs_mnist, results


def test_a_random_move_has_each_samples_length_and_a_uniform_direction():
    y = torch.zeros(4000, 1, 3, 3)
    x = torch.full_like(y, 0.1)
    moved = dotcontrols.random_move(y, x, seed=3, box=(-9, 9))
    lengths = (moved - y).flatten(1).norm(dim=1)
    assert torch.allclose(lengths, (x - y).flatten(1).norm(dim=1), atol=1e-6)      # each sample's own length
    u = (moved - y).flatten(1) / lengths[:, None]
    assert u.mean(0).abs().max() < 0.05                                              # no preferred direction
    assert abs(u[:, 0].pow(2).mean().item() - 1 / 9) < 0.01                           # E u_i^2 = 1/d on the sphere
    assert torch.equal(dotcontrols.random_move(y, y), y)                              # no move, no move
    assert dotcontrols.random_move(y, x + 5, seed=3).abs().max() <= 1                 # clipped to the box


@pytest.mark.shipped
def test_the_stored_controls_share_the_closing_comparisons_dot_runs():
    """Same n, seeds and reference; the DOT rows are the closing comparison's (the same runs), so each control is
    read against the numbers notebooks 06 and 07 print."""
    C, R = dotcontrols.stored(), results.stored()
    assert (C["command"], C["n"], C["seeds"]) == (dotcontrols.COMMAND, R["n"], R["seeds"])
    assert C["models"] == dict(results.MODELS)
    for label, s in C["scores"].items():
        assert set(s) == {"baseline", "DOT latent", "latent ascent", "DOT target", "random move"}
        for m in ("baseline", "DOT latent", "DOT target"):
            for k in ("fid", "precision", "recall"):
                assert s[m][k].values == pytest.approx(R["scores"][label][m][k].values, rel=1e-6), (label, m, k)
    assert len(dotcontrols.table(C).splitlines()) == 3 + 2 * (5 + 3)


@pytest.mark.shipped
def test_the_controls_samplers_move_as_stated():
    """On 40 codes: the ascent is latent DOT without the cost (other end points, same start), and the random move
    goes no farther than target DOT did from each sample (its length, then clipped)."""
    ck = drs_mnist.load("dcgan_adam")
    run = dotcontrols.samplers(ck)
    y = ck.G.sample(40, 0)
    x, moved = run["DOT target"](40, 0)[0], run["random move"](40, 0)
    assert ((moved - y).flatten(1).norm(dim=1) <= (x - y).flatten(1).norm(dim=1) + 1e-5).all()
    assert not torch.allclose(run["latent ascent"](40, 0), run["DOT latent"](40, 0)[0])
