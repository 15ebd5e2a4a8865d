"""gankit: a course kit on GANs, Wasserstein GANs and optimal transport.

Modules, each named after the idea it holds: ``mode`` (lecture/quick step counts, device, seed),
``data`` (toy sets, MNIST), ``nets`` (generators, discriminators, the MNIST classifier), ``losses``
(GAN and WGAN losses, clipping, gradient penalty), ``train`` (the one training loop and the commands
that make the checkpoints), ``checkpoints``, ``metrics`` (MNIST-FID, coverage, precision/recall),
``plots``, ``divergences`` (optimal discriminator, JS, vanishing gradients), ``toys`` (2D GANs and the
6-point example), ``wgan`` (critics against exact W1), ``ot`` (semi-discrete optimal transport), ``samplers``
(DRS, DOT), ``check`` and ``exercises`` (exercise checks, exercises made from solutions), ``notebooks`` and
``results`` (run the notebooks, measure the kit for README).
"""
__version__ = "0.1.0"

from .mode import QUICK, device, seed, steps  # noqa: E402,F401
