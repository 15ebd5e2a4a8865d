r"""Notebook 03's heavier evaluations, computed by a kit command and stored beside the checkpoints.

    python -m gankit.wganruns stability   # 9 toy runs (90 s, 2 cores) -> checkpoints/stability.json
    python -m gankit.wganruns reports     # 3 MNIST reports (25 s) -> checkpoints/mnist_reports.json

**stability**: the miniature of Gulrajani et al. (2017, section 5.2), ``wgan.stability``:
``wgan.toy_wgan`` for each architecture of ``ARCHS`` (both networks) and each loss of ``LOSSES``,
all with the one setting ``SHARED`` (WGAN-GP's toy setting, seed 0). Each generator is scored on
500 samples (seed 5) against the 500 points y = ``data.toy("8gaussians", 500, seed=3)`` (notebook
03's y_eval) by the exact

    W_1 = min_{pi in Pi(1/500, 1/500)} sum_ij pi_ij ||x_i - y_j||     (POT, ``exact_ot``)

and by the modes it covers (``toys.mode_coverage``: a sample within 4 standard deviations of a
centre). Stored per run: w1, modes, its training time and its 500 samples in thousandths, as integers (for the
figure; w1 and modes are those of the unrounded samples).

**reports**: ``metrics.report`` of n = 10,000 samples (seed 0) of each shipped generator of
``NAMES`` against the features of the first 10,000 MNIST test digits: MNIST-FID, precision and
recall (k-NN balls, k = 3), the classes covered, the largest class's share, the share the kit's
classifier labels with confidence (max softmax >= 0.9), the class histogram, and each checkpoint's
fingerprint.

Both files record the command, kit_version, settings and seeds, machine (``budget.machine()``),
threads and seconds; ``stability_stored`` and ``reports_stored`` read them back (or read what
``stability`` and ``reports`` return, the notebook's ``RECOMPUTE``).
"""
import argparse
import json
import sys
import time
from types import SimpleNamespace

import torch

from . import __version__, checkpoints, data, metrics, wgan
from .budget import machine

ARCHS = {"3 x 64 ReLU": dict(depth=3, act="relu"), "6 x 64 ReLU": dict(depth=6, act="relu"),
         "3 x 64 tanh": dict(depth=3, act="tanh")}
LOSSES = {"GAN": dict(mode="gan"), "WGAN-clip": dict(mode="clip", c=0.01),
          "WGAN-GP": dict(mode="gp", lam=0.1)}
SHARED = dict(toy="8gaussians", width=64, steps=500, lr=3e-4, batch_size=256, n_critic=5, seed=0)
DATA = dict(name="8gaussians", n=500, seed=3)     # the points y each run is scored against
SAMPLES = dict(n=500, sample_seed=5)              # each generator's samples
NAMES = {"GAN (R1)": "dcgan_adam", "WGAN-clip": "wgan_clip", "WGAN-GP": "wgan_gp"}
REPORT = dict(n=10_000, seed=0)
STABILITY = checkpoints.FOLDER / "stability.json"
REPORTS = checkpoints.FOLDER / "mnist_reports.json"
COMMAND = "python -m gankit.wganruns"


def reference():
    """The 500 data points every run is scored against (``DATA``; notebook 03's y_eval)."""
    return data.toy(DATA["name"], DATA["n"], seed=DATA["seed"])


def stability(archs=tuple(ARCHS), losses=tuple(LOSSES), progress=True):
    """The runs of ``archs`` x ``losses`` (names of ``ARCHS`` and ``LOSSES``) at ``SHARED``, as
    stored: {"command", "kit_version", "settings", "machine", "threads", "seconds", "runs":
    [{"architecture", "loss", "w1", "modes", "seconds", "x_milli"}]} (the samples in thousandths, as integers)."""
    t0, y, rows = time.perf_counter(), reference(), []
    for arch in archs:
        for loss in losses:
            r = wgan.stability({arch: ARCHS[arch]}, {loss: LOSSES[loss]}, y, **SAMPLES, **SHARED,
                               progress=False)[arch, loss]
            x = (r.x.double() * 1000).round().long().tolist()   # thousandths, as integers
            rows.append(dict(architecture=arch, loss=loss, w1=r.w1, modes=r.modes,
                             seconds=round(r.seconds, 1), x_milli=x))
            if progress:
                print(f"{arch}, {loss}: W1 {r.w1:.3f}, {r.modes}/8 modes ({r.seconds:.0f} s)")
    settings = dict(architectures=ARCHS, losses=LOSSES, shared=SHARED, data=DATA, samples=SAMPLES)
    return {"command": f"{COMMAND} stability", "kit_version": __version__, "settings": settings,
            "machine": machine(), "threads": torch.get_num_threads(),
            "seconds": round(time.perf_counter() - t0), "runs": rows}


def stability_stored(path=STABILITY, blob=None):
    """The stored runs (or ``blob``, what ``stability`` returns): the file's fields, with "runs" as
    {(architecture, loss): namespace(x (500, 2), w1, modes, seconds)}, as ``wgan.stability`` returns
    them and ``wganplots.stability_grid`` draws them."""
    blob = checkpoints.read_stored(path, "stability", f"{COMMAND} stability", blob)
    runs = {(r["architecture"], r["loss"]): SimpleNamespace(
        x=torch.tensor(r["x_milli"], dtype=torch.float32) / 1000, w1=r["w1"], modes=r["modes"],
        seconds=r["seconds"]) for r in blob["runs"]}
    return {**blob, "runs": runs}


def reports(names=NAMES, n=REPORT["n"], seed=REPORT["seed"]):
    """``metrics.report`` of n samples (``seed``) of each shipped generator of ``names`` (label ->
    checkpoint) against the features of the first n MNIST test digits, as stored: {"command", ...,
    "reports": {label: report}}."""
    t0 = time.perf_counter()
    f_test = metrics.features(data.mnist(train=False)[0][:n])
    out = {}
    for label, name in names.items():
        with torch.no_grad():
            r = metrics.report(checkpoints.load(name).G.sample(n, seed=seed), real_features=f_test)
        out[label] = {**r, "histogram": [float(v) for v in r["histogram"]], "checkpoint": name,
                      "checkpoint_sha256": checkpoints.fingerprint(name)}
    return {"command": f"{COMMAND} reports", "kit_version": __version__, "n": n, "seed": seed,
            "reference": f"the first {n:,} MNIST test digits", "machine": machine(),
            "threads": torch.get_num_threads(), "seconds": round(time.perf_counter() - t0),
            "reports": out}


def reports_stored(path=REPORTS, blob=None):
    """The stored reports (or ``blob``, what ``reports`` returns): the file's fields, "reports" as
    {label: report}, what ``metrics.table`` reads."""
    return checkpoints.read_stored(path, "reports", f"{COMMAND} reports", blob)


def dumps(blob):
    """A blob as its stored JSON: indented, each run's samples on one line, not one per number."""
    runs = blob.get("runs", [])
    marked = {**blob, "runs": [{**r, "x_milli": f"@samples {i}@"} for i, r in enumerate(runs)]}
    text = json.dumps(marked if runs else blob, indent=1)
    for i, r in enumerate(runs):
        text = text.replace(f'"@samples {i}@"', json.dumps(r["x_milli"]))
    return text


def main(argv=None):
    p = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0])
    p.add_argument("what", choices=("stability", "reports"))
    a = p.parse_args(argv)
    path, blob = (STABILITY, stability()) if a.what == "stability" else (REPORTS, reports())
    path.write_text(dumps(blob) + "\n")
    print(f"stored {path.name} ({blob['seconds']} s on {blob['machine']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
