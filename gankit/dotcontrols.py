r"""The controls for DOT on MNIST (notebook 06): does the transport cost matter, and does target DOT's move beat
any move of the same length?

    python -m gankit.dotcontrols        # -> checkpoints/dot_controls.json (about 9 minutes on 2 cores)

On each shipped generator, the seeds, sample size and reference digits of the closing comparison
(``gankit.results``), 10 SGD updates at lr 0.01:

    latent DOT           z <- z - lr grad_z { ||z - z_y + delta|| - D(G(z)) / K_eff }   (``dot.latent``)
    latent ascent        z <- z - lr grad_z { - D(G(z)) / K_eff }          (``dot.latent(transport=False)``)
    target DOT           x = T(y) by ``dot.target``
    random move          x = clip(y + ||T(y) - y|| u, -1, 1),  u uniform on the unit sphere of the pixel space

The random move has each sample's length of target DOT's move and a direction drawn at random, then the clipping to
[-1, 1] that target DOT's images get too, which shortens it (``lengths``: by about a fifth on the shipped
generators): a change of the scores that it shares with target DOT is not the critic's doing. Pairs are compared by
``spread.compare`` (the same codes and K_eff on each seed).
"""
import argparse
import sys
import time

import torch

from . import __version__, checkpoints, dot, drs_mnist, metrics, results, tables
from .budget import machine
from .nets import batched
from .spread import SEEDS, compare

CONTROLS = checkpoints.FOLDER / "dot_controls.json"
COMMAND = "python -m gankit.dotcontrols"
PAIRS = {"latent DOT against the ascent on D(G(z)) alone": ("DOT latent", "latent ascent"),
         "target DOT against a random move of its length": ("DOT target", "random move"),
         "the random move against the plain generator": ("baseline", "random move")}


def random_move(y, x, seed=0, box=(-1, 1)):
    """y moved by each sample's ||x - y|| in a uniformly random direction, clipped to ``box``. y, x (N, ...).

    >>> y, x = torch.zeros(2, 3), torch.tensor([[0.3, 0.4, 0.0], [0.0, 0.0, 0.0]])
    >>> [round(v, 6) for v in (random_move(y, x, box=(-9, 9)) - y).flatten(1).norm(dim=1).tolist()]
    [0.5, 0.0]
    """
    u = torch.randn(y.shape, generator=torch.Generator().manual_seed(seed))
    u = u / u.flatten(1).norm(dim=1).view(-1, *[1] * (y.dim() - 1))
    step = (x - y).flatten(1).norm(dim=1).view(-1, *[1] * (y.dim() - 1))
    return (y + step * u).clamp(*box)


def _moves(ck, n, seed):
    """n samples y of ``ck``'s generator, their target DOT images x and their random move (its coins: seed + 100)."""
    y = ck.G.sample(n, seed)
    x, _ = results.improve("DOT target", ck.G, ck.D, n, seed=seed)
    return y, x, random_move(y, x, seed=seed + 100)


def lengths(ck, n=500, seed=0):
    """Mean ||x - y|| over n samples y of ``ck``'s generator: target DOT's move and the random move's, after its
    clipping to [-1, 1] (which can shorten it): (DOT, random)."""
    y, x, moved = _moves(ck, n, seed)
    return tuple((a - y).flatten(1).norm(dim=1).mean().item() for a in (x, moved))


def samplers(ck):
    """name -> ``sampler(n, seed)`` for the four runs above (the DOT settings: ``results.DEFAULTS``)."""
    def ascent(n, seed):
        K = dot.K_eff(ck.G, ck.D, "latent", seed=seed + 1)
        z = dot.latent(ck.G, ck.D, ck.G.noise(n, seed), K, progress=False, transport=False,
                       **results.DEFAULTS["dot_latent"])
        return batched(ck.G, z)

    dot_ = results.methods(ck, which=("DOT latent", "DOT target"))
    return {"DOT latent": dot_["DOT latent"], "latent ascent": ascent,
            "DOT target": dot_["DOT target"], "random move": lambda n, seed: _moves(ck, n, seed)[2]}


def compute(n=results.N, seeds=SEEDS, models=results.MODELS, progress=True):
    """What the command stores: {"n", "seeds", "models", ..., "scores": {label: {run: scores}}} (``results.scores``)."""
    f_ref, t0 = metrics.features(drs_mnist.split_test()[1]), time.perf_counter()
    out = {label: results.scores(samplers(drs_mnist.load(name)), f_ref, n, seeds, progress)
           for label, name in models.items()}
    return {"command": COMMAND, "kit_version": __version__, "n": n, "seeds": list(seeds), "models": dict(models),
            "settings": {k: results.DEFAULTS[k] for k in ("dot_target", "dot_latent")},
            "reference": "the first 8,000 MNIST test digits", "machine": machine(),
            "threads": torch.get_num_threads(), "seconds": round(time.perf_counter() - t0),
            "scores": results.as_json(out)}


def stored(path=CONTROLS, blob=None, closing=None):
    """The stored controls (or ``blob``, what ``compute`` returns), scores as ``results.stored`` reads them, with each
    generator's plain samples ("baseline") from the closing comparison (``closing``, default ``results.stored()``):
    the same seeds, n and reference digits (ValueError otherwise)."""
    S = results.stored(path, blob, what="DOT controls", command=COMMAND)
    R = closing or results.stored()
    if (R["n"], R["seeds"]) != (S["n"], S["seeds"]):
        raise ValueError(f"the closing comparison has n = {R['n']} and seeds {R['seeds']}, the controls "
                         f"{S['n']} and {S['seeds']}: rerun {COMMAND} or {results.COMMAND}")
    return {**S, "scores": {label: {"baseline": R["scores"][label]["baseline"], **s}
                            for label, s in S["scores"].items()}}


def verdicts(S):
    """{(label, pair, metric): ``spread.compare`` of the pair's second run against its first} (paired seeds)."""
    return {(label, pair, k): compare(s[a][k], s[b][k], a, b, lower_is_better=k in ("fid", "kid"))
            for label, s in S["scores"].items() for pair, (a, b) in PAIRS.items()
            for k in ("fid", "precision", "recall")}


def table(S):
    """Each pair on each generator: both runs' scores (mean ± std over the seeds) and the control's change d ± SE,
    "(noise)" when the t-test at 5% does not reject zero."""
    v, rows, keys = verdicts(S), [], ("fid", "precision", "recall")
    mark = lambda x: x.pm() + ("" if x.beyond else " (noise)")   # noqa: E731
    for label, s in S["scores"].items():
        for run in ("baseline", "DOT latent", "latent ascent", "DOT target", "random move"):
            rows.append([label, "plain generator" if run == "baseline" else run, *(s[run][k].pm() for k in keys)])
        for pair, (a, b) in PAIRS.items():
            name = "plain generator" if a == "baseline" else a
            rows.append([label, f"{b} - {name}", *(mark(v[label, pair, k]) for k in keys)])
    return (f"{S['n']:,} samples per seed, {len(S['seeds'])} paired seeds; runs: mean ± std over the seeds; "
            f"differences: d ± SE, '(noise)' when the t-test at 5% does not reject zero\n"
            + tables.table(["generator", "run", "MNIST-FID", "precision", "recall"], rows))


def main(argv=None):
    p = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0])
    p.parse_args(argv)
    blob = compute()
    print(checkpoints.write_stored(CONTROLS, blob) + "\n")
    print(table(stored()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
