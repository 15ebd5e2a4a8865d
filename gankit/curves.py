"""Where a training curve stands: how fast it still moves, and whether it has stopped (the rule the GAN recipes of
``gankit.recipes`` stop training by, in ``gankit.train``).

A curve is a list of values, one per epoch (a run's MNIST-FID after each epoch, ``meta["fid_per_epoch"]``).
``trend`` fits the least-squares line through its last ``TREND_EPOCHS`` values and gives that line's change over
``TREND_PER`` epochs relative to their mean; ``flat`` says whether the curve has stopped moving; ``curve_end`` says
both in words, as README and notebook 03 show them.
"""
import numpy as np

TREND_EPOCHS, TREND_PER = 10, 5   # trend: the line through the last 10 values, its change per 5 epochs


def trend(curve, n=TREND_EPOCHS, per=TREND_PER):
    """How fast a curve still moves: the least-squares line through its last ``n`` values, its change over ``per``
    epochs relative to their mean. WGAN-GP's MNIST-FID over epochs 32 to 41 fell 15% every five epochs:

    >>> round(trend([32.1, 30.9, 30.0, 30.1, 28.9, 25.7, 25.0, 26.5, 24.5, 25.7]), 2)
    -0.15
    """
    last = np.asarray(curve[-n:], dtype=float)
    return float(np.polyfit(np.arange(len(last)), last, 1)[0] * per / last.mean())


def flat(curve, window=5, tol=0.03, spread=0.10, trained=None, longer=10):
    """Has the curve stopped moving? The least-squares line through its last ``window`` values changes by
    less than ``tol`` (relative to their mean) across them, and none of them is more than ``spread`` away from
    that mean (a noisy curve's line says nothing: WGAN-clip's MNIST-FID can jump fivefold in one epoch).
    And the line through the last ``longer`` values moves by less than ``tol`` per ``window`` epochs (``trend``):
    a slow fall that pauses for five epochs is still a fall. WGAN-GP's curve went 32.1, 30.9, 30.0, 30.1, 28.9,
    then 25.7, 25.0, 26.5, 24.5, 25.7: the last five are flat, the last ten fall 15% per five epochs.

    ``trained``: when ``curve`` is an averaged generator's, the trained generator's curve. An average lags
    behind what it averages, and can sit still while the trained generator improves; it counts as flat only
    once it has caught up: its window mean at most (1 + ``spread``) times the trained curve's.

    >>> flat([100, 80, 61, 60, 62, 61, 60, 61, 60, 61, 62, 60]), flat([100, 90, 80, 70, 60, 50, 40, 30, 20, 10])
    (True, False)
    >>> flat([668, 604, 2741, 700, 593], longer=5), flat([32.1, 30.9, 30.0, 30.1, 28.9, 25.7, 25.0, 26.5, 24.5, 25.7])
    (False, False)
    >>> flat([860, 858, 861, 859, 860], trained=[837, 600, 450, 380, 340], longer=5)
    False
    """
    if len(curve) < max(window, longer):
        return False
    last = np.asarray(curve[-window:], dtype=float)
    mean = last.mean()
    still = abs(trend(curve, window, window - 1)) < tol and np.abs(last - mean).max() <= spread * mean
    steady = abs(trend(curve, longer, window)) < tol
    caught_up = not trained or mean <= (1 + spread) * np.mean(trained[-window:])
    return bool(still and steady and caught_up)


def curve_end(meta):
    """How a run's MNIST-FID curve ended, in words: its change per 5 epochs over the last 10 (``trend``) and whether
    it was ``flat``, the rule the GAN recipes stop by. WGAN-GP's epochs 31 to 41, and its epochs 90 to 100:

    >>> curve_end(dict(fid_per_epoch=[33.3, 32.1, 30.9, 30.0, 30.1, 28.9, 25.7, 25.0, 26.5, 24.5, 25.7], flat=False))
    '-15% per 5 epochs, not flat'
    >>> curve_end(dict(fid_per_epoch=[8.64, 7.56, 8.99, 8.79, 8.50, 8.07, 7.61, 9.04, 8.35, 7.80, 8.47], flat=True))
    '0% per 5 epochs, flat'

    A run of at most 10 epochs has no end apart from its start: its line would span the whole run (``mlp_sgd``):

    >>> curve_end(dict(fid_per_epoch=[734, 1188, 1098, 604, 308, 344, 429, 426, 451, 426]))
    'no trend (a run of 10 epochs)'
    """
    if len(meta["fid_per_epoch"]) <= TREND_EPOCHS:
        return f"no trend (a run of {len(meta['fid_per_epoch'])} epochs)"
    change = round(trend(meta["fid_per_epoch"]), 2)
    verdict = {True: ", flat", False: ", not flat"}.get(meta.get("flat"), "")
    return (f"{change:+.0%}" if change else "0%") + f" per {TREND_PER} epochs" + verdict


def samples(meta):
    """How many samples each MNIST-FID of a run's stored curve was measured on: ``meta["fid_samples"]``; runs
    stored before the kit recorded it (the MLP runs) used 2,000.

    >>> samples({"fid_samples": 5000}), samples({})
    (5000, 2000)
    """
    return meta.get("fid_samples", 2000)
