"""One alternating training loop for every adversarial model of the course, and the commands that
make the kit's checkpoints.

The loop (Goodfellow et al. 2014; Arjovsky et al. 2017, Algorithm 1), for each generator step:

    repeat n_critic times:   y ~ nu,  z ~ zeta,   D <- D - opt_D step on d_loss(D, y, g_theta(z))
                             after_d_step(D)                 (e.g. weight clipping)
    then:                    z ~ zeta,            theta <- opt_G step on g_loss(D, g_theta(z))

GAN, WGAN-clip and WGAN-GP differ only by the losses, optimisers and ``after_d_step`` passed in.

Commands (seeded; each writes ``gankit/checkpoints/NAME.pt``)::

    python -m gankit.train --list
    python -m gankit.train classifier
    python -m gankit.train dcgan_adam
"""
import argparse
import sys
import time
from dataclasses import dataclass, field

import torch
from tqdm.auto import tqdm

from . import checkpoints, data, losses, nets
from .mode import device as best_device
from .mode import seed as seed_all


@dataclass
class History:
    """What a run leaves behind: losses per generator step, snapshots of g_theta(z_fixed), wall time."""

    d_loss: list = field(default_factory=list)
    g_loss: list = field(default_factory=list)
    snapshots: list = field(default_factory=list)  # (step, samples on the CPU)
    seconds: float = 0.0


def _finite(value, what, step):
    if value != value or value in (float("inf"), float("-inf")):
        raise FloatingPointError(
            f"the {what} loss is {value} at generator step {step}: training diverged. "
            "Lower the learning rate, check the inputs' scale, or use the gradient penalty instead of a larger clip."
        )
    return value


def train(G, D, real, *, d_loss, g_loss, opt_G, opt_D, steps, batch_size=64, n_critic=1, after_d_step=None,
          snapshot_every=0, snapshot_z=None, callback=None, history=None, progress=True, desc="training"):
    """Alternate ``n_critic`` discriminator steps and one generator step, ``steps`` times.

    Parameters
    ----------
    G, D : generator (with ``noise(n)``) and discriminator, already on their device.
    real : function n -> a batch of n data points y ~ nu (see ``data.sampler``).
    d_loss, g_loss : losses from ``gankit.losses`` (minimised).
    n_critic : int, or a function of the generator step (WGAN gives 100 critic steps early on).
    after_d_step : called with D after each discriminator update (weight clipping).
    snapshot_every, snapshot_z : every so many generator steps, store G(snapshot_z) in the history.
    callback : called as callback(step, G, D) after every generator step (for measurements).
    history : a History to continue (for training in several calls).

    Returns the History (losses per generator step, snapshots, seconds).
    """
    h = history or History()
    dev = next(G.parameters()).device
    start = len(h.g_loss)
    t0 = time.perf_counter()
    for step in tqdm(range(start + 1, start + steps + 1), desc=desc, disable=not progress, leave=False):
        k = n_critic(step) if callable(n_critic) else n_critic
        if k < 1:
            raise ValueError(f"n_critic must be at least 1 discriminator step per generator step, got {k}")
        for _ in range(k):
            y = real(batch_size).to(dev)
            with torch.no_grad():
                x = G(G.noise(y.shape[0]))
            opt_D.zero_grad(set_to_none=True)
            ld = d_loss(D, y, x)
            ld.backward()
            opt_D.step()
            if after_d_step is not None:
                after_d_step(D)
        opt_G.zero_grad(set_to_none=True)
        lg = g_loss(D, G(G.noise(batch_size)))
        lg.backward()
        opt_G.step()
        h.d_loss.append(_finite(ld.item(), "discriminator", step))
        h.g_loss.append(_finite(lg.item(), "generator", step))
        if snapshot_every and step % snapshot_every == 0:
            with torch.no_grad():
                G.eval()
                h.snapshots.append((step, G(snapshot_z).cpu()))
                G.train()
        if callback is not None:
            callback(step, G, D)
    h.seconds += time.perf_counter() - t0
    return h


# ----------------------------------------------------------------------------- the classifier

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
    from .metrics import accuracy

    return C.eval(), accuracy(C, *data.mnist(train=False, root=root))


# ----------------------------------------------------------------------------- MNIST GAN recipes

def _optimizer(name, params, lr, betas=(0.5, 0.999)):
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=betas)
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr)
    raise ValueError(f"unknown optimiser {name!r}")


LOSSES = {
    "gan": lambda r: dict(d_loss=losses.gan_d_loss, g_loss=losses.gan_g_loss),
    "wgan-clip": lambda r: dict(d_loss=losses.wgan_d_loss, g_loss=losses.wgan_g_loss,
                                after_d_step=lambda D: losses.clip_weights(D, r["clip"])),
    "wgan-gp": lambda r: dict(d_loss=losses.wgan_gp_d_loss(r["lam"]), g_loss=losses.wgan_g_loss),
}

# Every checkpoint the kit ships, with the settings that made it. An "epoch" is one pass of the
# discriminator over the 60,000 training images, i.e. 60000 // (batch * n_critic) generator steps.
RECIPES = {
    "classifier": dict(kind="classifier", epochs=3, seed=0),
    "mlp_adam": dict(arch="mlp", loss="gan", opt="adam", lr=2e-4, betas=(0.5, 0.999), epochs=20, batch=64, seed=0),
    "mlp_sgd": dict(arch="mlp", loss="gan", opt="sgd", lr=0.01, epochs=10, batch=64, seed=0),
    "dcgan_adam": dict(arch="dcgan", loss="gan", opt="adam", lr=2e-4, betas=(0.5, 0.999), epochs=25, batch=64, seed=0),
    # Arjovsky et al. 2017, Algorithm 1 defaults (and their 100 critic steps early on and every 500th step)
    # (clipping learns slowly: 40 epochs, 7,480 generator steps)
    "wgan_clip": dict(arch="dcgan", loss="wgan-clip", opt="rmsprop", lr=5e-5, clip=0.01, n_critic="wgan",
                      epochs=40, batch=64, seed=0),
    # Gulrajani et al. 2017: lambda = 10, Adam 1e-4 with betas (0.5, 0.9), 5 critic steps
    "wgan_gp": dict(arch="dcgan", loss="wgan-gp", opt="adam", lr=1e-4, betas=(0.5, 0.9), lam=10.0, n_critic=5,
                    epochs=10, batch=64, seed=0),
}


def wgan_critic_steps(step):
    """The original WGAN schedule: 100 critic steps for the first 25 generator steps and every 500th, else 5."""
    return 100 if step <= 25 or step % 500 == 0 else 5


def train_mnist_gan(recipe, epochs=None, root=None, progress=True, fid_samples=2000):
    """Train a GAN recipe on MNIST; returns (G, D, meta) with MNIST-FID and a sample grid after every epoch."""
    from . import metrics

    r = {**recipe, **({"epochs": epochs} if epochs else {})}
    seed_all(r["seed"])
    dev = best_device()
    x, _ = data.mnist(train=True, root=root)
    x_test, _ = data.mnist(train=False, root=root)
    real = data.sampler(x, seed=r["seed"])
    G, D = nets.make(r["arch"])
    G, D = G.to(dev), D.to(dev)
    opt_G = _optimizer(r["opt"], G.parameters(), r["lr"], r.get("betas", (0.5, 0.999)))
    opt_D = _optimizer(r["opt"], D.parameters(), r["lr"], r.get("betas", (0.5, 0.999)))
    n_critic = wgan_critic_steps if r.get("n_critic") == "wgan" else r.get("n_critic", 1)
    per_epoch = len(x) // (r["batch"] * (5 if callable(n_critic) else n_critic))
    fixed_z = G.noise(64, seed=1234)
    f_test = metrics.features(x_test)
    fid_curve, grids, h = [], [], History()
    for epoch in range(1, r["epochs"] + 1):
        h = train(G, D, real, opt_G=opt_G, opt_D=opt_D, steps=per_epoch, batch_size=r["batch"], n_critic=n_critic,
                  history=h, progress=progress, desc=f"epoch {epoch}/{r['epochs']}", **LOSSES[r["loss"]](r))
        G.eval()
        with torch.no_grad():
            grids.append(((G(fixed_z).cpu() + 1) * 127.5).round().clamp(0, 255).to(torch.uint8))
            fid_curve.append(metrics.fid(G.sample(fid_samples, seed=epoch), fy=f_test))
        G.train()
        if progress:
            print(f"epoch {epoch}: MNIST-FID ({fid_samples} samples) = {fid_curve[-1]:.2f}, {h.seconds:.0f} s", flush=True)
    meta = dict(recipe=r, steps=len(h.g_loss), seconds=round(h.seconds, 1), fid_per_epoch=fid_curve,
                grids=torch.stack(grids), d_loss=h.d_loss, g_loss=h.g_loss)
    return G.eval(), D.eval(), meta


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m gankit.train", description="Make the kit's checkpoints (seeded).")
    p.add_argument("name", nargs="?", help="recipe name: " + ", ".join(RECIPES))
    p.add_argument("--list", action="store_true", help="list the recipes and their settings")
    p.add_argument("--epochs", type=int, help="override the recipe's number of epochs")
    p.add_argument("--data", help="folder holding MNIST/raw (default: GANKIT_DATA, then the cache)")
    p.add_argument("--out", help="output file (default: gankit/checkpoints/NAME.pt)")
    a = p.parse_args(argv)
    if a.list or not a.name:
        for k, v in RECIPES.items():
            print(f"{k:12s} {v}")
        return 0
    if a.name not in RECIPES:
        p.error(f"unknown recipe {a.name!r}; choose one of {', '.join(RECIPES)}")
    r = {**RECIPES[a.name], **({"epochs": a.epochs} if a.epochs else {})}
    command = "python -m gankit.train " + " ".join(argv if argv is not None else sys.argv[1:])
    t0 = time.perf_counter()
    if r.get("kind") == "classifier":
        C, acc = train_classifier(epochs=r["epochs"], seed=r["seed"], root=a.data)
        meta = dict(recipe=r, test_accuracy=acc)
        modules = dict(C=C)
        print(f"test accuracy {acc:.4f}")
    else:
        G, D, meta = train_mnist_gan(r, root=a.data)
        modules = dict(G=G, D=D)
    meta.update(name=a.name, command=command, seed=r["seed"], seconds=round(time.perf_counter() - t0, 1))
    path = checkpoints.save(a.out or a.name, meta, **modules)
    print(f"saved {path.name} ({path.stat().st_size / 1e6:.1f} MB) in {meta['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
