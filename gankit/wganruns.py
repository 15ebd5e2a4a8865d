r"""Notebook 03's heavier evaluations, computed by a kit command and stored beside the checkpoints.

    python -m gankit.wganruns stability   # 15 toy runs (2 min, 2 cores) -> checkpoints/stability.json
    python -m gankit.wganruns seeds       # the same 15 runs at 4 more training seeds (about 8 min) -> stability_seeds.json
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

**seeds**: the 15 runs again with ``SHARED``'s training seed replaced by each of ``SEEDS[1:]`` (W_1 and modes
only): with the stored seed-0 runs, each loss's W_1 over 5 training seeds per architecture (``seed_table``).

**reports**: ``metrics.report`` of n = 10,000 samples (seed 0) of each shipped generator of
``NAMES`` against the features of the first 10,000 MNIST test digits: MNIST-FID, precision and
recall (k-NN balls, k = 3), the classes covered, the largest class's share, the share the kit's
classifier labels with confidence (max softmax >= 0.9), the class histogram, and each checkpoint's
fingerprint.

**references**: ``w1_references``, two yardsticks for those W_1 at the runs' n = 500 (computed, not stored): a
second sample of the data (what a perfect generator scores: not 0 at finite n) and points uniform on the circle
through the 8 modes (a generator that found the ring but not the modes).

Both files record the command, kit_version, settings and seeds, machine (``budget.machine()``),
threads and seconds; ``stability_stored`` and ``reports_stored`` read them back (or read what
``stability`` and ``reports`` return, the notebook's ``RECOMPUTE``).
"""
import argparse
import json
import sys
import math
import time
from functools import lru_cache
from types import SimpleNamespace

import torch

from . import __version__, checkpoints, data, metrics, wgan
from .budget import machine
from .semidiscrete import exact_ot
from .spread import Spread
from .tables import Report, table

ARCHS = {"3 x 64 ReLU": dict(depth=3, act="relu"), "6 x 64 ReLU": dict(depth=6, act="relu"),
         "3 x 64 tanh": dict(depth=3, act="tanh")}
LOSSES = {"GAN": dict(mode="gan"), "WGAN-clip": dict(mode="clip", c=0.01),
          "WGAN-clip, RMSProp": dict(mode="clip", c=0.01, opt="rmsprop"), "WGAN-GP": dict(mode="gp", lam=0.1),
          "WGAN-GP, λ = 10": dict(mode="gp", lam=10.0)}   # the penalty weight whose critic estimates W_1 (section 2)
SHARED = dict(toy="8gaussians", width=64, steps=500, lr=3e-4, batch_size=256, n_critic=5, seed=0)
DATA = dict(name="8gaussians", n=500, seed=3)     # the points y each run is scored against
SAMPLES = dict(n=500, sample_seed=5)              # each generator's samples
NAMES = {"GAN (R1)": "dcgan_adam", "WGAN-clip": "wgan_clip", "WGAN-GP": "wgan_gp"}
REPORT = dict(n=10_000, seed=0)
STABILITY = checkpoints.FOLDER / "stability.json"
REPORTS = checkpoints.FOLDER / "mnist_reports.json"
SEEDS_FILE = checkpoints.FOLDER / "stability_seeds.json"
SEEDS = (0, 1, 2, 3, 4)   # training seeds: 0 is ``stability``'s, the others ``stability_seeds``'
COMMAND = "python -m gankit.wganruns"


def reference():
    """The 500 data points every run is scored against (``DATA``; notebook 03's y_eval)."""
    return data.toy(DATA["name"], DATA["n"], seed=DATA["seed"])


@lru_cache(maxsize=4)
def w1_references(n=DATA["n"], draws=20, first_seed=100):
    """Two yardsticks for a toy run's exact W_1 against the ``reference()`` points, at the runs' n: the exact W_1
    (POT, Euclidean cost) to those points of n fresh points of the data (another sample of the 8 gaussians: what a
    perfect generator would score at this n) and of n points uniform on the circle through the 8 modes (a generator
    that found the ring, not the modes), each over ``draws`` draws (seeds ``first_seed``, ``first_seed`` + 1, ...).
    Returns a ``tables.Report`` (``data`` and ``ring``: ``spread.Spread``, mean and standard deviation over the
    draws) whose ``level(w1)`` places a run's W_1: within 2 standard deviations of a yardstick's mean (the nearer
    one, in standard deviations, when both), or between, below or above them.

    >>> r = w1_references(n=200, draws=3)
    >>> r.data.mean < r.ring.mean, r.level(r.ring.mean), r.level(10.0)
    (True, "at the ring's level", "above the ring's level")
    """
    y, radius = reference(), float(data.EIGHT_CENTRES[0].norm())
    fresh, ring = [], []
    for seed in range(first_seed, first_seed + draws):
        fresh.append(exact_ot(data.toy(DATA["name"], n, seed=seed), y, cost="euclidean")[0])
        angle = 2 * math.pi * torch.rand(n, generator=torch.Generator().manual_seed(seed))
        ring.append(exact_ot(radius * torch.stack([angle.cos(), angle.sin()], 1), y, cost="euclidean")[0])
    spreads = {"data": Spread.of(fresh), "ring": Spread.of(ring)}
    names = {"data": "a second data sample's", "ring": "the ring's"}

    def level(w1):
        near = [(abs(w1 - s.mean) / s.std, k) for k, s in spreads.items() if abs(w1 - s.mean) <= 2 * s.std]
        if near:
            return f"at {names[min(near)[1]]} level"
        if w1 < spreads["data"].mean:
            return "below a second data sample's level"
        return "between the two levels" if w1 < spreads["ring"].mean else "above the ring's level"

    return Report(f"exact W1 to the same {len(y):,} data points of {n:,} other points, mean ± standard deviation over "
                  f"{draws} draws:\n  a second data sample {spreads['data'].pm()}; points uniform on the circle "
                  f"through the 8 modes {spreads['ring'].pm()}", level=level, **spreads)


def _runs(archs, losses, seed, y):
    """Each (architecture, loss) run of ``wgan.stability`` at ``SHARED`` with training seed ``seed``, scored against
    the points y: yields (architecture, loss, run)."""
    for arch in archs:
        for loss in losses:
            yield arch, loss, wgan.stability({arch: ARCHS[arch]}, {loss: LOSSES[loss]}, y, **SAMPLES,
                                             **{**SHARED, "seed": seed}, progress=False)[arch, loss]


def _stored(what, t0, rows, **extra):
    """What a stability command stores: its command, the kit's version, the settings (``extra`` after them), the
    machine, threads and seconds since t0, and its runs."""
    settings = dict(architectures=ARCHS, losses=LOSSES, shared=SHARED, data=DATA, samples=SAMPLES)
    return {"command": f"{COMMAND} {what}", "kit_version": __version__, "settings": settings, **extra,
            "machine": machine(), "threads": torch.get_num_threads(), "seconds": round(time.perf_counter() - t0),
            "runs": rows}


def stability(archs=tuple(ARCHS), losses=tuple(LOSSES), progress=True):
    """The runs of ``archs`` x ``losses`` (names of ``ARCHS`` and ``LOSSES``) at ``SHARED``, as
    stored: {"command", "kit_version", "settings", "machine", "threads", "seconds", "runs":
    [{"architecture", "loss", "w1", "modes", "seconds", "x_milli"}]} (the samples in thousandths, as integers)."""
    t0, rows = time.perf_counter(), []
    for arch, loss, r in _runs(archs, losses, SHARED["seed"], reference()):
        x = (r.x.double() * 1000).round().long().tolist()   # thousandths, as integers
        rows.append(dict(architecture=arch, loss=loss, w1=r.w1, modes=r.modes, seconds=round(r.seconds, 1),
                         x_milli=x))
        if progress:
            print(f"{arch}, {loss}: W1 {r.w1:.3f}, {r.modes}/8 modes ({r.seconds:.0f} s)")
    return _stored("stability", t0, rows)


def stability_seeds(seeds=SEEDS[1:], archs=tuple(ARCHS), losses=tuple(LOSSES), progress=True):
    """The runs of ``stability`` at other training seeds (``SHARED`` with its seed replaced), W_1 and modes only:
    {"command", "kit_version", "settings", "seeds", "machine", "threads", "seconds", "runs": [{"architecture",
    "loss", "seed", "w1", "modes"}]}."""
    t0, y, rows = time.perf_counter(), reference(), []
    for seed in seeds:
        for arch, loss, r in _runs(archs, losses, seed, y):
            rows.append(dict(architecture=arch, loss=loss, seed=seed, w1=r.w1, modes=r.modes))
            if progress:
                print(f"seed {seed}, {arch}, {loss}: W1 {r.w1:.3f}, {r.modes}/8 modes", flush=True)
    return _stored("seeds", t0, rows, seeds=list(seeds))


def seed_w1(stored, seeds_blob=None):
    """Each run's exact W_1 at every training seed: {(architecture, loss): [W_1 at seed 0 (``stored``'s run), then at
    each seed of the stored ``stability_seeds`` (or ``seeds_blob``), in order]}, what ``spread.compare`` pairs."""
    blob = checkpoints.read_stored(SEEDS_FILE, "stability at other seeds", f"{COMMAND} seeds", seeds_blob)
    w1 = {key: [r.w1] for key, r in stored["runs"].items()}
    for r in blob["runs"]:                    # stored seed by seed, in the order of blob["seeds"]
        w1[r["architecture"], r["loss"]].append(r["w1"])
    return w1


def seed_table(stored, seeds_blob=None):
    """Each loss's exact W_1 over the training seeds, per architecture: the seed-0 runs of ``stability_stored``
    (``stored["runs"]``) with the stored ``stability_seeds`` (or ``seeds_blob``). One row per architecture: each loss's
    mean ± std over the seeds, and the loss of lowest mean with the number of seeds on which it was lowest."""
    blob = checkpoints.read_stored(SEEDS_FILE, "stability at other seeds", f"{COMMAND} seeds", seeds_blob)
    w1 = seed_w1(stored, blob)
    archs, names = list(dict.fromkeys(a for a, _ in w1)), list(dict.fromkeys(o for _, o in w1))
    rows = []
    for arch in archs:
        spread = {o: Spread.of(w1[arch, o], DATA["n"], [0, *blob["seeds"]], "W1") for o in names}
        best = min(names, key=lambda o: spread[o].mean)
        wins = sum(min(names, key=lambda o: w1[arch, o][i]) == best for i in range(len(w1[arch, best])))
        rows.append([arch] + [spread[o].pm() for o in names] + [f"{best}, on {wins} of {len(w1[arch, best])} seeds"])
    head = ["architecture"] + [f"{o}: W1" for o in names] + ["lowest mean W1: loss, lowest on"]
    return (f"{table(head, rows)}\nexact W1 of 500 samples, mean ± std over training seeds "
            f"{', '.join(str(s) for s in [0, *blob['seeds']])} ({blob['command']}, {blob['seconds']} s)")


def stability_stored(path=STABILITY, blob=None):
    """The stored runs (or ``blob``, what ``stability`` returns): the file's fields, with "runs" as
    {(architecture, loss): namespace(x (500, 2), w1, modes, seconds)}, as ``wgan.stability`` returns
    them and ``wganplots.stability_grid`` draws them."""
    blob = checkpoints.read_stored(path, "stability", f"{COMMAND} stability", blob)
    runs = {(r["architecture"], r["loss"]): SimpleNamespace(
        x=torch.tensor(r["x_milli"], dtype=torch.float32) / 1000, w1=r["w1"], modes=r["modes"],
        seconds=r["seconds"]) for r in blob["runs"]}
    return {**blob, "runs": runs}


def stability_table(runs, references=None):
    """The runs of ``stability_stored`` ({(architecture, loss): namespace(w1, modes)}) as a text table: one row per
    architecture, each loss's exact W_1 and modes covered, and the loss of lowest W_1 with that W_1's level against
    ``references`` (default ``w1_references()``), whose line follows the table."""
    refs = references or w1_references()
    archs, names = list(dict.fromkeys(a for a, _ in runs)), list(dict.fromkeys(o for _, o in runs))
    rows = []
    for arch in archs:
        best = min(names, key=lambda o: runs[arch, o].w1)
        rows.append([arch] + [f"{runs[arch, o].w1:.3f}, {runs[arch, o].modes}/8" for o in names]
                    + [f"{best}, {refs.level(runs[arch, best].w1)}"])
    head = ["architecture"] + [f"{o}: W1, modes" for o in names] + ["lowest W1: loss, level"]
    return f"{table(head, rows)}\n{refs}\n(level: within 2 standard deviations of one of these two means)"


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
    samples = {i: r["x_milli"] for i, r in enumerate(blob.get("runs", [])) if "x_milli" in r}
    marked = {**blob, "runs": [{**r, "x_milli": f"@samples {i}@"} if i in samples else r
                               for i, r in enumerate(blob["runs"])]} if samples else blob
    text = json.dumps(marked, indent=1)
    for i, x in samples.items():
        text = text.replace(f'"@samples {i}@"', json.dumps(x))
    return text


def main(argv=None):
    p = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0])
    p.add_argument("what", choices=("stability", "seeds", "reports"))
    a = p.parse_args(argv)
    path, make = {"stability": (STABILITY, stability), "seeds": (SEEDS_FILE, stability_seeds),
                  "reports": (REPORTS, reports)}[a.what]
    blob = make()
    path.write_text(dumps(blob) + "\n")
    print(f"stored {path.name} ({blob['seconds']} s on {blob['machine']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
