r"""DRS as the paper runs it, on the kit's MNIST generators: each discriminator trained further against its frozen
final generator with the plain logistic loss (``drs.further_train``), shipped as a small checkpoint, and DRS's
MNIST scores with their spread over seeds, shipped as a results file.

    python -m gankit.drs_mnist train      # the further-trained discriminators of dcgan_adam and wgan_gp
    python -m gankit.drs_mnist scores     # the evaluation notebook 05 loads (scores.json)

The digits each step sees (no step sees the digits that judge it):

- further training: the first 55,000 MNIST training digits against fresh samples of the shipped (averaged) generator;
  its start is the end-of-training discriminator calibrated on the last 5,000 training digits and folded into it
  (``drs.fold``), and its logistic loss on those 5,000 against 5,000 fixed samples is recorded along the way;
- DRS's calibration (both variants): the last 2,000 MNIST test digits against 2,000 fresh samples, as
  ``results.closing``;
- the scores: the other 8,000 test digits are the reference of MNIST-FID, KID, precision and recall.

``dcgan_adam``'s discriminator was trained with R1; ``wgan_gp`` has a critic, not a discriminator: its further
training starts from the critic's weights (calibrated, folded), so that both runs are the same procedure.
"""
import argparse
import json
import math
import time
from types import SimpleNamespace

import torch
from tqdm.auto import tqdm

from . import __version__, checkpoints, data, drs, metrics, spread, tables
from .budget import machine
from .nets import batched

FOLDER = checkpoints.FOLDER / "drs"
SCORES = FOLDER / "scores.json"
PARTS = FOLDER / "parts"     # one file per generator and seed, when the scores run in parallel (not shipped)
MODELS = ("dcgan_adam", "wgan_gp")
TRAIN = dict(steps=1000, lr=2e-4, betas=(0.5, 0.999), batch_size=64, seed=0, every=125)   # see the module's command
SPLIT = 55_000          # training digits [0, SPLIT) train D further; [SPLIT, 60,000) calibrate its start and monitor it
HELD_OUT = 2000         # the last HELD_OUT test digits calibrate DRS; the others are the reference of the scores
N, SEEDS, Q = 2000, (0, 1, 2, 3, 4), (0, 50, 95)   # the scores: samples per seed, seeds, percentiles q
KID_SUBSETS = 20        # KID: the mean over 20 subsets of 1,000 (the spread over seeds carries the noise)
VARIANTS = ("end of training", "further trained")
COMMAND = "python -m gankit.drs_mnist"


def path_of(name):
    """The further-trained discriminator of the shipped generator ``name``: ``checkpoints/drs/<name>.pt``."""
    return FOLDER / f"{name}.pt"


def train(name, save=True, progress=True, **settings):
    """The further-trained discriminator of the shipped generator ``name`` (``TRAIN`` overridden by ``settings``),
    saved to ``path_of(name)`` with what made it when ``save``. Returns (D, its metadata)."""
    s = {**TRAIN, **settings}
    ck = checkpoints.load(name, device="cpu")
    x = data.mnist(train=True)[0]
    monitor_real, monitor_fake = x[SPLIT:], ck.G.sample(len(x) - SPLIT, seed=10_000)
    start = drs.calibrate(ck.D, monitor_real, ck.G.sample(len(x) - SPLIT, seed=10_001))
    D = drs.fold(start)
    held_out_loss = lambda D: drs.logistic_loss(batched(D, monitor_real), batched(D, monitor_fake))
    out = drs.further_train(ck.G, D, data.batches(x[:SPLIT], seed=s["seed"]), s["steps"], lr=s["lr"],
                            betas=s["betas"], batch_size=s["batch_size"], seed=s["seed"], monitor=held_out_loss,
                            every=s["every"], progress=progress)
    meta = dict(command=f"{COMMAND} train {name}", generator=name, generator_sha256=checkpoints.fingerprint(name),
                seed=s["seed"], settings=s, start=dict(a=start.a, b=start.b, of="the critic" if "wgan" in name else
                                                      "the end-of-training discriminator"),
                held_out_loss=out.monitored, loss=out.loss, seconds=round(out.seconds, 1),
                steps_per_second=round(out.steps_per_second, 2), threads=torch.get_num_threads(), machine=machine())
    if save:
        checkpoints.save(path_of(name), meta, D=D)
    return D, meta


def load(name, retrain=False):
    """The shipped checkpoint ``name`` (``.G``, ``.D`` the end-of-training discriminator or critic, ``.meta``) with
    ``.D_drs``, its further-trained discriminator, and ``.drs_meta`` (what made it: settings, held-out loss curve,
    time). ``retrain``: train it here (``train``, not saved) instead of reading its file. A missing file raises
    ``CheckpointError`` with the command that makes it."""
    ck = checkpoints.load(name)
    if retrain:
        ck.D_drs, ck.drs_meta = train(name, save=False)
        return ck
    p = path_of(name)
    if not p.exists():
        raise checkpoints.CheckpointError(f"no further-trained discriminator for {name!r} ({p.name}); make it with: "
                                          f"{COMMAND} train {name}")
    further = checkpoints.load(p)
    ck.D_drs, ck.drs_meta = further.D, further.meta
    return ck


def split_test():
    """(calibration digits, reference digits): the last ``HELD_OUT`` MNIST test digits and the others."""
    x = data.mnist(train=False)[0]
    return x[-HELD_OUT:], x[:-HELD_OUT]


def discriminators(ck, x_cal, seed=1):
    """variant -> the calibrated logit DRS uses: the end-of-training discriminator (or critic) and the further-trained
    one, each calibrated on the real digits ``x_cal`` against as many fresh samples (seed ``seed``)."""
    fake = ck.G.sample(len(x_cal), seed=seed)
    return {"end of training": drs.calibrate(ck.D, x_cal, fake), "further trained": drs.calibrate(ck.D_drs, x_cal, fake)}


def loss_table(models, logits, x_ref, n, seed=5):
    """Which calibrated logit classifies digits against samples better? The logistic loss (``drs.logistic_loss``;
    lower is closer to log p_data / p_g where that ratio is finite, on MNIST only a better classifier) of each D~ of
    ``logits`` (label -> variant -> D~, ``discriminators``) on the
    reference digits x_ref[:n] against n fresh samples of its generator (``models``: label -> ``load``, seed
    ``seed``). Returns a ``tables.Report``, the table of (generator, D, a, b, loss); ``rows``: its rows."""
    rows = []
    for label, ck in models.items():
        fake = ck.G.sample(n, seed=seed)
        for variant, Dt in logits[label].items():
            rows.append([label, variant, Dt.a, Dt.b, drs.logistic_loss(batched(Dt, x_ref[:n]), batched(Dt, fake))])
    return tables.Report(tables.table(["generator", "D", "a", "b", "held-out logistic loss"], rows,
                                      formats={"a": ".2f", "b": ".2f", "held-out logistic loss": ".3f"}), rows=rows)


def cost(S, ck, name):
    """What the shipped results of generator ``name`` cost: its further training (``ck = load(name)``, its
    ``drs_meta``: steps, minutes, steps/s), its checkpoint's size and the evaluation's minutes (``S = stored()``),
    with the machine they ran on, as one line."""
    m, size, evaluation = ck.drs_meta, path_of(name).stat().st_size / 1e6, S.meta["scores"][name]["seconds"] / 60
    return (f"{m['settings']['steps']} further-training steps in {m['seconds'] / 60:.1f} min "
            f"({m['steps_per_second']:.1f} steps/s), checkpoint {size:.1f} MB, evaluation {evaluation:.0f} min. "
            f"{S.meta['machine']}")


def sweep(G, logits, n, qs, seed=0, burn_in=10_000, batch=1000):
    """DRS (``drs.sample``'s steps: burn-in, running max, ``drs.decide`` per batch) with each calibrated logit of
    ``logits`` (variant -> D~) at each percentile of ``qs``, all on ONE stream of proposals x = G(z), z seeded by
    ``seed``: the methods see the same latent codes (paired), and G runs once for all of them. Each (variant, q)
    stops at n accepted samples (or 100 n proposals). Returns {(variant, q): (samples (n, ...), acceptance rate)}."""
    g, u = torch.Generator().manual_seed(seed), torch.Generator().manual_seed(seed + 1_000_003)

    def propose(m):
        x = batched(G, torch.randn(m, G.z_dim, generator=g))
        return x, {k: batched(D, x).double().reshape(-1) for k, D in logits.items()}

    top = {k: -math.inf for k in logits}
    for i in range(0, burn_in, batch):
        top = {k: max(top[k], float(v.max())) for k, v in propose(min(batch, burn_in - i))[1].items()}
    keys = [(k, q) for k in logits for q in qs]
    kept, count, proposed = {key: [] for key in keys}, dict.fromkeys(keys, 0), dict.fromkeys(keys, 0)
    while any(count[key] < n and proposed[key] < 100 * n for key in keys):
        x, lx = propose(batch)
        top = {k: max(top[k], float(lx[k].max())) for k in logits}
        for k, q in keys:
            if count[k, q] < n and proposed[k, q] < 100 * n:
                accept, _ = drs.decide(lx[k], top[k], percentile=q, generator=u)
                kept[k, q].append(x[accept])
                count[k, q] += int(accept.sum())
                proposed[k, q] += batch
    return {key: (torch.cat(kept[key])[:n], count[key] / proposed[key]) for key in keys}


def measure(x, f_ref, seed=0):
    """MNIST-FID, KID (subsets of 1,000, seeded by ``seed``), precision and recall of images x against the reference
    features ``f_ref``."""
    fx = metrics.features(x)
    p, r = metrics.precision_recall(fx, f_ref)
    return dict(fid=metrics.frechet(*metrics.gaussian_fit(fx), *metrics.gaussian_fit(f_ref)),
                kid=metrics.kid_features(fx, f_ref, subsets=KID_SUBSETS, seed=seed)[0], precision=p, recall=r)


def compute(models=MODELS, n=N, seeds=SEEDS, q=Q, progress=True):
    """The scores notebook 05 loads: for each generator, its plain samples and DRS with each variant of ``VARIANTS``
    at each percentile of ``q``, n samples per seed on ``seeds``, measured by ``measure``."""
    x_cal, x_ref = split_test()
    f_ref = metrics.features(x_ref)
    scores = {}
    for name in models:
        t0, ck = time.perf_counter(), load(name)
        Ds = discriminators(ck, x_cal)
        rows = {"plain": [measure(ck.G.sample(n, seed=s), f_ref, s) for s in seeds]}
        for s in tqdm(seeds, desc=name, disable=not progress):
            for (variant, pct), (x, rate) in sweep(ck.G, Ds, n, q, seed=s).items():
                rows.setdefault(f"{variant}, q={pct:g}", []).append({**measure(x, f_ref, s), "acceptance": rate})
        scores[name] = {"calibration": {v: [Dt.a, Dt.b] for v, Dt in Ds.items()},
                        "rows": {k: {m: [r[m] for r in v] for m in v[0]} for k, v in rows.items()},
                        "seconds": time.perf_counter() - t0, "threads": torch.get_num_threads()}
    return {"command": f"{COMMAND} scores", "kit_version": __version__, "n": n, "seeds": list(seeds), "q": list(q),
            "reference": f"the first {len(x_ref):,} MNIST test digits", "calibration": f"the last {HELD_OUT:,}",
            "burn_in": 10_000, "kid_subsets": KID_SUBSETS, "machine": machine(), "scores": scores}


def merge(parts):
    """One scores blob from several ``compute`` results on the same terms (e.g. one per generator and seed, run in
    parallel): per generator, the per-seed values in seed order; seconds added up."""
    base = {k: v for k, v in parts[0].items() if k not in ("seeds", "scores")}
    if any({k: v for k, v in p.items() if k in base and k != "machine"} != {k: v for k, v in base.items()
                                                                          if k != "machine"} for p in parts):
        raise ValueError("the parts were computed on different terms (n, q, reference, ...)")
    scores = {}
    for name in dict.fromkeys(n for p in parts for n in p["scores"]):
        mine = sorted(((s, p["scores"][name]) for p in parts if name in p["scores"] for s in p["seeds"][:1]),
                      key=lambda t: t[0])
        first = mine[0][1]
        rows = {row: {m: [v for _, part in mine for v in part["rows"][row][m]] for m in first["rows"][row]}
                for row in first["rows"]}
        scores[name] = {"calibration": first["calibration"], "rows": rows, "threads": first["threads"],
                        "seconds": round(sum(part["seconds"] for _, part in mine))}
    seeds = sorted({s for p in parts for s in p["seeds"]})
    return {**base, "seeds": seeds, "scores": scores}


def stored(path=SCORES, blob=None):
    """The stored scores (or ``blob``, what ``compute`` returns) as Spreads: ``.rows``: name -> row -> metric ->
    ``spread.Spread``; ``.calibration``, ``.n``, ``.seeds``, ``.q``, ``.meta`` (the file). A missing file raises
    FileNotFoundError with the command that makes it."""
    blob = checkpoints.read_stored(path, "DRS scores", f"{COMMAND} scores", blob)
    n, seeds = blob["n"], blob["seeds"]
    rows = {name: {row: {m: spread.Spread.of(v, n, seeds, m) for m, v in metrics_.items()}
                   for row, metrics_ in s["rows"].items()} for name, s in blob["scores"].items()}
    return SimpleNamespace(rows=rows, calibration={k: v["calibration"] for k, v in blob["scores"].items()},
                           n=n, seeds=seeds, q=blob["q"], variants=VARIANTS, meta=blob)


def table(S, name, q=95):
    """The stored scores of generator ``name`` at percentile q (``stored()``): its plain samples and DRS with each
    variant, mean ± std over the seeds of MNIST-FID, MNIST-KID, precision, recall and the acceptance rate."""
    rows = [("plain generator", S.rows[name]["plain"])] + [(f"DRS, D {v}", S.rows[name][f"{v}, q={q:g}"])
                                                            for v in VARIANTS]
    return tables.table([f"{S.n:,} samples x {len(S.seeds)} seeds, q = {q:g}", "MNIST-FID", "MNIST-KID", "precision",
                         "recall", "accepted"],
                        [[label] + [r[m].pm() for m in ("fid", "kid", "precision", "recall")]
                         + [r["acceptance"].mean if "acceptance" in r else None] for label, r in rows],
                        formats={"accepted": ".1%"})


def acceptances(S, name):
    """One line: the mean acceptance rate of DRS with each variant at every stored percentile q (``stored()``)."""
    return "; ".join(f"D {v}: " + ", ".join(f"{S.rows[name][f'{v}, q={q:g}']['acceptance'].mean:.1%}" for q in S.q)
                     for v in VARIANTS) + f" (q = {', '.join(f'{q:g}' for q in S.q)})"


def verdict(S, name, a, b, label_a=None, label_b=None, metric="fid"):
    """``spread.compare`` of two rows of the stored scores of ``name`` (e.g. "plain" and "further trained, q=95") on
    ``metric`` (fid, kid: lower is better; precision, recall: higher), paired by seed."""
    return spread.compare(S.rows[name][a][metric], S.rows[name][b][metric], label_a or a, label_b or b,
                          metric={"fid": "MNIST-FID", "kid": "MNIST-KID"}.get(metric, metric),
                          lower_is_better=metric in ("fid", "kid"))


def placebo(S, name):
    """q = 0 as a placebo: there DRS keeps almost every proposal, so its scores should match the plain generator's.
    The stored scores of ``name`` at q = 0 (``table``), then one line: how many of the 8 paired verdicts (``verdict``:
    MNIST-FID, MNIST-KID, precision, recall, for each variant against the plain generator) are beyond the noise, and
    which (the rule, a t-test at 5%, fires about one time in twenty where there is no difference)."""
    found = [(v, m, verdict(S, name, "plain", f"{v}, q=0", metric=m)) for v in VARIANTS
             for m in ("fid", "kid", "precision", "recall")]
    beyond = [f"D {v}, {m} {x.pm()}" for v, m, x in found if x.beyond]
    return (f"{table(S, name, q=0)}\nq = 0 against the plain generator, paired by seed: {len(beyond)} of "
            f"{len(found)} verdicts beyond the noise" + "".join(f"; {b}" for b in beyond))


def digit_mix(x, keep, draws=1000, seed=0):
    """The digit mix of the images ``x`` (N, 1, 28, 28) and of those a sampler keeps (``keep`` (N,) bool), by the
    kit's classifier (``metrics.digit_labels``), against chance: two lines, each digit's % before -> after, then the
    total variation distance between the two mixes, and the same distance for as many images kept at random
    (``draws`` random subsets, seeded by ``seed``): its mean ± std and how often it is at least as large."""
    labels, share = metrics.digit_labels(x), metrics.label_shares
    before, after, k = share(labels), share(labels[keep]), int(keep.sum())
    tv = lambda mix: 0.5 * float((mix - before).abs().sum())                   # noqa: E731
    g = torch.Generator().manual_seed(seed)
    null = torch.tensor([tv(share(labels[torch.randperm(len(labels), generator=g)[:k]])) for _ in range(draws)])
    tail = float((null >= tv(after) - 1e-12).float().mean())                 # how often chance moves it as far
    shares = [f"{d}: {100 * b:.0f} -> {100 * a:.0f}" for d, (b, a) in enumerate(zip(before.tolist(), after.tolist()))]
    return (f"% of each digit, all proposals -> kept: {', '.join(shares)}\n"
            f"TV between the mixes {tv(after):.3f}, {k} kept; {k} kept at random instead ({draws:,} draws): TV "
            f"{null.mean():.3f} ± {null.std():.3f}, at least {tv(after):.3f} in {tail:.1%}")


def main(argv=None):
    p = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0])
    p.add_argument("what", choices=("train", "scores", "merge"))
    p.add_argument("names", nargs="*", default=list(MODELS), help=f"generators (default: {' '.join(MODELS)})")
    p.add_argument("--steps", type=int, default=TRAIN["steps"], help="further-training steps")
    p.add_argument("--seed", type=int, default=None, help="scores: only this seed, into a part file (see merge)")
    p.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's)")
    a = p.parse_args(argv)
    if a.threads:
        torch.set_num_threads(a.threads)
    if a.what == "train":
        for name in a.names:
            _, m = train(name, steps=a.steps)
            print(f"{name}: {len(m['loss'])} steps in {m['seconds']:.0f} s ({m['steps_per_second']:.2f} steps/s), "
                  f"held-out loss {m['held_out_loss'][0][1]:.4f} -> {m['held_out_loss'][-1][1]:.4f}; saved "
                  f"{path_of(name).name} ({path_of(name).stat().st_size / 1e6:.1f} MB)")
    elif a.what == "scores" and a.seed is not None:    # one seed of one run of several in parallel
        PARTS.mkdir(exist_ok=True)
        for name in a.names:
            (PARTS / f"{name}-{a.seed}.json").write_text(json.dumps(compute([name], seeds=[a.seed], progress=False)))
    else:
        parts = [json.loads(f.read_text()) for f in sorted(PARTS.glob("*.json"))] if a.what == "merge" else \
            [compute(a.names)]
        SCORES.write_text(json.dumps(merge(parts), indent=1) + "\n")
        print(f"wrote {SCORES.name}")


if __name__ == "__main__":
    main()
