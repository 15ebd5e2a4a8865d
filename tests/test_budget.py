"""Runs compared at a stated budget: what a shipped run cost, and its curve read at a smaller budget."""
import pytest

from gankit import budget, checkpoints
from gankit.recipes import RECIPES


@pytest.mark.shipped   # wgan_gp's metadata and checkpoints/timings.json
def test_a_run_read_at_a_smaller_budget():
    meta = checkpoints.load("wgan_gp", device="cpu").meta
    whole = budget.spent("wgan_gp", meta)
    end = budget.at("wgan_gp", meta, generator_steps=whole.generator_steps)
    assert (end.epoch, end.fid) == (whole.epochs, meta["fid_per_epoch"][-1])
    assert end.minutes == pytest.approx(whole.minutes)
    half = budget.at("wgan_gp", meta, minutes=whole.minutes / 2)
    assert half.epoch == whole.epochs // 2 and half.generator_steps == half.epoch * meta["steps_per_epoch"]
    with pytest.raises(ValueError, match="one epoch"):
        budget.at("wgan_gp", meta, generator_steps=meta["steps_per_epoch"] - 1)
    with pytest.raises(ValueError, match="generator_steps or minutes"):
        budget.at("wgan_gp", meta)


def test_critic_steps_follow_the_original_wgan_schedule():
    """WGAN-clip's schedule: 100 critic steps for each of the first 25 generator steps (and every 500th), else 5."""
    b = budget.spent("not-timed", dict(recipe=RECIPES["wgan_clip"], epochs=1, steps=30))
    assert (b.critic_steps, b.minutes) == (25 * 100 + 5 * 5, None)
    b = budget.spent("not-timed", dict(recipe=RECIPES["wgan_clip"], epochs=3, steps=500))
    assert b.critic_steps == 25 * 100 + 474 * 5 + 100


def test_only_gan_recipes_are_timed():
    with pytest.raises(SystemExit):
        budget.main(["classifier"])


@pytest.mark.shipped   # the three runs' stored curves
def test_averaging_reads_the_last_epochs_of_both_stored_curves():
    import numpy as np
    metas = {label: checkpoints.load(name, device="cpu").meta
             for label, name in {"GAN (R1)": "dcgan_adam", "WGAN-GP": "wgan_gp"}.items()}
    r = budget.averaging(metas)
    for label, m in metas.items():
        assert r.means[label] == pytest.approx((np.mean(m["fid_per_epoch"][-5:]), np.mean(m["fid_trained_per_epoch"][-5:])))
        assert r.verdicts[label].paired and r.verdicts[label].k == (5,)
    assert r.ratios == pytest.approx((r.means["WGAN-GP"][0] / r.means["GAN (R1)"][0],
                                      r.means["WGAN-GP"][1] / r.means["GAN (R1)"][1]))
    assert "5,000 samples per epoch" in str(r) and str(r).splitlines()[-1].startswith("WGAN-GP / GAN (R1): ")
