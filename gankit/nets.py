"""Generators g_theta and discriminators D: MLPs for 2D toys, an MLP and a small DCGAN for MNIST.

Every discriminator returns one real number per sample (a logit for a GAN, a critic value for a WGAN):
the loss decides how it is read. Generators map noise Z ~ N(0, Id) of size ``z_dim`` to a sample.
"""
import numbers

import torch
from torch import nn


def mlp(sizes, act=nn.ReLU, last=None):
    """Linear layers of the given sizes with ``act`` between them and ``last`` (a module class) at the end."""
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(act())
    if last is not None:
        layers.append(last())
    return nn.Sequential(*layers)


def device_of(module):
    """The device of a module's parameters (the CPU for a module without any)."""
    p = next(module.parameters(), None)
    return p.device if p is not None else torch.device("cpu")


class evaluating:
    """Context manager: the given modules in eval mode inside the block, each back in its previous mode after
    (a module that was training trains again, one that was evaluating stays so), even if the block raises.

    >>> m = nn.BatchNorm1d(3)
    >>> with evaluating(m):
    ...     m.training
    False
    >>> m.training
    True
    """

    def __init__(self, *modules):
        self.modules = [m for m in modules if isinstance(m, nn.Module)]

    def __enter__(self):
        self.modes = [m.training for m in self.modules]
        for m in self.modules:
            m.eval()
        return self

    def __exit__(self, *exc):
        for m, mode in zip(self.modules, self.modes):
            m.train(mode)
        return False


def batched(f, x, batch=1000, device=None):
    """f(x) computed ``batch`` rows at a time on ``device`` (default: f's own, when f is a module), without
    gradient, concatenated on the CPU: the one loop behind sampling, scoring and feature extraction.

    >>> batched(nn.Identity(), torch.arange(5.0), batch=2)
    tensor([0., 1., 2., 3., 4.])
    """
    device = device or (device_of(f) if isinstance(f, nn.Module) else torch.device("cpu"))
    with torch.no_grad():
        return torch.cat([f(x[i:i + batch].to(device)).cpu() for i in range(0, len(x), batch)])


class Generator(nn.Module):
    """Base class: ``z_dim``, ``noise(n)`` = Z ~ N(0, Id) and ``sample(n)`` = g_theta(Z)."""

    z_dim = 2

    def noise(self, n, seed=None):
        """n latent codes Z ~ N(0, Id) (drawn on the CPU with ``seed``, then moved to the generator's device).

        >>> ToyGenerator().noise(-1)
        Traceback (most recent call last):
        ValueError: the number of samples n must be a positive integer, got -1
        """
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
            raise ValueError(f"the number of samples n must be a positive integer, got {n!r}")
        g = None if seed is None else torch.Generator().manual_seed(seed)
        return torch.randn(n, self.z_dim, generator=g).to(device_of(self))

    def sample(self, n, seed=None, batch=1000):
        """n samples g_theta(Z) on the CPU, no gradient, ``batch`` at a time (same seed, same samples)."""
        return batched(self, self.noise(n, seed), batch)


ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh}


class ToyGenerator(Generator):
    """2D generator: an MLP z (z_dim) -> 2 with ``depth`` hidden layers of ``width`` (WGAN-GP toys: 3 x 512) and
    activation ``act`` ("relu" or "tanh")."""

    def __init__(self, z_dim=2, width=512, depth=3, act="relu"):
        super().__init__()
        self.kwargs = dict(z_dim=z_dim, width=width, depth=depth, act=act)
        self.z_dim = z_dim
        self.net = mlp([z_dim] + [width] * depth + [2], act=ACTIVATIONS[act])

    def forward(self, z):
        return self.net(z)


class ToyDiscriminator(nn.Module):
    """2D discriminator / critic: an MLP 2 -> 1 with ``depth`` hidden layers of ``width`` and activation ``act``."""

    def __init__(self, width=512, depth=3, act="relu"):
        super().__init__()
        self.kwargs = dict(width=width, depth=depth, act=act)
        self.net = mlp([2] + [width] * depth + [1], act=ACTIVATIONS[act])

    def forward(self, x):
        return self.net(x).squeeze(-1)


class MLPGenerator(Generator):
    """MNIST generator (the kit's; the slides give no architecture): z (100) -> 256 -> 512 -> 784, LeakyReLU(0.2), tanh output in [-1, 1]."""

    def __init__(self, z_dim=100, width=256):
        super().__init__()
        self.kwargs = dict(z_dim=z_dim, width=width)
        self.z_dim = z_dim
        self.net = mlp([z_dim, width, 2 * width, 784], act=lambda: nn.LeakyReLU(0.2), last=nn.Tanh)

    def forward(self, z):
        return self.net(z).view(-1, 1, 28, 28)


class MLPDiscriminator(nn.Module):
    """MNIST discriminator: 784 -> 512 -> 256 -> 1, LeakyReLU(0.2)."""

    def __init__(self, width=256):
        super().__init__()
        self.kwargs = dict(width=width)
        self.net = mlp([784, 2 * width, width, 1], act=lambda: nn.LeakyReLU(0.2))

    def forward(self, x):
        return self.net(x.flatten(1)).squeeze(-1)


class DCGenerator(Generator):
    """DCGAN generator (Radford et al. 2016) for 28 x 28 images, BatchNorm + ReLU, tanh at the end.

    layers=2: z (100) -> linear -> (2c, 7, 7) -> ConvT -> (c, 14, 14) -> ConvT -> (1, 28, 28).
    layers=3: z (100) -> linear -> (4c, 4, 4) -> ConvT -> (2c, 7, 7) -> ConvT -> (c, 14, 14) -> ConvT -> (1, 28, 28)
    (the shape of the improved-WGAN MNIST generator, Gulrajani et al. 2017).
    """

    def __init__(self, z_dim=100, c=32, layers=2):
        super().__init__()
        if layers not in (2, 3):
            raise ValueError(f"layers must be 2 or 3, got {layers!r}")
        self.kwargs = dict(z_dim=z_dim, c=c, **({"layers": layers} if layers != 2 else {}))
        self.z_dim, self.c, self.layers = z_dim, c, layers
        top, side = (2 * c, 7) if layers == 2 else (4 * c, 4)
        self.shape = (top, side, side)
        self.fc = nn.Sequential(nn.Linear(z_dim, top * side * side), nn.BatchNorm1d(top * side * side), nn.ReLU())
        first = [nn.ConvTranspose2d(4 * c, 2 * c, 3, 2, 1), nn.BatchNorm2d(2 * c), nn.ReLU()] if layers == 3 else []
        self.conv = nn.Sequential(
            *first,
            nn.ConvTranspose2d(2 * c, c, 4, 2, 1), nn.BatchNorm2d(c), nn.ReLU(),
            nn.ConvTranspose2d(c, 1, 4, 2, 1), nn.Tanh(),
        )

    def forward(self, z):
        return self.conv(self.fc(z).view(-1, *self.shape))


class DCDiscriminator(nn.Module):
    """DCGAN discriminator: (1, 28, 28) -> Conv (c, 14, 14) -> Conv (2c, 7, 7) [-> Conv (4c, 4, 4) when layers=3]
    -> linear -> 1.

    LeakyReLU(0.2) and no BatchNorm, so that the same network can serve as a WGAN-GP critic
    (the gradient penalty is per sample, which batch statistics would break).
    """

    def __init__(self, c=32, layers=2):
        super().__init__()
        if layers not in (2, 3):
            raise ValueError(f"layers must be 2 or 3, got {layers!r}")
        self.kwargs = dict(c=c, **({"layers": layers} if layers != 2 else {}))
        third = [nn.Conv2d(2 * c, 4 * c, 3, 2, 1), nn.LeakyReLU(0.2)] if layers == 3 else []
        self.net = nn.Sequential(
            nn.Conv2d(1, c, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(c, 2 * c, 4, 2, 1), nn.LeakyReLU(0.2),
            *third,
            nn.Flatten(), nn.Linear(2 * c * 7 * 7 if layers == 2 else 4 * c * 4 * 4, 1),
        )

    def forward(self, x):
        return self.net(x).squeeze(-1)


ARCHS = {
    "toy": (ToyGenerator, ToyDiscriminator),
    "mlp": (MLPGenerator, MLPDiscriminator),
    "dcgan": (DCGenerator, DCDiscriminator),
}


def make(arch, **kw):
    """A fresh (generator, discriminator) pair of architecture ``arch`` ("toy", "mlp" or "dcgan")."""
    if arch not in ARCHS:
        raise ValueError(f"unknown architecture {arch!r}; choose one of {sorted(ARCHS)}")
    G, D = ARCHS[arch]
    return G(**kw.get("G", {})), D(**kw.get("D", {}))


def layer_shapes(net, x):
    """The leaf layers of ``net`` in the order its forward pass calls them on the batch x, each with the shape it
    outputs for one sample: a list of (layer name, shape). Where a layer receives another shape than the one before
    it gave (a ``view`` inside ``forward``, e.g. the DCGAN generator's vector turned into a small image), a row
    ("reshape", that shape) shows it. Runs in eval mode without gradient; the net's mode is restored.

    >>> for row in layer_shapes(DCGenerator(c=4, layers=3), torch.zeros(2, 100))[:6]:
    ...     print(row)
    ('Linear', (256,))
    ('BatchNorm1d', (256,))
    ('ReLU', (256,))
    ('reshape', (16, 4, 4))
    ('ConvTranspose2d', (8, 7, 7))
    ('BatchNorm2d', (8, 7, 7))
    """
    rows, last = [], [tuple(x.shape[1:])]

    def record(module, inputs, out):
        if tuple(inputs[0].shape[1:]) != last[0]:
            rows.append(("reshape", tuple(inputs[0].shape[1:])))
        last[0] = tuple(out.shape[1:])
        rows.append((type(module).__name__, last[0]))

    hooks = [m.register_forward_hook(record) for m in net.modules() if not list(m.children())]
    try:
        with torch.no_grad(), evaluating(net):
            net(x)
    finally:
        for h in hooks:
            h.remove()
    return rows


def layer_table(net, x):
    """``layer_shapes`` as text: the network's class, parameter count and input shape, then one line per layer.

    >>> print(layer_table(MLPDiscriminator(width=8), torch.zeros(1, 1, 28, 28)))  # doctest: +NORMALIZE_WHITESPACE
    MLPDiscriminator (12,705 parameters), input (1, 28, 28):
        reshape            -> (784,)
        Linear             -> (16,)
        LeakyReLU          -> (16,)
        Linear             -> (8,)
        LeakyReLU          -> (8,)
        Linear             -> (1,)
    """
    n_params = sum(p.numel() for p in net.parameters())
    rows = [f"    {layer:18s} -> {shape}" for layer, shape in layer_shapes(net, x)]
    return "\n".join([f"{type(net).__name__} ({n_params:,} parameters), input {tuple(x.shape[1:])}:"] + rows)


class Classifier(nn.Module):
    """The kit's MNIST classifier, the feature map of MNIST-FID and of precision / recall.

    Conv(16) -> Conv(16) -> pool -> Conv(32) -> Conv(32) -> pool -> linear 128 (the features) -> linear 10.
    ``features(x)`` returns the 128-dimensional penultimate layer (after ReLU).
    """

    def __init__(self, width=16, n_features=128):
        super().__init__()
        self.kwargs = dict(width=width, n_features=n_features)
        w = width
        block = lambda a, b: [nn.Conv2d(a, b, 3, padding=1), nn.BatchNorm2d(b), nn.ReLU()]
        self.body = nn.Sequential(
            *block(1, w), *block(w, w), nn.MaxPool2d(2),
            *block(w, 2 * w), *block(2 * w, 2 * w), nn.MaxPool2d(2),
            nn.Flatten(), nn.Dropout(0.3), nn.Linear(2 * w * 7 * 7, n_features), nn.ReLU(),
        )
        self.head = nn.Sequential(nn.Dropout(0.3), nn.Linear(n_features, 10))

    def features(self, x):
        return self.body(x)

    def forward(self, x):
        return self.head(self.body(x))
