"""The kit's pretrained weights: saved with what made them, loaded with a clear error when absent.

A checkpoint file holds the weights of its networks (``state_dict`` only), how to rebuild each network
(class name and constructor arguments from ``gankit.nets``) and a metadata dict: the recipe and command
that trained it, seed, steps, seconds, the kit version and any measured history (e.g. MNIST-FID per epoch).
The sample grids a run keeps after every epoch (``meta["grids"]``, uint8) are stored zlib-compressed, losslessly.
The files shipped with the kit live in ``gankit/checkpoints/`` and are made by ``python -m gankit.train NAME``.
"""
import hashlib
import json
import zlib
from pathlib import Path
from types import SimpleNamespace

import torch

from . import __version__, nets
from .mode import device as best_device

FOLDER = Path(__file__).parent / "checkpoints"
# The only classes a checkpoint may ask to build: a file names its networks, and loading builds nothing else.
NETWORKS = ("Classifier", "MLPGenerator", "MLPDiscriminator", "DCGenerator", "DCDiscriminator", "ToyGenerator",
            "ToyDiscriminator")


class CheckpointError(RuntimeError):
    """A checkpoint is missing, unreadable, or does not match its networks."""


def path_of(name):
    """``name`` may be a path to a .pt file or the name of a checkpoint shipped with the kit."""
    p = Path(name)
    return p if p.suffix == ".pt" else FOLDER / f"{name}.pt"


def available():
    """Names of the checkpoints shipped with the kit."""
    return sorted(p.stem for p in FOLDER.glob("*.pt"))


def generators():
    """The shipped generators' names: every checkpoint but the classifier."""
    return [name for name in available() if name != "classifier"]


def write_stored(path, blob):
    """Write a stored evaluation (``blob``, what its command returns, with its "seconds") as ``read_stored`` reads
    it back, and return the line its command prints: "stored NAME (S s)"."""
    path = Path(path)
    path.write_text(json.dumps(blob, indent=1) + "\n")
    return f"stored {path.name} ({blob['seconds']} s)"


def read_stored(path, what, command, blob=None):
    """A stored evaluation's JSON file (the kit's heavier results ship beside the checkpoints), or ``blob`` when
    given (what its command returns); a missing file raises a FileNotFoundError naming ``what`` and the
    ``command`` that makes it."""
    if blob is not None:
        return blob
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no stored {what} ({path.name}); make it with: {command}")
    return json.loads(path.read_text())


def fingerprint(name):
    """The first 16 hex digits of the SHA-256 of a checkpoint's file: which weights a stored result is of."""
    return hashlib.sha256(path_of(name).read_bytes()).hexdigest()[:16]


def pack_grids(grids):
    """Sample grids (a uint8 tensor, one batch of images per epoch) compressed by zlib: lossless, and about 2.5 times
    smaller than the raw bytes for MNIST digits.

    >>> grids = torch.randint(0, 256, (3, 4, 1, 5, 5), dtype=torch.uint8)
    >>> torch.equal(unpack_grids(pack_grids(grids)), grids)
    True
    """
    data = zlib.compress(grids.contiguous().numpy().tobytes(), 9)
    return {"zlib": torch.frombuffer(bytearray(data), dtype=torch.uint8), "shape": tuple(grids.shape)}


def unpack_grids(packed):
    """The uint8 tensor that ``pack_grids`` compressed."""
    data = bytearray(zlib.decompress(packed["zlib"].numpy().tobytes()))
    return torch.frombuffer(data, dtype=torch.uint8).reshape(packed["shape"])


def save(name, meta, **modules):
    """Save ``modules`` (name -> nn.Module with a ``kwargs`` dict) and ``meta`` to ``name``; returns the path."""
    p = path_of(name)
    p.parent.mkdir(parents=True, exist_ok=True)
    if torch.is_tensor(meta.get("grids")):
        meta = {**meta, "grids": pack_grids(meta["grids"])}
    torch.save({
        "meta": {**meta, "kit_version": __version__},
        "modules": {k: (type(m).__name__, m.kwargs) for k, m in modules.items()},
        "state": {k: {n: t.detach().cpu() for n, t in m.state_dict().items()} for k, m in modules.items()},
    }, p)
    return p


def load(name, device=None):
    """Load a checkpoint: a namespace with each network (in eval mode, on ``device``) and ``meta``.

    >>> ck = load("classifier")
    >>> type(ck.C).__name__, ck.meta["test_accuracy"] > 0.99
    ('Classifier', True)
    """
    p = path_of(name)
    if not p.exists():
        raise CheckpointError(
            f"checkpoint {str(name)!r} not found (looked for {p.name} in the kit's checkpoint folder). "
            f"Shipped checkpoints: {', '.join(available()) or 'none'}. "
            f"To make it, run: python -m gankit.train {p.stem}"
        )
    try:
        blob = torch.load(p, map_location="cpu", weights_only=True)
        out = SimpleNamespace(meta=blob["meta"])
        if isinstance(out.meta.get("grids"), dict):
            out.meta["grids"] = unpack_grids(out.meta["grids"])
        for k, (cls, kwargs) in blob["modules"].items():
            if cls not in NETWORKS:
                raise ValueError(f"network class {cls!r} is not one of the kit's networks {NETWORKS}")
            m = getattr(nets, cls)(**kwargs)
            m.load_state_dict(blob["state"][k])
            setattr(out, k, m.to(device or best_device()).eval())
    except Exception as e:
        raise CheckpointError(
            f"checkpoint {p.name} could not be read ({type(e).__name__}: {str(e).splitlines()[0][:200]}). "
            f"It may be corrupt or from another kit version: re-create it with python -m gankit.train {p.stem}"
        ) from e
    return out
