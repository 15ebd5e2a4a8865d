"""The closing comparison: each way of post-processing a trained GAN's samples (DRS, DOT) applied to the same
generator on the same seeds, measured at one sample size, with its spread over the seeds, timed.

    python -m gankit.results            # score the shipped generators (N samples x SEEDS), store checkpoints/closing.json
    python -m gankit.results --table    # print the stored comparison as README's Markdown table

``improve`` runs one method of ``METHODS`` with the settings ``DEFAULTS``; ``scores`` measures several samplers on
the same seeds (the same seed gives every method the same latent codes where it uses them, so two methods compare
paired, ``spread.compare``); ``closing`` is that for the shipped generators, which notebook 07 and README load
back with ``stored``; ``comparison_table`` writes it, each method's MNIST-FID set against its generator's baseline by
the verdict rule (``spread.compare``: beyond the noise when |d| > t SE, a two-sided t-test at 5%).
"""
import argparse
import sys
import time

import torch
from tqdm.auto import tqdm

from . import __version__, checkpoints, data, dot, drs, drs_mnist, metrics, tables
from .budget import machine
from .mode import steps
from .nets import batched
from .spread import SEEDS, Spread, compare, percent, threshold

# The one setting of each method, for the notebooks and README (burn-in and update counts shrink in quick mode).
DEFAULTS = dict(
    drs=dict(burn_in=steps(lecture=10000, quick=500), percentile=95.0),
    dot_target=dict(steps=steps(lecture=10, quick=2), lr=0.01, optimizer="sgd", box=(-1, 1)),
    dot_latent=dict(steps=steps(lecture=10, quick=2), lr=0.01, optimizer="sgd", prior="gaussian"),
)
METHODS = ("baseline", "DRS", "DOT target", "DOT latent")
METRICS = {"fid": "MNIST-FID", "kid": "MNIST-KID", "precision": "precision", "recall": "recall"}  # key: name
KID_SUBSETS = 20   # MNIST-KID: the mean of the unbiased MMD^2 over 20 random subsets (the seeds give its spread)
N = 2000           # samples per seed in the stored comparison: about 25 CPU-minutes for two generators, 5 seeds
MODELS = {"GAN (R1)": "dcgan_adam", "WGAN-GP": "wgan_gp"}
CLOSING = checkpoints.FOLDER / "closing.json"
COMMAND = "python -m gankit.results"


def improve(method, G, D, n, seed=0, held_out=None, settings=None, progress=False):
    """n samples of G post-processed by ``method`` (one of ``METHODS``) with ``settings`` (default ``DEFAULTS``).
    DRS: ``drs.improve`` (D calibrated on ``held_out`` real images against fresh samples when they are given).
    Returns (n samples on the CPU, acceptance rate or None)."""
    if method == "baseline":
        return G.sample(n, seed), None
    if method == "DRS":
        return drs.improve(G, D, n, held_out, seed, progress, **{**DEFAULTS["drs"], **(settings or {})})
    if method == "DOT target":
        K = dot.K_eff(G, D, "target", seed=seed + 1)
        return dot.target(D, G.sample(n, seed), K, progress=progress, **{**DEFAULTS["dot_target"], **(settings or {})}), None
    if method == "DOT latent":
        K = dot.K_eff(G, D, "latent", seed=seed + 1)
        z = dot.latent(G, D, G.noise(n, seed), K, progress=progress, **{**DEFAULTS["dot_latent"], **(settings or {})})
        return batched(G, z), None
    raise ValueError(f"unknown method {method!r}; choose one of {METHODS}")


def methods(ck, held_out=None, settings=None, which=METHODS):
    """The samplers ``sampler(n, seed) -> (images, acceptance or None)`` of ``which`` for a model ``ck`` (``.G``,
    ``.D``, and for DRS the further-trained ``.D_drs`` when it has one: ``drs_mnist.load``), each through ``improve``
    with ``settings`` (method -> keyword arguments; default ``DEFAULTS``; DRS calibrated on ``held_out``)."""
    settings = settings or {}

    def sampler(m):
        D = getattr(ck, "D_drs", ck.D) if m == "DRS" else ck.D
        return lambda n, seed: improve(m, ck.G, D, n, seed=seed, held_out=held_out, settings=settings.get(m))
    return {m: sampler(m) for m in which}


def scores(samplers, real_features, n, seeds=SEEDS, progress=False):
    """Each way of making samples (name -> ``sampler(n, seed)`` returning n images, or (images, acceptance)) on each
    of ``seeds``, measured against ``real_features`` (``metrics.report``; MNIST-KID over ``KID_SUBSETS`` subsets of
    min(n, 1000)): {name: {"fid", "kid", "precision", "recall": Spread over the seeds (n per seed),
    "acceptance": mean acceptance rate or None, "seconds": wall time per 1000 samples, sampling only}}.

    Every sampler must give exactly n samples (RuntimeError otherwise): every score is at the same sample size."""
    out = {}
    for name, sampler in tqdm(samplers.items(), desc="methods", disable=not progress, leave=False):
        values, rates, seconds = {k: [] for k in METRICS}, [], 0.0
        for seed in seeds:
            t0 = time.perf_counter()
            x = sampler(n, seed)
            seconds += time.perf_counter() - t0
            x, rate = x if isinstance(x, tuple) else (x, None)
            if len(x) != n:   # e.g. DRS stopped at max_proposals: a smaller set would be measured on other terms
                raise RuntimeError(f"{name} gave {len(x)} samples instead of {n} (seed {seed}): every score must have "
                                   "the same sample size; for DRS raise max_proposals or lower the percentile")
            r = metrics.report(x, real_features=real_features)
            r["kid"] = metrics.kid_features(metrics.features(x), real_features, subsets=KID_SUBSETS, seed=seed)[0]
            for k in METRICS:
                values[k].append(r[k])
            rates.append(rate)
        out[name] = {k: Spread.of(v, n, seeds, METRICS[k]) for k, v in values.items()}
        out[name]["acceptance"] = None if None in rates else sum(rates) / len(rates)
        out[name]["seconds"] = 1000 * seconds / (n * len(seeds))
    return out


def closing(n=N, seeds=SEEDS, models=MODELS, held_out=2000, progress=True):
    """The closing comparison of the shipped generators ``models`` (label -> checkpoint name): every method of
    ``METHODS`` on n samples per seed, measured against the MNIST test digits except the last ``held_out``, which
    calibrate DRS (its discriminator trained further against the final generator, ``drs_mnist``). Returns what
    ``python -m gankit.results`` stores: {"n", "seeds", "settings", "machine", ..., "scores": {label: ``scores``}}."""
    x_test = data.mnist(train=False)[0]
    x_cal, x_ref = x_test[-held_out:], x_test[:-held_out]
    f_ref, t0 = metrics.features(x_ref), time.perf_counter()
    out = {label: scores(methods(drs_mnist.load(name), held_out=x_cal), f_ref, n, seeds, progress)
           for label, name in tqdm(models.items(), desc="generators", disable=not progress)}
    return {"command": COMMAND, "kit_version": __version__, "n": n, "seeds": list(seeds), "models": dict(models),
            "reference": f"the first {len(x_ref):,} MNIST test digits (the last {len(x_cal):,} calibrate DRS)",
            "settings": DEFAULTS, "kid_subsets": KID_SUBSETS, "machine": machine(), "threads": torch.get_num_threads(),
            "seconds": round(time.perf_counter() - t0), "scores": as_json(out)}


def as_json(by_model):
    """{label: {method: scores}} with each ``Spread`` as its per-seed values: what the stored JSON files hold."""
    return {label: {m: {k: (list(v.values) if isinstance(v, Spread) else v) for k, v in s.items()}
                    for m, s in by_method.items()} for label, by_method in by_model.items()}


def stored(path=CLOSING, blob=None, what="closing comparison", command=COMMAND):
    """The stored closing comparison (or ``blob``, what ``closing`` returns): the file's fields, with "scores" as
    {label: {method: {"fid", "kid", "precision", "recall": Spread, "acceptance", "seconds"}}}."""
    blob = checkpoints.read_stored(path, what, command, blob)
    n, seeds = blob["n"], blob["seeds"]
    spread = lambda key, v: Spread.of(v, n, seeds, METRICS[key]) if key in METRICS else v   # noqa: E731
    return {**blob, "scores": {label: {m: {k: spread(k, v) for k, v in s.items()} for m, s in by_method.items()}
                               for label, by_method in blob["scores"].items()}}


def verdicts(S, metric="fid"):
    """{(label, method): ``spread.compare`` of each method against its generator's baseline on ``metric``}."""
    return {(label, m): compare(s["baseline"][metric], s[m][metric], f"{label} baseline", m,
                                lower_is_better=metric in ("fid", "kid"))
            for label, s in S["scores"].items() for m in s if m != "baseline"}


def comparison_table(S, markdown=True):
    """The stored comparison ``S`` (``stored``) as a table: each score mean ± std over the seeds, the change of
    MNIST-FID from the baseline with the verdict (beyond / within the noise), acceptance and seconds per 1,000."""
    v, rows = verdicts(S), []
    for label, by_method in S["scores"].items():
        for m, s in by_method.items():
            change = "" if m == "baseline" else (f"{percent(v[label, m].rel)}, "
                                                 f"{'beyond' if v[label, m].beyond else 'within'} the noise")
            rows.append([label, m, *(s[k].pm() for k in METRICS), change, s["acceptance"], s["seconds"]])
    return tables.table(["generator", "method", *METRICS.values(), "MNIST-FID change", "accepted", "s / 1000 samples"],
                        rows, formats={"accepted": ".1%", "s / 1000 samples": ".2f"}, markdown=markdown)


def settings_text(settings):
    """The methods' settings (``DEFAULTS``'s shape: method -> {setting: value}) written out in words.

    >>> settings_text({"drs": {"burn_in": 10000, "q": 95}, "dot_target": {"lr": 0.01, "steps": [3, 10]}})
    'DRS: burn in 10,000, q 95; DOT target: lr 0.01, steps [3, 10]'
    """
    value = lambda v: f"{v:,}" if isinstance(v, int) else f"{v:g}" if isinstance(v, float) else (   # noqa: E731
        f"[{', '.join(map(str, v))}]" if isinstance(v, (list, tuple)) else str(v))
    name = {"drs": "DRS", "dot_target": "DOT target", "dot_latent": "DOT latent"}
    return "; ".join(f"{name.get(m, m)}: " + ", ".join(f"{k.replace('_', ' ')} {value(v)}" for k, v in s.items())
                     for m, s in settings.items())


def caption(S):
    """What the stored comparison ``S`` measured, in one sentence (README's caption)."""
    return (f"{S['n']:,} samples per method on each of {len(S['seeds'])} seeds (mean ± std over the seeds) against "
            f"{S['reference']}; DRS with the discriminator trained further against the final generator; a change "
            f"is beyond the noise when it exceeds {threshold(len(S['seeds']) - 1):.2f} times its standard error over the "
            f"paired seeds (a two-sided t-test at 5%); scored on "
            f"{S['machine']}; settings (`gankit.results.DEFAULTS`): {settings_text(S['settings'])}")


def main(argv=None):
    p = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=N, help=f"samples per method and seed (default {N:,})")
    p.add_argument("--table", action="store_true", help="print the stored comparison, compute nothing")
    a = p.parse_args(argv)
    if not a.table:
        blob = closing(a.n)
        print(checkpoints.write_stored(CLOSING, blob))
    S = stored()
    print(caption(S) + "\n\n" + comparison_table(S))
    return 0


if __name__ == "__main__":
    sys.exit(main())
