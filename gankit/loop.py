"""One alternating training loop for every adversarial model of the course.

The loop (Goodfellow et al. 2014; Arjovsky et al. 2017, Algorithm 1), for each generator step:

    repeat n_critic times:   y ~ nu,  z ~ zeta,   D <- D - opt_D step on d_loss(D, y, g_theta(z))
                             after_d_step(D)                 (e.g. weight clipping)
    then:                    z ~ zeta,            theta <- opt_G step on g_loss(D, g_theta(z))

GAN, WGAN-clip, WGAN-GP and the semi-discrete WGAN differ only by the losses, optimisers and
``after_d_step`` passed in. The MNIST recipes that use it are in ``gankit.train``.

References: Goodfellow et al., Generative Adversarial Nets, NeurIPS 2014 (arXiv:1406.2661);
Arjovsky, Chintala, Bottou, Wasserstein GAN, ICML 2017 (arXiv:1701.07875).
"""
import time
from dataclasses import dataclass, field

import torch
from tqdm.auto import tqdm


@dataclass
class History:
    """What a run leaves behind, one entry per generator step (snapshots every so many steps)."""

    d_loss: list = field(default_factory=list)     # the discriminator's loss on its last batch
    g_loss: list = field(default_factory=list)     # the generator's loss
    monitor: list = field(default_factory=list)    # monitor(D, y, x) on the last critic batch, when asked
    snapshots: list = field(default_factory=list)  # (step, g_theta(snapshot_z) on the CPU)
    seconds: float = 0.0


def finite(value, what, step):
    """``value`` unchanged, or FloatingPointError when it is NaN or infinite (a diverged run)."""
    if value != value or value in (float("inf"), float("-inf")):
        raise FloatingPointError(
            f"the {what} loss is {value} at generator step {step}: training diverged. "
            "Lower the learning rate, check the inputs' scale, or use the gradient penalty instead of a larger clip."
        )
    return value


def train(G, D, real, *, d_loss, g_loss, opt_G, opt_D, steps, batch_size=64, n_critic=1, after_d_step=None,
          monitor=None, snapshot_every=0, snapshot_z=None, callback=None, history=None, progress=True,
          desc="training"):
    """Alternate ``n_critic`` discriminator steps and one generator step, ``steps`` times.

    Parameters
    ----------
    G, D : generator (with ``noise(n)``) and discriminator, already on their device.
    real : function n -> a batch of n data points y ~ nu (see ``data.batches``).
    d_loss, g_loss : losses from ``gankit.losses`` (minimised).
    n_critic : int, or a function of the generator step (WGAN gives 100 critic steps early on).
    after_d_step : called with D after each discriminator update (weight clipping).
    monitor : monitor(D, y, x) -> float on the last critic batch of each generator step, stored in
        ``history.monitor`` (e.g. ``losses.critic_gap``, the critic's estimate of W_1).
    snapshot_every, snapshot_z : every so many generator steps, store G(snapshot_z) in the history.
    callback : called as callback(step, G, D) after every generator step (for measurements).
    history : a History to continue (for training in several calls; the step count goes on).

    Returns the History.

    >>> from gankit import data, losses, nets
    >>> G, D = nets.make("toy", G=dict(width=8, depth=1), D=dict(width=8, depth=1))
    >>> opt = lambda m: torch.optim.Adam(m.parameters(), 1e-3)
    >>> h = train(G, D, data.batches("8gaussians", seed=0), d_loss=losses.gan_d_loss, g_loss=losses.gan_g_loss,
    ...           opt_G=opt(G), opt_D=opt(D), steps=3, progress=False)
    >>> len(h.g_loss), len(h.d_loss)
    (3, 3)
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
        if monitor is not None:
            h.monitor.append(monitor(D, y, x))
        opt_G.zero_grad(set_to_none=True)
        lg = g_loss(D, G(G.noise(batch_size)))
        lg.backward()
        opt_G.step()
        h.d_loss.append(finite(ld.item(), "discriminator", step))
        h.g_loss.append(finite(lg.item(), "generator", step))
        if snapshot_every and step % snapshot_every == 0:
            with torch.no_grad():
                G.eval()
                h.snapshots.append((step, G(snapshot_z).cpu()))
                G.train()
        if callback is not None:
            callback(step, G, D)
    h.seconds += time.perf_counter() - t0
    return h


def optimizer(name, params, lr, betas=(0.5, 0.999)):
    """The optimisers of the course by name: "adam" (with ``betas``), "sgd" or "rmsprop".

    >>> type(optimizer("rmsprop", [torch.zeros(1, requires_grad=True)], lr=5e-5)).__name__
    'RMSprop'
    """
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=betas)
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr)
    raise ValueError(f"unknown optimiser {name!r}; choose 'adam', 'sgd' or 'rmsprop'")


def ema_update(G_avg, G, beta):
    """theta_avg <- beta * theta_avg + (1 - beta) * theta, batch-norm statistics copied from G.

    The exponential moving average of the generator's weights along training (Yazici et al., The
    unusual effectiveness of averaging in GAN training, ICLR 2019, arXiv:1806.04498): it smooths the
    oscillation of the adversarial game, at no cost to training.

    >>> a, b = torch.nn.Linear(1, 1, bias=False), torch.nn.Linear(1, 1, bias=False)
    >>> _ = a.weight.data.fill_(0.0), b.weight.data.fill_(1.0)
    >>> ema_update(a, b, beta=0.9); round(a.weight.item(), 6)
    0.1
    """
    with torch.no_grad():
        for pa, p in zip(G_avg.parameters(), G.parameters()):
            pa.lerp_(p, 1 - beta)
        for ba, b in zip(G_avg.buffers(), G.buffers()):
            ba.copy_(b)
