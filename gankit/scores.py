r"""The shipped generators' scores over seeds, stored beside the checkpoints, read back by the notebooks.

Scoring every shipped generator with ``spread.score`` (MNIST-FID and KID at ``spread.N`` samples on each of
``spread.SEEDS``, against the 10,000 MNIST test digits) takes minutes, so it is a command whose results ship with the
kit (``checkpoints/scores.json``), and ``stored(name)`` reads them back as ``Spread``s::

    python -m gankit.scores               # 7 CPU-minutes (50 minutes on 2 cores shared with 8 other jobs)
    python -m gankit.scores --only NAME   # score NAME (a new checkpoint) into the stored file, the others kept
    python -m gankit.scores --table       # print the stored scores as README's Markdown table

The reference row ``spread.REAL`` scores N training digits per seed like a generator: what real data reaches.
"""
import argparse
import json
import time
import warnings

import torch
from tqdm.auto import tqdm

from . import __version__, checkpoints, metrics, tables
from .spread import N, REAL, SEEDS, Spread, decimals, score

SCORES = checkpoints.FOLDER / "scores.json"
COMMAND = "python -m gankit.scores"
LABELS = {REAL: "MNIST training digits (reference)"}


def compute(names=None, n=N, seeds=SEEDS, progress=True):
    """The scores of the reference ``REAL`` and of the shipped generators ``names`` (default all), as stored."""
    names = [REAL] + checkpoints.generators() if names is None else list(names)
    t0 = time.perf_counter()
    ref = metrics.mnist_test_features()
    out = {}
    for name in tqdm(names, desc="generators", disable=not progress):
        r = score(name, n, seeds, real_features=ref, progress=progress)
        out[name] = {"fid": list(r["fid"].values), "kid": list(r["kid"].values), "kid_subset_std": r["kid_subset_std"],
                     "seconds": round(r["seconds"], 1)}
        if name != REAL:
            out[name]["checkpoint_sha256"] = checkpoints.fingerprint(name)
        if progress:
            print(f"{name}: MNIST-FID {r['fid']}, KID {r['kid']}, {r['seconds']:.0f} s")
    return {"command": COMMAND, "kit_version": __version__, "n": n, "seeds": list(seeds),
            "reference": "the 10,000 MNIST test digits", "kid": {"subset_size": 1000, "subsets": 100},
            "threads": torch.get_num_threads(), "seconds": round(time.perf_counter() - t0), "scores": out}


def load(path=SCORES):
    """The stored scores file (what ``compute`` returns), or a FileNotFoundError that says how to make it."""
    return checkpoints.read_stored(path, "scores", COMMAND)


def stored(name, path=SCORES):
    """The stored scores of ``name`` (a shipped generator, or ``REAL``): {"fid": Spread, "kid": Spread}, at the
    file's n and seeds. Warns when the shipped checkpoint is not the one that was scored."""
    blob = load(path)
    if name not in blob["scores"]:
        raise KeyError(f"no stored scores for {name!r}; stored: {', '.join(blob['scores'])} (recompute: {COMMAND})")
    row = blob["scores"][name]
    shipped = checkpoints.path_of(name).exists() and "checkpoint_sha256" in row
    if shipped and checkpoints.fingerprint(name) != row["checkpoint_sha256"]:
        warnings.warn(f"{name}.pt changed since its scores were stored: recompute them with {COMMAND}")
    return {key: Spread.of(row[key], blob["n"], blob["seeds"], f"MNIST-{key.upper()}") for key in ("fid", "kid")}


def table(path=SCORES):
    """The stored scores as README's Markdown table: one row per generator, MNIST-FID and KID as mean ± std over
    the seeds, and the per-seed MNIST-FIDs."""
    blob = load(path)
    rows = []
    for name in blob["scores"]:
        s = stored(name, path)
        fid = s["fid"]
        per_seed = ", ".join(f"{v:.{decimals(fid.std)}f}" for v in fid.values)
        rows.append([LABELS.get(name, f"`{name}`"), fid.pm(), s["kid"].pm(), per_seed])
    return tables.table(["generator", "MNIST-FID", "MNIST-KID", "MNIST-FID per seed"], rows, markdown=True)


def main(argv=None):
    p = argparse.ArgumentParser(prog=COMMAND, description=f"Score every shipped generator on {N:,} samples for each "
                                f"of the seeds {SEEDS} (MNIST-FID and KID) into the kit's stored {SCORES.name}.")
    p.add_argument("--table", action="store_true", help="only print the stored scores as a Markdown table")
    p.add_argument("--only", nargs="+", metavar="NAME", help="score only these generators into the stored file")
    args = p.parse_args(argv)
    if args.only:
        blob, new = load(), compute(args.only)
        blob["scores"] |= new["scores"]
        blob["seconds"] += new["seconds"]
        SCORES.write_text(json.dumps(blob, indent=1) + "\n")
        print(f"added {', '.join(args.only)} to {SCORES.name} in {new['seconds']} s\n")
    elif not args.table:
        blob = compute()
        SCORES.write_text(json.dumps(blob, indent=1) + "\n")
        print(f"wrote {SCORES.name} in {blob['seconds']} s\n")
    print(table())


if __name__ == "__main__":
    main()
