"""Replay a seeded toy training from the kit's stored result, so that a notebook shows the same run on every machine.

A seeded training run is reproducible on one kind of processor, not across kinds: the float kernels differ, and a few
hundred steps of a GAN amplify the last bits (an Intel and an AMD CPU train the same toy GAN to visibly different
samples). A notebook whose text reads its toy run therefore loads that run instead of retraining it:

    G, D, h = replay.run("06_toy_wgan", wgan.toy_wgan, "gp", steps=500, retrain=RETRAIN)

trains ``wgan.toy_wgan("gp", steps=500)`` when ``retrain`` is true, or when no stored result matches this call, and
otherwise returns the stored result of the same call: its return value, the weights the call left in the networks it
was given (``loop.train`` trains G and D in place), and torch's and numpy's random states after it, so that the cells
below draw what they drew after the live run.

A stored result matches when it was made by the same function with the same arguments from the same random state: the
key covers numbers (floats to 10 digits), strings, tensors (to 4 decimals), the networks passed in (their class and weights, to 4
decimals), torch's and numpy's random states, and a function passed in (a data source such as ``data.batches``) by
its name and the state its closure carries (random generators, tensors, numbers), which the replay restores too;
for a function defined in the notebook, also the names and constants in its body. ``progress`` is left out. Under
GANKIT_QUICK=1 the step counts differ, so the tiny runs train here.

The results are written by running a notebook with ``python -m gankit.replay NOTEBOOK``: every ``replay.run`` in it
trains and stores its result in ``gankit/checkpoints/toys/<name>.pt``.
"""
import hashlib
import os
import sys
from pathlib import Path

import numpy as np
import torch

DIR = Path(__file__).parent / "checkpoints" / "toys"
RECORD = os.environ.get("GANKIT_RECORD", "0") not in ("", "0", "false", "False")
# The bytes of torch's CPU random state that hold its Mersenne twister (seed, counters, 624 words): the rest caches a
# Gaussian draw computed in floating point, whose last bits may differ between processor kinds.
MT_BYTES = 8 + 4 + 4 + 8 + 624 * 8


def _carried(f):
    """The state a function's closure carries: {cell index: value} for its random generators (their state), tensors
    (up to 100,000 numbers) and numbers (``data.batches`` keeps its generator, its order and its position there)."""
    out = {}
    for i, cell in enumerate(getattr(f, "__closure__", None) or ()):
        try:
            v = cell.cell_contents
        except ValueError:   # an empty cell
            continue
        if isinstance(v, torch.Generator):
            out[i] = ("generator", v.get_state())
        elif isinstance(v, torch.Tensor) and v.numel() <= 100_000:
            out[i] = ("tensor", v.clone())
        elif isinstance(v, (bool, int, float)):
            out[i] = ("number", v)
    return out


def _restore(f, carried):
    cells = f.__closure__
    for i, (kind, v) in carried.items():
        if kind == "generator":
            cells[i].cell_contents.set_state(v)
        else:
            cells[i].cell_contents = v


def _feed(h, value):
    """Add ``value`` to the hash ``h`` (see the module's docstring for what counts)."""
    if isinstance(value, torch.nn.Module):
        h.update(type(value).__qualname__.encode())
        value = value.state_dict()
    if isinstance(value, torch.Tensor):
        t = value.detach().cpu()
        h.update(f"tensor{tuple(t.shape)}{t.dtype}".encode())
        if t.is_floating_point():
            t = torch.round(t.double() * 1e4)
        h.update(np.ascontiguousarray(t.numpy()).tobytes())
    elif isinstance(value, dict):
        for k in sorted(value, key=str):
            h.update(repr(k).encode())
            _feed(h, value[k])
    elif isinstance(value, (list, tuple)):
        h.update(f"{type(value).__name__}{len(value)}".encode())
        for v in value:
            _feed(h, v)
    elif isinstance(value, float):
        h.update(f"{value:.10g}".encode())   # not its last bits, which may differ between processor kinds
    elif isinstance(value, (bool, int, str, type(None))):
        h.update(repr(value).encode())
    elif callable(value):
        h.update(getattr(value, "__qualname__", type(value).__qualname__).encode())
        if getattr(value, "__module__", None) == "__main__" and hasattr(value, "__code__"):   # defined in the notebook
            code = value.__code__
            h.update(repr((code.co_names, [c for c in code.co_consts if not hasattr(c, "co_code")])).encode())
        for i, (kind, v) in _carried(value).items():
            h.update(f"{i}{kind}".encode())
            _feed(h, v if kind != "generator" else v.to(torch.int64))
    else:
        h.update(type(value).__qualname__.encode())


def key(fn, args, kwargs):
    """The hash that a stored result must carry to stand for ``fn(*args, **kwargs)`` called now."""
    h = hashlib.sha256(f"{fn.__module__}.{fn.__qualname__}".encode())
    _feed(h, list(args))
    _feed(h, {k: v for k, v in kwargs.items() if k != "progress"})
    h.update(torch.get_rng_state()[:MT_BYTES].numpy().tobytes())
    h.update(np.random.get_state()[1].tobytes())
    return h.hexdigest()


def run(name, fn, *args, retrain=False, **kwargs):
    """``fn(*args, **kwargs)``, or its stored result ``name`` when one matches this call (module docstring)."""
    path, k = DIR / f"{name}.pt", key(fn, args, kwargs)
    given = [*enumerate(args), *kwargs.items()]
    nets = {i: a for i, a in given if isinstance(a, torch.nn.Module)}
    sources = {i: a for i, a in given if callable(a) and not isinstance(a, torch.nn.Module) and _carried(a)}
    if not retrain and not RECORD and path.exists():
        stored = torch.load(path, weights_only=False)
        if stored["key"] == k:
            for i, weights in stored["nets"].items():
                nets[i].load_state_dict(weights)
            for i, carried in stored["sources"].items():
                _restore(sources[i], carried)
            torch.set_rng_state(stored["torch_rng"])
            np.random.set_state(stored["numpy_rng"])
            return stored["result"]
        print(f"(the kit's stored run '{name}' was made by another call: arguments or random state differ; "
              "trained here)")
    result = fn(*args, **kwargs)
    if RECORD:
        DIR.mkdir(parents=True, exist_ok=True)
        torch.save({"key": k, "result": result, "nets": {i: n.state_dict() for i, n in nets.items()},
                    "sources": {i: _carried(f) for i, f in sources.items()},
                    "torch_rng": torch.get_rng_state(), "numpy_rng": np.random.get_state()}, path)
    return result


def main(argv=None):
    """``python -m gankit.replay NOTEBOOK...``: run each notebook in lecture mode, storing every replayed run."""
    from . import notebooks
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0].startswith("-"):
        raise SystemExit("usage: python -m gankit.replay NOTEBOOK... (runs them, storing their replay.run results)")
    os.environ["GANKIT_RECORD"] = "1"
    return notebooks.main(argv)


if __name__ == "__main__":
    sys.exit(main())
