"""Data: the 2D toy sets of the WGAN-GP paper, the slides' tiny point sets, and MNIST.

Toy samplers follow the improved-WGAN code (Gulrajani et al. 2017):
8 gaussians of std 0.02 on a circle of radius 2, divided by 1.414; 25 gaussians of std 0.05 centred on
the grid 2*{-2..2}^2, divided by 2.828; the swiss roll with noise 0.25, columns (0, 2), divided by 7.5.

MNIST comes from ``torchvision.datasets.MNIST`` and is scaled to [-1, 1]. Its folder is looked for in
this order: the ``root`` argument, the ``GANKIT_DATA`` environment variable, the cache folder
``~/.cache/gankit`` (downloaded there when online).
"""
import math
import os
from pathlib import Path

import numpy as np
import torch
import torchvision

# ----------------------------------------------------------------------------- toy sets

EIGHT_CENTRES = torch.tensor([(2 * math.cos(k * math.pi / 4), 2 * math.sin(k * math.pi / 4)) for k in range(8)]) / 1.414
TWENTYFIVE_CENTRES = torch.tensor([(2.0 * i, 2.0 * j) for i in range(-2, 3) for j in range(-2, 3)]) / 2.828
TWENTYFIVE_STD = 0.05 / 2.828  # the std of each of the 25 gaussians after scaling


def _generator(seed):
    """``seed`` may be None (torch's global generator), an int, or a torch.Generator (used as is)."""
    if seed is None or isinstance(seed, torch.Generator):
        return seed
    return torch.Generator().manual_seed(seed)


def eight_gaussians(n, seed=None):
    """n points of the 8-gaussian mixture: centres on the circle of radius 2, std 0.02, all divided by 1.414."""
    g = _generator(seed)
    centres = EIGHT_CENTRES * 1.414
    k = torch.randint(0, 8, (n,), generator=g)
    return (centres[k] + 0.02 * torch.randn(n, 2, generator=g)) / 1.414


def twentyfive_gaussians(n, seed=None):
    """n points of the 25-gaussian mixture: centres 2*{-2..2}^2, std 0.05, all divided by 2.828."""
    g = _generator(seed)
    centres = TWENTYFIVE_CENTRES * 2.828
    k = torch.randint(0, 25, (n,), generator=g)
    return (centres[k] + 0.05 * torch.randn(n, 2, generator=g)) / 2.828


def swiss_roll(n, seed=None):
    """n points of the swiss roll (noise 0.25), columns 0 and 2, divided by 7.5."""
    g = _generator(seed)
    t = 1.5 * math.pi * (1 + 2 * torch.rand(n, generator=g))
    x = t * torch.cos(t) + 0.25 * torch.randn(n, generator=g)
    z = t * torch.sin(t) + 0.25 * torch.randn(n, generator=g)
    return torch.stack([x, z], dim=1) / 7.5


def six_points():
    """The slides' tiny data set (J = 6 points), used for the "What did you expect?" sequence."""
    return torch.tensor([[-1.0, 1.0], [0.0, 1.2], [1.0, 1.0], [-1.0, -1.0], [0.0, -1.2], [1.0, -1.0]])


TOYS = {"8gaussians": eight_gaussians, "25gaussians": twentyfive_gaussians, "swissroll": swiss_roll}


def toy(name, n, seed=None):
    """n samples of the toy set ``name`` (one of ``8gaussians``, ``25gaussians``, ``swissroll``)."""
    if name not in TOYS:
        raise ValueError(f"unknown toy set {name!r}; choose one of {sorted(TOYS)}")
    return TOYS[name](n, seed=seed)


def batches(points, seed=None):
    """A function ``real(n)`` that draws n rows of ``points`` by shuffled passes (epochs) over them,
    or, when ``points`` names a toy set, n fresh samples of it.

    This is how the training loop sees a finite data set nu = (1/J) sum_j delta_{y_j}.
    """
    g = _generator(seed)
    if isinstance(points, str):
        return lambda n: toy(points, n, seed=g)
    J = points.shape[0]
    order, pos = torch.randperm(J, generator=g), 0

    def real(n):
        nonlocal order, pos
        if pos + n > J:
            order, pos = torch.randperm(J, generator=g), 0
        idx = order[pos:pos + n] if n <= J else torch.randint(0, J, (n,), generator=g)
        pos += n
        return points[idx]

    return real


# ----------------------------------------------------------------------------- MNIST

MNIST_FILES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
DEFAULT_CACHE = Path.home() / ".cache" / "gankit"


class DataNotFoundError(FileNotFoundError):
    """MNIST is neither on disk nor downloadable from here."""


def _has_mnist(root):
    raw = Path(root) / "MNIST" / "raw"
    return all((raw / f).exists() or (raw / (f + ".gz")).exists() for f in MNIST_FILES)


def mnist_root(root=None, download=True):
    """The folder that holds ``MNIST/raw/``: ``root``, else ``$GANKIT_DATA``, else ``~/.cache/gankit``.

    If none of them has the files, it downloads into the cache folder (when ``download`` and online);
    otherwise it raises DataNotFoundError naming every place it looked and how to fix it.
    """
    tried = []
    for label, place in (("argument root", root), ("GANKIT_DATA", os.environ.get("GANKIT_DATA")), ("default cache", DEFAULT_CACHE)):
        if place:
            tried.append(f"  - {label}: {Path(place) / 'MNIST' / 'raw'}")
            if _has_mnist(place):
                return Path(place)
    error = None
    if download:
        try:
            DEFAULT_CACHE.mkdir(parents=True, exist_ok=True)
            torchvision.datasets.MNIST(DEFAULT_CACHE, train=True, download=True)
            torchvision.datasets.MNIST(DEFAULT_CACHE, train=False, download=True)
            return DEFAULT_CACHE
        except Exception as e:  # no network, proxy, disk...
            error = f"{type(e).__name__}: {e}".splitlines()[0]
    raise DataNotFoundError(
        "MNIST was not found. Looked for the files " + ", ".join(MNIST_FILES) + " in:\n" + "\n".join(tried)
        + (f"\nDownloading into {DEFAULT_CACHE} failed ({error})." if error else "\nDownloading was switched off.")
        + "\nTo fix it: connect to the internet and run again (it downloads once, about 12 MB), or put the"
        " four files in <folder>/MNIST/raw/ and pass root=<folder> or set GANKIT_DATA=<folder>."
    )


def mnist(train=True, root=None, download=True):
    """MNIST images as a float tensor (N, 1, 28, 28) in [-1, 1] and their labels (N,).

    Read through ``torchvision.datasets.MNIST``; the whole set fits in memory (60,000 images: 188 MB).
    """
    ds = torchvision.datasets.MNIST(mnist_root(root, download), train=train, download=False)
    x = ds.data.unsqueeze(1).float().div_(127.5).sub_(1.0)
    return x, ds.targets.clone()


def to_unit(x):
    """Images from [-1, 1] back to [0, 1] (for display)."""
    return (x.clamp(-1, 1) + 1) / 2


def as_numpy(x):
    return x.detach().cpu().numpy() if torch.is_tensor(x) else np.asarray(x)
