r"""Latent reweighting on the kit's MNIST generators: the weights w(z) of ``gankit.reweight`` trained for the shipped
``dcgan_adam`` and ``wgan_gp``, stored as small checkpoints, and the sweep that scores truncation and reweighting
along their knobs on the same seeds (the curves of notebook 07's precision-recall chart), stored as a results file.

    python -m gankit.reweight_mnist train NAME   # w for the shipped generator NAME -> checkpoints/reweight/NAME.pt
    python -m gankit.reweight_mnist sweep        # truncation thresholds and reweighting caps scored -> sweep.json
    python -m gankit.reweight_mnist table        # print the stored sweep

The critic (the kit's choice): for both generators a copy of the shipped discriminator trained further as a WGAN-GP
critic (``reweight.critic_loss``): ``warmup`` steps against the plain generator, then one step before each step of w,
against the reweighted generator. For ``wgan_gp`` that is its own critic, which already estimates W_1 (it was trained
against the generator's raw weights; the shipped generator is their moving average). ``dcgan_adam``'s discriminator
returns a logit, an estimate of log(p_data / p_G) at best and not a Kantorovich potential, so E_nu[D] - E[w D(G(z))]
estimates nothing until the warm-up has made it a critic; it has no BatchNorm, so the gradient penalty applies, and
starting from its weights reuses its features. The critic sees the 60,000 MNIST training digits; the scores'
reference is the first 8,000 test digits, as in ``gankit.results`` (the last 2,000 calibrate DRS there).
"""
import argparse
import sys
import time

import torch
from tqdm.auto import tqdm

from . import __version__, checkpoints, data, drs_mnist, metrics, results, reweight, spread, truncation
from .budget import machine
from .nets import batched

FOLDER = checkpoints.FOLDER / "reweight"
SWEEP = FOLDER / "sweep.json"
MODELS = results.MODELS                 # label -> shipped checkpoint: "GAN (R1)" (dcgan_adam), "WGAN-GP" (wgan_gp)
TRAIN = dict(m=2.0, steps=600, critic_steps=1, warmup=300, batch=256, critic_batch=64, lr=3e-3, critic_lr=1e-4,
             ema=0.99, seed=0)         # reweight.train's settings for both generators (about 5 CPU-minutes each)
THRESHOLDS = (0.5, 1.0, 1.5, 2.0)       # truncation thresholds t swept (t = inf is the baseline)
CAPS = (0.5, 1.0, 1.5, 2.0)             # reweighting caps m' swept: accept z with probability min(w(z) / m', 1)
N, SEEDS = results.N, spread.SEEDS      # samples per seed and seeds: the closing comparison's
COMMAND = "python -m gankit.reweight_mnist"


def path_of(name):
    """The weights trained for the shipped generator ``name``: ``checkpoints/reweight/<name>.pt``."""
    return FOLDER / f"{name}.pt"


def train(name, save=True, progress=True, **settings):
    """w(z) for the shipped generator ``name`` (``reweight.train`` with ``TRAIN`` overridden by ``settings``), saved to
    ``path_of(name)`` with what made it when ``save``. Returns W (its ``meta``: settings, history, seconds)."""
    s = {**TRAIN, **settings}
    ck = checkpoints.load(name, device="cpu")
    real = data.batches(data.mnist(train=True)[0], seed=s["seed"])
    W = reweight.train(ck.G, ck.D, real=real, progress=progress, desc=f"w for {name}", **s)
    h = W.history
    W.meta = dict(command=f"{COMMAND} train {name}", generator=name, generator_sha256=checkpoints.fingerprint(name),
                  critic="a copy of the shipped discriminator trained further as a WGAN-GP critic", settings=s,
                  seed=s["seed"], mean_before_rescale=h["mean_before_rescale"], seconds=round(h["seconds"], 1),
                  cpu_seconds=round(h["cpu_seconds"], 1),
                  gap=h["gap"], mean_w=h["mean_w"], loss=h["loss"], threads=torch.get_num_threads(),
                  machine=machine(), kit_version=__version__)
    if save:
        FOLDER.mkdir(parents=True, exist_ok=True)
        reweight.save(path_of(name), W, W.meta)
    return W


def load(name, retrain=False):
    """The shipped weights for generator ``name`` (a ``reweight.Weights`` with ``meta``); a missing file raises
    ``CheckpointError`` with the command that makes it. ``retrain``: train them here (``train``, not saved)."""
    if retrain:
        return train(name, save=False)
    p = path_of(name)
    if not p.exists():
        raise checkpoints.CheckpointError(f"no latent weights for {name!r} ({p.name}); make them with: "
                                          f"{COMMAND} train {name}")
    return reweight.load(p)


def shipped(name, W):
    """Whether W is the shipped w of generator ``name``: the same constructor arguments, parameters and buffers as
    ``path_of(name)`` (False for a w trained with other settings, or with the same ones on another machine whose
    arithmetic differs; a missing file raises ``CheckpointError``)."""
    S, a = load(name), W.state_dict()
    b = S.state_dict()
    return S.kwargs == W.kwargs and a.keys() == b.keys() and all(torch.equal(a[k].cpu(), b[k]) for k in a)


def training_note(W):
    """One line on what the shipped w cost to train, from its ``meta``: the critic's warm-up steps, the steps of w
    (each after one critic step), their wall seconds and the machine. (The critic's estimate E_nu[D] - E[w D(G(z))]
    stored in ``meta["gap"]`` is not printed: the critic trains beside w, so its change does not show what w did.)

    >>> W = type("W", (), {"meta": {"settings": {"steps": 600, "warmup": 300}, "seed": 0, "seconds": 215.2,
    ...                             "machine": "CPU X"}})
    >>> print(training_note(W))
    300 warm-up steps of the critic, then 600 steps of w (seed 0): 215 s of training (CPU X), before any sampling
    """
    s = W.meta["settings"]
    return (f"{s['warmup']} warm-up steps of the critic, then {s['steps']} steps of w (seed {W.meta['seed']}): "
            f"{W.meta['seconds']:.0f} s of training ({W.meta.get('machine', 'machine not recorded')}), before any "
            "sampling")


def extremes(G, W, k=24, n=4000, seed=0):
    """What w keeps and what it drops: of n codes z ~ N(0, Id) (``seed``), the images G(z) of the k codes of lowest and
    of highest w(z), as {"k lowest w(z) (min .. max)": images, "k highest ...": images} (``plots.grids``)."""
    z = G.noise(n, seed)
    with torch.no_grad():
        w = W(z)
    order = w.argsort()
    lo, hi = order[:k], order[-k:]
    return {f"{k} lowest w(z) ({w[lo].min():.2f} to {w[lo].max():.2f})": batched(G, z[lo]),
            f"{k} highest w(z) ({w[hi].min():.2f} to {w[hi].max():.2f})": batched(G, z[hi])}


def samplers(G, W, thresholds=THRESHOLDS, caps=CAPS):
    """The ways of sampling G the sweep scores, name -> ``sampler(n, seed)`` (``results.scores``): "baseline" (plain),
    "truncation t=..." for each threshold, "reweighting m=..." for each cap (images, acceptance rate)."""
    out = {"baseline": lambda n, seed: G.sample(n, seed)}
    out.update({f"truncation t={t:g}": (lambda t: lambda n, seed: truncation.sample(G, n, t, seed))(t)
                for t in thresholds})
    out.update({f"reweighting m={c:g}": (lambda c: lambda n, seed: reweight.sample(G, W, n, m=c, seed=seed))(c)
                for c in caps})
    return out


def sweep(models=MODELS, n=N, seeds=SEEDS, progress=True, weights=None):
    """Every sampler of ``samplers`` for each shipped generator of ``models`` (label -> name) with its weights
    (``weights``: label -> W, e.g. trained here by ``load(name, retrain=True)``; default the shipped ones), scored by
    ``results.scores`` on ``seeds`` (n samples each) against the first 8,000 MNIST test digits. Returns what
    ``python -m gankit.reweight_mnist sweep`` stores (``results.stored`` reads it back); its "weights" says whose w
    was scored."""
    f_ref, t0 = metrics.features(drs_mnist.split_test()[1]), time.perf_counter()
    out = {}
    for label, name in tqdm(models.items(), desc="generators", disable=not progress):
        G, W = checkpoints.load(name, device="cpu").G, weights[label] if weights else load(name)
        out[label] = results.scores(samplers(G, W), f_ref, n, seeds, progress)
    own = weights and not all(shipped(name, weights[label]) for label, name in models.items())
    return {"command": f"{COMMAND} sweep", "kit_version": __version__, "n": n, "seeds": list(seeds),
            "weights": "trained here, not the shipped files" if own else "the shipped files",
            "models": dict(models), "reference": "the first 8,000 MNIST test digits", "thresholds": list(THRESHOLDS),
            "caps": list(CAPS), "kid_subsets": results.KID_SUBSETS, "machine": machine(),
            "threads": torch.get_num_threads(), "seconds": round(time.perf_counter() - t0),
            "scores": results.as_json(out)}


def stored(path=SWEEP):
    """The stored sweep, every score a ``spread.Spread``, in ``results.stored``'s form: {"scores": {label: {method:
    {"fid", "kid", "precision", "recall": Spread, "acceptance", "seconds"}}}} (``results.comparison_table`` prints
    it)."""
    return results.stored(path, what="sweep", command=f"{COMMAND} sweep")


def main(argv=None):
    p = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="what", required=True)
    t = sub.add_parser("train", help="train and store w(z) for a shipped generator")
    t.add_argument("name", choices=list(MODELS.values()))
    s = sub.add_parser("sweep", help="score truncation and reweighting along their knobs, store sweep.json")
    s.add_argument("--n", type=int, default=N, help=f"samples per method and seed (default {N:,})")
    sub.add_parser("table", help="print the stored sweep")
    a = p.parse_args(argv)
    if a.what == "train":
        W = train(a.name)
        print(f"stored {path_of(a.name).name}: {W.meta['seconds']} s ({W.meta['cpu_seconds']} CPU-s), mean of w "
              f"before rescaling {W.meta['mean_before_rescale']:.4f}, {path_of(a.name).stat().st_size / 1e6:.2f} MB")
        return 0
    if a.what == "sweep":
        blob = sweep(n=a.n)
        print(checkpoints.write_stored(SWEEP, blob))
    print(results.comparison_table(stored()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
