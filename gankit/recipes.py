"""The MNIST recipes: the settings of every checkpoint the kit ships, and what a recipe starts a run from.

A recipe (``RECIPES[name]``, stored in each checkpoint's ``meta["recipe"]``) names an architecture (``nets``), a
loss (``LOSSES``, from ``gankit.losses``), an optimiser and its settings, the critic steps per generator step, the
batch size, the seed and the most epochs it runs. ``schedule`` turns it into steps per epoch, ``settings`` into what
identifies a run, ``networks`` into the seeded networks and optimisers a run starts from. ``gankit.train`` runs
them (``python -m gankit.train NAME``), ``gankit.budget`` times them.
"""
import copy
import json

from . import losses, nets
from .loop import optimizer
from .mode import seed as seed_all

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
# "layers": its number of convolutions (``nets.DCGenerator``); "grid_images": how many of each epoch's 64 sample-grid
# images the checkpoint keeps (all 64 by default).
RECIPES = {
    "classifier": dict(kind="classifier", epochs=3, seed=0),
    # the slides' MLP pair: Adam (the slides' setting) against plain SGD (mode collapse)
    # the two MLP runs: a fixed number of epochs, MNIST-FID of 2,000 samples after each (stop="epochs", fid_samples)
    "mlp_adam": dict(arch="mlp", loss="gan", opt="adam", lr=2e-4, betas=(0.5, 0.999), epochs=100, batch=64, seed=0,
                     stop="epochs", fid_samples=2000),
    "mlp_sgd": dict(arch="mlp", loss="gan", opt="sgd", lr=0.01, epochs=10, batch=64, seed=0, stop="epochs",
                    fid_samples=2000),
    # the slides' SGD example as the kit reads it: "same as before but with SGD", the rate 0.0002, 100 epochs
    "mlp_sgd_slides": dict(arch="mlp", loss="gan", opt="sgd", lr=2e-4, epochs=100, batch=64, seed=0, stop="epochs",
                           fid_samples=2000, grid_images=16),   # 16 of each epoch's 64 grid images: 100 epochs
    # the same game with the R1 penalty gamma / 2 E||grad D(y)||^2 on real digits (Mescheder et al. 2018)
    "dcgan_adam": dict(arch="dcgan", c=48, layers=3, loss="gan-r1", gamma=1.0, opt="adam", lr=2e-4, betas=(0.5, 0.999),
                       ema=0.999, epochs=40, batch=64, seed=0),
    # Arjovsky et al. 2017, Algorithm 1: RMSProp 5e-5, c = 0.01, 5 critic steps (100 early on and every 500th); at
    # most 200 epochs, as wgan_gp
    "wgan_clip": dict(arch="dcgan", c=64, loss="wgan-clip", opt="rmsprop", lr=5e-5, clip=0.01, n_critic="wgan",
                      ema=0.999, epochs=200, batch=64, seed=0),
    # Gulrajani et al. 2017: lambda = 10, 5 critic steps, Adam 1e-4 with betas (0.5, 0.9) (their MNIST code); at most
    # 200 epochs, about the generator steps of dcgan_adam's 40 (37,400 and 37,480); the flat rule may stop it earlier
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
    """A recipe without what only says how long it runs and how it is measured (epochs, stop, fid_samples,
    grid_images), in JSON
    form (tuples as lists): what identifies a run, so that a run with more epochs continues it and a timing applies
    to it.

    >>> settings(dict(lr=0.1, betas=(0.5, 0.9), epochs=3, stop="epochs", fid_samples=2000))
    {'lr': 0.1, 'betas': [0.5, 0.9]}
    """
    skip = ("epochs", "stop", "fid_samples", "grid_images")
    return json.loads(json.dumps({k: v for k, v in recipe.items() if k not in skip}))


def networks(r, dev):
    """The networks and optimisers recipe ``r`` starts from, on device ``dev``, seeded by ``r["seed"]``:
    (G, D, G_avg, opt_G, opt_D); G_avg is a copy of G to average into (``loop.ema_update``) when the recipe has "ema",
    else None."""
    seed_all(r["seed"])
    size = {k: r[k] for k in ("c", "layers") if k in r}
    G, D = nets.make(r["arch"], G=size, D=size)
    G, D = G.to(dev), D.to(dev)
    G_avg = copy.deepcopy(G).eval() if r.get("ema") else None
    betas = r.get("betas", (0.5, 0.999))
    return G, D, G_avg, optimizer(r["opt"], G.parameters(), r["lr"], betas), optimizer(r["opt"], D.parameters(), r["lr"], betas)
