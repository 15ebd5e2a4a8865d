"""The commands that make the kit's checkpoints: the MNIST recipes, run by the kit's one loop.

Every checkpoint the kit ships is made here, seeded, and can be remade on a laptop::

    python -m gankit.train --list          # the recipes and their settings
    python -m gankit.train classifier      # the MNIST classifier behind MNIST-FID
    python -m gankit.train dcgan_adam      # a GAN recipe: trains until its MNIST-FID curve is flat

An epoch is one pass of the discriminator over the 60,000 training images, i.e. 60000 // (batch * n_critic)
generator steps. Each epoch is seeded by (seed, epoch) and the run's state is saved after every epoch
(in ``~/.cache/gankit/runs/``), so that a stopped run resumes where it stopped and gives the same weights (on the
same machine and number of threads). ``python -m gankit.budget NAME`` times one epoch of a recipe alone.
"""
import argparse
import copy
import json
import sys
import time

import numpy as np
import torch
from tqdm.auto import tqdm

from . import checkpoints, data, loop, losses, metrics, nets
from .loop import History, ema_update, optimizer
from .mode import device as best_device
from .mode import seed as seed_all

RUNS = data.DEFAULT_CACHE / "runs"

LOSSES = {
    "gan": lambda r: dict(d_loss=losses.gan_d_loss, g_loss=losses.gan_g_loss),
    "gan-r1": lambda r: dict(d_loss=losses.gan_r1_d_loss(r["gamma"]), g_loss=losses.gan_g_loss),
    "wgan-clip": lambda r: dict(d_loss=losses.wgan_d_loss, g_loss=losses.wgan_g_loss, monitor=losses.critic_gap,
                                after_d_step=lambda D: losses.clip_weights(D, r["clip"])),
    "wgan-gp": lambda r: dict(d_loss=losses.wgan_gp_d_loss(r["lam"]), g_loss=losses.wgan_g_loss,
                              monitor=losses.critic_gap),
}

# Every checkpoint the kit ships, with the settings that make it (each checkpoint's meta["recipe"]). "epochs" is the
# most a GAN recipe runs: it stops earlier once its MNIST-FID curve is flat (see ``flat``). "ema": the generator
# shipped is the exponential moving average of the trained one (``loop.ema_update``); "c": the DCGAN width;
# "layers": its number of convolutions (``nets.DCGenerator``).
RECIPES = {
    "classifier": dict(kind="classifier", epochs=3, seed=0),
    # the slides' MLP pair: Adam (the slides' setting) against plain SGD (mode collapse)
    "mlp_adam": dict(arch="mlp", loss="gan", opt="adam", lr=2e-4, betas=(0.5, 0.999), epochs=20, batch=64, seed=0),
    "mlp_sgd": dict(arch="mlp", loss="gan", opt="sgd", lr=0.01, epochs=10, batch=64, seed=0),
    # the same game with the R1 penalty gamma / 2 E||grad D(y)||^2 on real digits (Mescheder et al. 2018)
    "dcgan_adam": dict(arch="dcgan", c=48, layers=3, loss="gan-r1", gamma=1.0, opt="adam", lr=2e-4, betas=(0.5, 0.999),
                       ema=0.999, epochs=40, batch=64, seed=0),
    # Arjovsky et al. 2017, Algorithm 1: RMSProp 5e-5, c = 0.01, 5 critic steps (100 early on and every 500th); at
    # most 200 epochs, as wgan_gp
    "wgan_clip": dict(arch="dcgan", c=64, loss="wgan-clip", opt="rmsprop", lr=5e-5, clip=0.01, n_critic="wgan",
                      ema=0.999, epochs=200, batch=64, seed=0),
    # Gulrajani et al. 2017: lambda = 10, 5 critic steps, Adam 1e-4 with betas (0.5, 0.9) (their MNIST code); at most
    # 200 epochs, about the generator steps of dcgan_adam's 40 (37,400 and 37,480)
    "wgan_gp": dict(arch="dcgan", c=48, layers=3, loss="wgan-gp", opt="adam", lr=1e-4, betas=(0.5, 0.9), lam=10.0,
                    n_critic=5, ema=0.999, epochs=200, batch=64, seed=0),
}


def wgan_critic_steps(step):
    """The original WGAN schedule: 100 critic steps for the first 25 generator steps and every 500th, else 5."""
    return 100 if step <= 25 or step % 500 == 0 else 5


def schedule(recipe, n_data):
    """(n_critic, generator steps per epoch) of a recipe: an epoch is one pass of the critic over the n_data images.

    >>> schedule(RECIPES["wgan_gp"], 60000)
    (5, 187)
    """
    n_critic = wgan_critic_steps if recipe.get("n_critic") == "wgan" else recipe.get("n_critic", 1)
    return n_critic, n_data // (recipe["batch"] * (5 if callable(n_critic) else n_critic))


def settings(recipe):
    """A recipe without its number of epochs, in JSON form (tuples as lists): what identifies a run, so that a run
    with more epochs continues it and a timing applies to it.

    >>> settings(dict(lr=0.1, betas=(0.5, 0.9), epochs=3))
    {'lr': 0.1, 'betas': [0.5, 0.9]}
    """
    return json.loads(json.dumps({k: v for k, v in recipe.items() if k != "epochs"}))


def trend(curve, n=10, per=5):
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
    it was ``flat``, the rule the GAN recipes stop by. WGAN-GP's epochs 32 to 41, and its epochs 91 to 100:

    >>> curve_end(dict(fid_per_epoch=[32.1, 30.9, 30.0, 30.1, 28.9, 25.7, 25.0, 26.5, 24.5, 25.7], flat=False))
    '-15% per 5 epochs, not flat'
    >>> curve_end(dict(fid_per_epoch=[7.56, 8.99, 8.79, 8.50, 8.07, 7.61, 9.04, 8.35, 7.80, 8.47], flat=True))
    '0% per 5 epochs, flat'
    """
    change = round(trend(meta["fid_per_epoch"]), 2)
    verdict = {True: ", flat", False: ", not flat"}.get(meta.get("flat"), "")
    return (f"{change:+.0%}" if change else "0%") + " per 5 epochs" + verdict


def train_classifier(epochs=3, batch_size=128, lr=1e-3, seed=0, root=None, progress=True):
    """Train the kit's MNIST classifier (Adam, cross-entropy, light random shifts); returns (C, test accuracy)."""
    seed_all(seed)
    dev = best_device()
    x, t = data.mnist(train=True, root=root)
    C = nets.Classifier().to(dev)
    opt = torch.optim.Adam(C.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, lr, total_steps=epochs * (len(x) // batch_size))
    for epoch in range(epochs):
        C.train()
        order = torch.randperm(len(x))
        for i in tqdm(range(len(x) // batch_size), desc=f"classifier epoch {epoch + 1}", disable=not progress, leave=False):
            idx = order[i * batch_size:(i + 1) * batch_size]
            xb = torch.roll(x[idx], shifts=tuple(torch.randint(-2, 3, (2,)).tolist()), dims=(2, 3))
            loss = torch.nn.functional.cross_entropy(C(xb.to(dev)), t[idx].to(dev))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
    return C.eval(), metrics.accuracy(C, *data.mnist(train=False, root=root))


def _networks(r, dev):
    seed_all(r["seed"])
    size = {k: r[k] for k in ("c", "layers") if k in r}
    G, D = nets.make(r["arch"], G=size, D=size)
    G, D = G.to(dev), D.to(dev)
    G_avg = copy.deepcopy(G).eval() if r.get("ema") else None
    betas = r.get("betas", (0.5, 0.999))
    return G, D, G_avg, optimizer(r["opt"], G.parameters(), r["lr"], betas), optimizer(r["opt"], D.parameters(), r["lr"], betas)


def train_mnist_gan(recipe, epochs=None, root=None, progress=True, fid_samples=5000, state=None):
    """Train a GAN recipe on MNIST until its MNIST-FID curve is ``flat`` (or ``epochs``, at most).

    After every epoch: MNIST-FID of ``fid_samples`` samples against the 10,000 test digits (of the shipped
    generator, and of the trained one when the shipped one is its average), a sample grid, and the wall time.
    ``state``: a file where the run is saved after every epoch and resumed from when it exists.
    Returns (G, D, meta); G is the generator to ship (the average when the recipe has "ema").
    """
    r = {**recipe, **({"epochs": epochs} if epochs else {})}
    dev = best_device()
    x, _ = data.mnist(train=True, root=root)
    x_test, _ = data.mnist(train=False, root=root)
    G, D, G_avg, opt_G, opt_D = _networks(r, dev)
    n_critic, per_epoch = schedule(r, len(x))
    fixed_z = G.noise(64, seed=1234)
    f_test = metrics.features(x_test)
    rule = LOSSES[r["loss"]](r)
    callback = (lambda step, G, D: ema_update(G_avg, G, r["ema"])) if G_avg is not None else None
    h = History()
    log = dict(fid_per_epoch=[], fid_trained_per_epoch=[], epoch_seconds=[], grids=[])
    if state is not None and state.exists():
        s = torch.load(state, map_location="cpu", weights_only=False)
        if settings(s["recipe"]) != settings(r):
            raise ValueError(f"{state} holds a run of another recipe; delete it or pass --fresh")
        for m, k in ((G, "G"), (D, "D"), (G_avg, "G_avg"), (opt_G, "opt_G"), (opt_D, "opt_D")):
            if m is not None:
                m.load_state_dict(s[k])
        h, log = History(**s["history"]), s["log"]
        print(f"resuming {state.name} after epoch {len(log['fid_per_epoch'])}", flush=True)
    shipped = G_avg if G_avg is not None else G
    for epoch in range(len(log["fid_per_epoch"]) + 1, r["epochs"] + 1):
        if flat(log["fid_per_epoch"], trained=log["fid_trained_per_epoch"]):
            break
        seed_all(r["seed"] * 1000 + epoch)
        seconds = h.seconds
        h = loop.train(G, D, data.batches(x, seed=r["seed"] * 1000 + epoch), opt_G=opt_G, opt_D=opt_D, steps=per_epoch,
                  batch_size=r["batch"], n_critic=n_critic, history=h, callback=callback, progress=progress,
                  desc=f"epoch {epoch}/{r['epochs']}", **rule)
        log["epoch_seconds"].append(round(h.seconds - seconds, 1))
        with torch.no_grad():
            G.eval()
            log["grids"].append(((shipped(fixed_z).cpu() + 1) * 127.5).round().clamp(0, 255).to(torch.uint8))
            log["fid_per_epoch"].append(metrics.fid(shipped.sample(fid_samples, seed=epoch), fy=f_test))
            if G_avg is not None:
                log["fid_trained_per_epoch"].append(metrics.fid(G.sample(fid_samples, seed=epoch), fy=f_test))
            G.train()
        if progress:
            print(f"epoch {epoch}: MNIST-FID ({fid_samples} samples) = {log['fid_per_epoch'][-1]:.2f}"
                  + (f" (trained G: {log['fid_trained_per_epoch'][-1]:.2f})" if G_avg is not None else "")
                  + f", {log['epoch_seconds'][-1]:.0f} s", flush=True)
        if state is not None:
            state.parent.mkdir(parents=True, exist_ok=True)
            torch.save(dict(recipe=r, G=G.state_dict(), D=D.state_dict(), opt_G=opt_G.state_dict(),
                            opt_D=opt_D.state_dict(), G_avg=None if G_avg is None else G_avg.state_dict(),
                            history=dict(d_loss=h.d_loss, g_loss=h.g_loss, monitor=h.monitor, seconds=h.seconds),
                            log=log), state)
    meta = dict(recipe=r, epochs=len(log["fid_per_epoch"]), steps=len(h.g_loss), steps_per_epoch=per_epoch,
                seconds=round(h.seconds, 1), fid_samples=fid_samples,
                flat=flat(log["fid_per_epoch"], trained=log["fid_trained_per_epoch"]),
                **{**log, "grids": torch.stack(log["grids"])}, d_loss=torch.tensor(h.d_loss),
                g_loss=torch.tensor(h.g_loss), critic_gap=torch.tensor(h.monitor))
    return shipped.eval(), D.eval(), meta


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m gankit.train", description="Make the kit's checkpoints (seeded).")
    p.add_argument("name", nargs="?", help="recipe name: " + ", ".join(RECIPES))
    p.add_argument("--list", action="store_true", help="list the recipes and their settings")
    p.add_argument("--epochs", type=int, help="override the recipe's (largest) number of epochs")
    p.add_argument("--data", help="folder holding MNIST/raw (default: GANKIT_DATA, then the cache)")
    p.add_argument("--out", help="output file (default: gankit/checkpoints/NAME.pt)")
    p.add_argument("--fresh", action="store_true", help="start over instead of resuming a stopped run")
    a = p.parse_args(argv)
    if a.list or not a.name:
        for k, v in RECIPES.items():
            print(f"{k:12s} {v}")
        return 0
    if a.name not in RECIPES:
        p.error(f"unknown recipe {a.name!r}; choose one of {', '.join(RECIPES)}")
    r = {**RECIPES[a.name], **({"epochs": a.epochs} if a.epochs else {})}
    # what remakes the weights: the recipe and its epochs (not where the file is written, nor the data folder)
    command = f"python -m gankit.train {a.name}" + (f" --epochs {a.epochs}" if a.epochs else "")
    t0 = time.perf_counter()
    if r.get("kind") == "classifier":
        C, acc = train_classifier(epochs=r["epochs"], seed=r["seed"], root=a.data)
        meta, modules = dict(recipe=r, test_accuracy=acc), dict(C=C)
        print(f"test accuracy {acc:.4f}")
    else:
        state = RUNS / f"{a.name}.pt"
        if a.fresh:
            state.unlink(missing_ok=True)
        G, D, meta = train_mnist_gan(r, root=a.data, state=state)
        modules = dict(G=G, D=D)
    meta.update(name=a.name, command=command, seed=r["seed"], threads=torch.get_num_threads())
    meta.setdefault("seconds", round(time.perf_counter() - t0, 1))
    path = checkpoints.save(a.out or a.name, meta, **modules)
    print(f"saved {path.name} ({path.stat().st_size / 1e6:.1f} MB), training time {meta['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
