"""gankit: a course kit on GANs, Wasserstein GANs and optimal transport.

Modules, each named after the idea it holds: ``mode`` (lecture/quick step counts, device, seed), ``data`` (toy sets,
MNIST), ``nets`` (generators, discriminators, the MNIST classifier, batched evaluation), ``losses`` (GAN and WGAN
losses, clipping, gradient penalty), ``loop`` (the one training loop), ``recipes`` (the checkpoints' settings),
``curves`` (how fast a training curve moves; when it is flat), ``train`` (the commands that make the checkpoints),
``budget`` (what a run cost; runs compared at equal budget), ``checkpoints``, ``metrics`` (MNIST-FID, coverage,
precision/recall), ``tables`` (printed and Markdown tables), ``plots``, ``divergences`` (optimal discriminator, JS, KL, TV and Pinsker's
inequality), ``manifolds`` (supports on segments of the plane: perfect discriminators, JS = log 2, the
vanishing-gradient bound), ``toys`` (2D GANs, the 6-point example, vanishing gradients, mode coverage), ``wgan``
(critics against exact W1), ``wganplots`` (notebook 03's figures),
``semidiscrete`` (semi-discrete optimal transport), ``duality`` (discrete OT and its dual as
linear programs, Lipschitz slopes), ``kitagawa`` (the semi-dual's theorem checked on a grid: H's flat
direction, T_psi optimal to its image), ``sdwgan`` (the semi-discrete WGAN and the Grad-OT formula), ``drs`` and ``dot``
(better samples from a trained GAN), ``closedforms`` (the exercises' answers), ``answers`` (how an answer is
compared), ``check`` (the exercise checks), ``verdicts`` (what a check shows; the record grading reads), ``grade``
(scores of submitted notebooks), ``exercises`` (exercises made from solutions), ``oneway`` (answers in one-way form
and the student release's checker), ``release`` (the student release: no solutions), ``notebooks`` (run the
notebooks), ``results`` (the closing comparison), ``readme`` (measure the kit for README).
"""
__version__ = "0.1.0"

from .mode import QUICK, device, seed, steps  # noqa: E402,F401
