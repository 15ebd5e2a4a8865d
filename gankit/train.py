"""The commands that make the kit's checkpoints: the MNIST recipes (``gankit.recipes``), run by the kit's one loop.

Every checkpoint the kit ships is made here, seeded, and can be remade on a laptop::

    python -m gankit.train --list          # the recipes and their settings
    python -m gankit.train classifier      # the MNIST classifier behind MNIST-FID
    python -m gankit.train dcgan_adam      # a GAN recipe: trains until its MNIST-FID curve is flat

An epoch is one pass of the discriminator over the 60,000 training images, i.e. 60000 // (batch * n_critic)
generator steps. A GAN recipe trains until its MNIST-FID curve is flat (``gankit.curves.flat``), at most its
"epochs". Each epoch is seeded by (seed, epoch) and the run's state is saved after every epoch
(in ``~/.cache/gankit/runs/``), so that a stopped run resumes where it stopped and gives the same weights (on the
same machine and number of threads). ``python -m gankit.budget NAME`` times one epoch of a recipe alone.
"""
import argparse
import sys
import time
from types import SimpleNamespace

import torch
from tqdm.auto import tqdm

from . import checkpoints, data, loop, metrics, nets
from .curves import flat
from .loop import History, ema_update
from .mode import device as best_device
from .mode import seed as seed_all
from .recipes import LOSSES, RECIPES, networks, schedule, settings

RUNS = data.DEFAULT_CACHE / "runs"


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


def start(r, root=None):
    """Everything a GAN run of recipe ``r`` works with, before its first epoch: the MNIST digits, the networks and
    optimisers (``recipes.networks``, seeded), the schedule, 64 fixed latent codes for the sample grids, the test
    digits' features (MNIST-FID's reference), the losses, and an empty history and log."""
    dev = best_device()
    x, _ = data.mnist(train=True, root=root)
    x_test, _ = data.mnist(train=False, root=root)
    G, D, G_avg, opt_G, opt_D = networks(r, dev)
    n_critic, per_epoch = schedule(r, len(x))
    run = SimpleNamespace(r=r, x=x, G=G, D=D, G_avg=G_avg, opt_G=opt_G, opt_D=opt_D, n_critic=n_critic,
                          per_epoch=per_epoch, fixed_z=G.noise(64, seed=1234), f_test=metrics.features(x_test),
                          rule=LOSSES[r["loss"]](r), h=History(),
                          log=dict(fid_per_epoch=[], fid_trained_per_epoch=[], epoch_seconds=[], grids=[]))
    run.shipped = G_avg if G_avg is not None else G   # the generator to ship: the average when the recipe has "ema"
    return run


def resume(run, state):
    """Load the run saved in file ``state`` (``save``) into ``run``: weights, optimisers, history and log."""
    s = torch.load(state, map_location="cpu", weights_only=False)
    if settings(s["recipe"]) != settings(run.r):
        raise ValueError(f"{state} holds a run of another recipe; delete it or pass --fresh")
    for k in ("G", "D", "G_avg", "opt_G", "opt_D"):
        if getattr(run, k) is not None:
            getattr(run, k).load_state_dict(s[k])
    run.h, run.log = History(**s["history"]), s["log"]
    print(f"resuming {state.name} after epoch {len(run.log['fid_per_epoch'])}", flush=True)


def one_epoch(run, epoch, progress=True):
    """Train epoch ``epoch`` (seeded by the recipe's seed and the epoch): ``per_epoch`` generator steps of
    ``loop.train``, averaging into G_avg after each; its wall time goes into the log."""
    r, G_avg = run.r, run.G_avg
    seed_all(r["seed"] * 1000 + epoch)
    seconds = run.h.seconds
    callback = (lambda step, G, D: ema_update(G_avg, G, r["ema"])) if G_avg is not None else None
    run.h = loop.train(run.G, run.D, data.batches(run.x, seed=r["seed"] * 1000 + epoch), opt_G=run.opt_G,
                       opt_D=run.opt_D, steps=run.per_epoch, batch_size=r["batch"], n_critic=run.n_critic,
                       history=run.h, callback=callback, progress=progress, desc=f"epoch {epoch}/{r['epochs']}",
                       **run.rule)
    run.log["epoch_seconds"].append(round(run.h.seconds - seconds, 1))


@torch.no_grad()
def evaluate(run, epoch, fid_samples=5000, progress=True):
    """After epoch ``epoch``: the shipped generator's sample grid (uint8) and MNIST-FID of ``fid_samples`` samples
    against the 10,000 test digits (seeded by the epoch), and the trained generator's when the shipped one is its
    average."""
    log, G = run.log, run.G
    G.eval()
    log["grids"].append(((run.shipped(run.fixed_z).cpu() + 1) * 127.5).round().clamp(0, 255).to(torch.uint8))
    log["fid_per_epoch"].append(metrics.fid(run.shipped.sample(fid_samples, seed=epoch), fy=run.f_test))
    if run.G_avg is not None:
        log["fid_trained_per_epoch"].append(metrics.fid(G.sample(fid_samples, seed=epoch), fy=run.f_test))
    G.train()
    if progress:
        print(f"epoch {epoch}: MNIST-FID ({fid_samples} samples) = {log['fid_per_epoch'][-1]:.2f}"
              + (f" (trained G: {log['fid_trained_per_epoch'][-1]:.2f})" if run.G_avg is not None else "")
              + f", {log['epoch_seconds'][-1]:.0f} s", flush=True)


def save(run, state):
    """Save the run into file ``state`` (what ``resume`` loads)."""
    state.parent.mkdir(parents=True, exist_ok=True)
    h = run.h
    torch.save(dict(recipe=run.r, G=run.G.state_dict(), D=run.D.state_dict(), opt_G=run.opt_G.state_dict(),
                    opt_D=run.opt_D.state_dict(), G_avg=None if run.G_avg is None else run.G_avg.state_dict(),
                    history=dict(d_loss=h.d_loss, g_loss=h.g_loss, monitor=h.monitor, seconds=h.seconds),
                    log=run.log), state)


def stopped(run):
    """Whether the run's MNIST-FID curve is ``flat`` (the shipped generator's, caught up with the trained one's)."""
    return flat(run.log["fid_per_epoch"], trained=run.log["fid_trained_per_epoch"])


def train_mnist_gan(recipe, epochs=None, root=None, progress=True, fid_samples=5000, state=None):
    """Train a GAN recipe on MNIST until its MNIST-FID curve is flat (``stopped``; a recipe with stop="epochs" runs
    all its epochs), at most ``epochs`` epochs (the recipe's by default): ``start`` (or ``resume`` from file ``state``
    when it exists), then ``one_epoch``, ``evaluate`` (on the recipe's ``fid_samples``, else ``fid_samples``) and
    ``save`` (into ``state``, when given) for each epoch.
    Returns (G, D, meta); G is the generator to ship (the average when the recipe has "ema")."""
    run = start({**recipe, **({"epochs": epochs} if epochs else {})}, root)
    fid_samples = run.r.get("fid_samples", fid_samples)
    if state is not None and state.exists():
        resume(run, state)
    for epoch in range(len(run.log["fid_per_epoch"]) + 1, run.r["epochs"] + 1):
        if run.r.get("stop", "flat") == "flat" and stopped(run):
            break
        one_epoch(run, epoch, progress)
        evaluate(run, epoch, fid_samples, progress)
        if state is not None:
            save(run, state)
    h, log = run.h, run.log
    grids = torch.stack(log["grids"])[:, :run.r.get("grid_images", 64)]
    meta = dict(recipe=run.r, epochs=len(log["fid_per_epoch"]), steps=len(h.g_loss), steps_per_epoch=run.per_epoch,
                seconds=round(h.seconds, 1), fid_samples=fid_samples, flat=stopped(run),
                **{**log, "grids": grids}, d_loss=torch.tensor(h.d_loss),
                g_loss=torch.tensor(h.g_loss), critic_gap=torch.tensor(h.monitor))
    return run.shipped.eval(), run.D.eval(), meta


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
