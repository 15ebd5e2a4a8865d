r"""Quality against diversity: every way of post-processing a trained GAN's samples with its knob swept, on the
shipped generators, read as curves in the precision-recall plane (notebook 07).

    python -m gankit.tradeoff           # DRS percentiles and DOT step counts scored -> checkpoints/tradeoff.json
    python -m gankit.tradeoff --time    # every point's seconds per 1,000 samples, in one run -> tradeoff_timings.json

The knobs: truncation's threshold t and latent reweighting's cap m' (their sweep: ``gankit.reweight_mnist``; shown
as "kit's reweighting", ``REWEIGHTING``: the kit's construction, not Issenhuth et al.'s algorithm), DRS's
percentile q (``gankit.drs``), DOT's number of updates k, in the target space and in the latent space
(``gankit.dot``). The points at q = 95 and k = 10 are those of the closing comparison (``gankit.results``); this
command adds the others, with the same generators, seeds, sample size and reference digits, so that every point
of the chart is measured on the same terms: n samples per seed, the mean and std over the seeds.

Precision and recall (Kynkaanniemi et al. 2019, ``gankit.metrics``): precision = the share of generated samples
inside the real samples' k-NN balls in feature space (quality), recall = the share of real samples inside the
generated ones' balls (diversity). A method that trades diversity for quality moves up and to the left.
"""
import argparse
import sys
import time

import matplotlib.pyplot as plt
import torch
from tqdm.auto import tqdm

from . import __version__, checkpoints, drs_mnist, metrics, plots, results, reweight_mnist, tables
from .budget import machine
from .spread import SEEDS, Spread, compare, percent, threshold, training_digits

TRADEOFF = checkpoints.FOLDER / "tradeoff.json"
TIMINGS = checkpoints.FOLDER / "tradeoff_timings.json"
COMMAND = "python -m gankit.tradeoff"
RUNS = (f"a: {results.COMMAND}", f"b: {reweight_mnist.COMMAND} sweep", f"c: {COMMAND}")   # the three timed runs
PERCENTILES = (50.0, 80.0)     # DRS's q besides the closing comparison's 95
DOT_STEPS = (3, 30)            # DOT's k besides the closing comparison's 10 (same step size lr = 0.01)


# Latent reweighting as the chart, the tables and the closing rows name it: the kit's construction from Issenhuth et
# al.'s abstract (``gankit.reweight``), not their algorithm, so that no result of it reads as a verdict on theirs.
REWEIGHTING = "kit's reweighting"
# Each method's points, from the plain generator outwards (the knob turned further at each point).
CURVES = {
    "truncation": [f"truncation t={t:g}" for t in sorted(reweight_mnist.THRESHOLDS, reverse=True)],
    REWEIGHTING: [f"{REWEIGHTING} m'={m:g}" for m in sorted(reweight_mnist.CAPS)],
    "DRS": [f"DRS q={q:g}" for q in sorted(PERCENTILES + (95.0,))],
    "DOT target": [f"DOT target k={k}" for k in sorted(DOT_STEPS + (10,))],
    "DOT latent": [f"DOT latent k={k}" for k in sorted(DOT_STEPS + (10,))],
}
OFFSETS = {"truncation": (4, 3), REWEIGHTING: (-4, -9), "DRS": (4, 3), "DOT target": (4, -9),
           "DOT latent": (-4, 3)}   # where each knob value is written, from its point (in typographic points)
KNOBS = {"truncation": "threshold t", REWEIGHTING: "cap m'", "DRS": "percentile q",
         "DOT target": "updates k", "DOT latent": "updates k"}
DEFAULT = {"DRS": "DRS q=95", "DOT target": "DOT target k=10", "DOT latent": "DOT latent k=10",
           REWEIGHTING: f"{REWEIGHTING} m'=2"}   # the closing table's rows: the settings of results.DEFAULTS and
#                                                       the cap m' = m, the bound reweight_mnist.TRAIN trained w with


def _named(name):
    """The chart's name of a stored point: "kit's reweighting m'=..." (``REWEIGHTING``) for ``reweight_mnist``'s
    "reweighting m=...", the cap m' apart from the bound m that w was trained under; other names unchanged.

    >>> _named("reweighting m=1.5"), _named("truncation t=1")
    ("kit's reweighting m'=1.5", 'truncation t=1')
    """
    return name.replace("reweighting m=", f"{REWEIGHTING} m'=", 1) if name.startswith("reweighting m=") else name


def samplers(ck, held_out):
    """The DRS and DOT samplers this command adds, name -> ``sampler(n, seed)``: "DRS q=50", "DOT target k=3", ...
    (``results.methods`` with the knob set, the other settings ``results.DEFAULTS``)."""
    out = {}
    for q in PERCENTILES:
        out[f"DRS q={q:g}"] = results.methods(ck, held_out, {"DRS": {"percentile": q}}, ("DRS",))["DRS"]
    for space in ("target", "latent"):
        m = f"DOT {space}"
        for k in DOT_STEPS:
            out[f"{m} k={k}"] = results.methods(ck, held_out, {m: {"steps": k}}, (m,))[m]
    return out


def sweep(n=results.N, seeds=SEEDS, models=results.MODELS, progress=True):
    """``samplers`` for each shipped generator, scored by ``results.scores`` exactly as ``results.closing`` scores its
    methods (same n, seeds, reference digits, DRS calibration digits: ``drs_mnist.split_test``). Returns what the
    command stores."""
    x_cal, x_ref = drs_mnist.split_test()
    f_ref, t0 = metrics.features(x_ref), time.perf_counter()
    out = {label: results.scores(samplers(drs_mnist.load(name), x_cal), f_ref, n, seeds, progress)
           for label, name in tqdm(models.items(), desc="generators", disable=not progress)}
    return {"command": COMMAND, "kit_version": __version__, "n": n, "seeds": list(seeds), "models": dict(models),
            "reference": f"the first {len(x_ref):,} MNIST test digits (the last {len(x_cal):,} calibrate DRS)",
            "percentiles": list(PERCENTILES), "dot_steps": list(DOT_STEPS), "kid_subsets": results.KID_SUBSETS,
            "machine": machine(), "threads": torch.get_num_threads(), "seconds": round(time.perf_counter() - t0),
            "scores": results.as_json(out)}


def compute(weights=None, progress=True):
    """Every sweep of the chart made here, not stored: (``results.closing()``, ``reweight_mnist.sweep()`` with
    ``weights``, label -> W, default the shipped w, ``sweep()``), what ``stored(blobs=...)`` takes (about an hour on 2
    cores; the files record each one's time)."""
    return (results.closing(progress=progress), reweight_mnist.sweep(progress=progress, weights=weights),
            sweep(progress=progress))


def stored(path=TRADEOFF, blobs=None, weights=None, recompute=False):
    """Every point of the chart, in ``results.stored``'s form: the closing comparison (its DRS and DOT renamed "DRS
    q=95", "DOT target k=10", "DOT latent k=10"), ``reweight_mnist``'s sweep and this command's file merged (or the
    three ``blobs`` of ``compute``). All three must share n, seeds and the baseline's scores (ValueError otherwise):
    every point on the same terms.

    weights : label -> W, the w the notebook samples with (``reweight_mnist.load``). When one is not the shipped file's
        (``reweight_mnist.shipped``: trained here with ``retrain=True``), the reweighting sweep is rescored with them
        (``reweight_mnist.sweep``, about 5 minutes on 2 cores) in place of the stored one, so that the chart, the
        tables and the slider are of the w the notebook trained.
    recompute : every sweep made here, ``compute(weights)`` (about an hour), in place of the files."""
    if recompute:
        blobs = compute(weights)
    if blobs is not None:
        closing, sweep_, own = (results.stored(blob=b) for b in blobs)
    else:
        closing = results.stored()
        own = results.stored(path, what="sweep of DRS and DOT", command=COMMAND)
        if weights and not all(reweight_mnist.shipped(results.MODELS[label], W) for label, W in weights.items()):
            sweep_ = results.stored(blob=reweight_mnist.sweep(weights=weights))
        else:
            sweep_ = reweight_mnist.stored()
    scores, timed_by, plain = {}, {}, {}
    for label, by_method in closing["scores"].items():
        base = by_method["baseline"]
        for other in (sweep_, own):
            b = other["scores"][label].get("baseline", base)
            if (other["n"], other["seeds"]) != (closing["n"], closing["seeds"]) or b["fid"].values != base["fid"].values:
                raise ValueError(f"{other['command']} was not scored on the closing comparison's terms "
                                 f"(n, seeds, baseline): rerun it")
        scores[label] = {DEFAULT.get(m, m): s for m, s in by_method.items()}  # its baseline, timed with the others
        timed_by[label] = dict.fromkeys(scores[label], RUNS[0])
        plain[label] = {RUNS[0][0]: base["seconds"]}
        for run, other in zip(RUNS[1:], (sweep_, own)):
            points = {_named(m): s for m, s in other["scores"][label].items() if m != "baseline"}
            scores[label].update(points)
            timed_by[label].update(dict.fromkeys(points, run))
            if "baseline" in other["scores"][label]:
                plain[label][run[0]] = other["scores"][label]["baseline"]["seconds"]
    out = {**closing, "command": f"{results.COMMAND}, {reweight_mnist.COMMAND} sweep, {COMMAND}",
           "weights": sweep_.get("weights", "the shipped files"), "timed_by": timed_by, "plain_seconds": plain,
           "seconds": closing["seconds"] + sweep_["seconds"] + own["seconds"], "scores": scores}
    return with_timings(out) if blobs is None and TIMINGS.exists() else out


def timings(reps=3, progress=True):
    """Every point of the chart timed in one run here: seconds to make 1,000 accepted samples with ``every_sampler``
    (the median of ``reps`` draws, seeds 0, 1, ...), for each shipped generator and its shipped w. Returns what
    ``--time`` stores."""
    x_cal, _ = drs_mnist.split_test()
    out, t_all = {}, time.perf_counter()
    for label, name in tqdm(results.MODELS.items(), desc="generators", disable=not progress):
        sample = every_sampler(drs_mnist.load(name), reweight_mnist.load(name), x_cal)
        out[label] = {}
        for p, f in tqdm(sample.items(), desc=label, leave=False, disable=not progress):
            t = []
            for seed in range(reps):
                t0 = time.perf_counter()
                f(1000, seed)
                t.append(time.perf_counter() - t0)
            out[label][p] = sorted(t)[reps // 2]
    return {"command": f"{COMMAND} --time", "kit_version": __version__, "machine": machine(),
            "threads": torch.get_num_threads(), "reps": reps, "seconds": round(time.perf_counter() - t_all),
            "seconds_per_1000": out}


def with_timings(S, blob=None):
    """``S`` (``stored``) with every point's seconds from one timing run (``timings``; default the stored file) in
    place of the three scoring runs' own: the seconds then compare across every row."""
    blob = checkpoints.read_stored(TIMINGS, "every point's seconds", f"{COMMAND} --time", blob)
    scores = {label: {p: {**s, "seconds": blob["seconds_per_1000"][label].get(p, s["seconds"])} for p, s in by.items()}
              for label, by in S["scores"].items()}
    rest = {k: v for k, v in S.items() if k not in ("timed_by", "plain_seconds")}
    return {**rest, "scores": scores, "timing": f"{blob['command']} on {blob['machine']}, {blob['threads']} threads, "
                                                f"median of {blob['reps']} draws of 1,000"}


def caption(S):
    """What every point of the chart ``S`` (``stored``) measured, in words: sample size, seeds, reference digits, the
    verdict rule, the machine and the minutes the three sweeps took (wall time, summed), then the settings of the
    closing comparison (``results.DEFAULTS``, written out), and whose w the kit's reweighting used when not the shipped
    one."""
    w = S.get("weights", "the shipped files")
    own = "" if w == "the shipped files" else f"; w of the kit's reweighting: {w}"
    return (f"{S['n']:,} samples per point on each of {len(S['seeds'])} seeds (mean ± std over the seeds) against "
            f"{S['reference']}; a change is beyond the noise when it exceeds {threshold(len(S['seeds']) - 1):.2f} times "
            f"its standard error over the paired seeds (a two-sided t-test at 5%); DRS with the discriminator trained "
            f"further against the final generator; the sweeps ran on {S['machine']}, "
            f"{S['seconds'] / 60:.0f} minutes (wall time, summed){own}.\n"
            f"Closing comparison's settings (gankit.results.DEFAULTS): {results.settings_text(S['settings'])}.")


def closing_table(S, markdown=False):
    """The closing comparison: each method at its one setting (``DEFAULT``), the kit's reweighting included, against
    its generator's baseline (``results.comparison_table``); each row's seconds marked by the run that timed them
    (``RUNS``; compare seconds within one run only)."""
    keep = ("baseline",) + tuple(DEFAULT.values())
    marked = {label: {m: {**s[m], "seconds": seconds(S, label, m, ".2f")} for m in keep}
              for label, s in S["scores"].items()}
    table = results.comparison_table({**S, "scores": marked}, markdown)
    if "timing" in S:
        return table + "\n" + ("\n" if markdown else "") + f"seconds per 1,000 samples: {S['timing']}"
    return table + ("" if "timed_by" not in S else "\n" + ("\n" if markdown else "") + "seconds timed by run "
                    + "; ".join(RUNS) + ": compare them within one run")


def seconds(S, label, p, fmt):
    """Point ``p``'s seconds per 1,000 accepted samples, marked by the run that timed them ("2.31 (a)")."""
    run = S.get("timed_by", {}).get(label, {}).get(p)
    return f"{S['scores'][label][p]['seconds']:{fmt}}" + (f" ({run[0]})" if run else "")


SMALL = 0.01   # a precision gain below this gives no slope: of the order of the seeds' spread, among ~100 verdicts


def moves(S, label):
    """What each point of ``label``'s curves did to precision and recall against the plain generator, by the verdict
    rule (``spread.compare``, paired seeds): {point: (precision Verdict, recall Verdict)}."""
    base, out = S["scores"][label]["baseline"], {}
    for points in CURVES.values():
        for p in points:
            s = S["scores"][label][p]
            out[p] = tuple(compare(base[k], s[k], "the plain generator", p, lower_is_better=False)
                           for k in ("precision", "recall"))
    return out


def rows(S, label):
    """``label``'s points, one row each: method, knob, precision and recall (mean ± std over the seeds), their changes
    from the plain generator ("(noise)" when within the verdict rule), the recall lost per unit of precision gained
    (only where precision rose by more than ``SMALL`` and both moved beyond the noise; else None), MNIST-FID's
    change, acceptance rate, seconds per 1,000 accepted samples."""
    v, fid, out = moves(S, label), results.verdicts(S), []
    mark = lambda x: f"{x.diff:+.3f}" + ("" if x.beyond else " (noise)")   # noqa: E731
    for method, points in CURVES.items():
        for p in points:
            s, (dp, dr), f = S["scores"][label][p], v[p], fid[label, p]
            cost = -dr.diff / dp.diff if dp.beyond and dr.beyond and dp.diff > SMALL else None
            out.append([method, p.rsplit(" ", 1)[1], s["precision"].pm(), s["recall"].pm(), mark(dp), mark(dr), cost,
                        percent(f.rel) + ("" if f.beyond else " (noise)"), s["acceptance"],
                        seconds(S, label, p, ".1f")])
    return out


def table(S, label):
    """``rows`` as a printed table, with where its seconds come from: one timing run (``with_timings``), or else the
    three scoring runs, each second marked by its run (``RUNS``: a machine's load differs between runs)."""
    if "timing" in S:
        runs = f"\nseconds per 1,000 samples: {S['timing']}"
    elif "timed_by" in S:
        runs = "\nseconds timed by run " + "; ".join(RUNS) + "\nthe plain generator's seconds in each run: " + ", ".join(
            f"{r} {v:.2f}" for r, v in S.get("plain_seconds", {}).get(label, {}).items() if v is not None)
    else:
        runs = ""
    return tables.table(["method", "knob", "precision", "recall", "Δ precision", "Δ recall", "recall lost / precision",
                         "MNIST-FID change", "accepted", "s / 1000"], rows(S, label),
                        formats={"recall lost / precision": ".2f", "accepted": ".0%"}) + runs


def summary(S, label):
    """Each method of ``label`` in one line, by the verdict rule: the points that raised precision beyond the noise and
    by more than ``SMALL``, with the range of their precision and recall changes (or that none did), and the point of lowest MNIST-FID with
    its verdict against the plain generator."""
    v, fid, lines = moves(S, label), results.verdicts(S), []
    for method, points in CURVES.items():
        up = [p for p in points if v[p][0].beyond and v[p][0].diff > SMALL]
        if up:
            dp, dr = ([v[p][i].diff for p in up] for i in (0, 1))
            span = lambda a, b: f"{a:+.3f}" + ("" if f"{a:+.3f}" == f"{b:+.3f}" else f" to {b:+.3f}")  # noqa: E731
            gain = (f"precision up by over {SMALL:g}, beyond the noise, at {', '.join(p.rsplit(' ', 1)[1] for p in up)}: "
                    f"{span(min(dp), max(dp))}, recall {span(max(dr), min(dr))}")
        else:
            gain = f"precision up by over {SMALL:g}, beyond the noise, at no point"
        best = min(points, key=lambda p: S["scores"][label][p]["fid"].mean)
        f = fid[label, best]
        lines.append(f"{method}: {gain}; its lowest MNIST-FID at {best.rsplit(' ', 1)[1]}, {percent(f.rel)} from the "
                     f"plain generator's ({'beyond' if f.beyond else 'within'} the noise)")
    return "\n".join(lines)


def step_by_step(S, label, metric="precision"):
    """Along each curve of ``label``, step by step: the change of ``metric`` from one point to the
    next (the plain generator first), paired seeds, "(noise)" when within the verdict rule. One line per method."""
    by, lines = S["scores"][label], []
    for method, points in CURVES.items():
        names = ["baseline"] + points
        steps = [compare(by[a][metric], by[b][metric], a, b, lower_is_better=False) for a, b in zip(names, names[1:])]
        lines.append(f"{method} ({metric}): " + ", ".join(
            f"{'plain' if a == 'baseline' else a.rsplit(' ', 1)[1]} -> {b.rsplit(' ', 1)[1]} {v.diff:+.3f}"
            + ("" if v.beyond else " (noise)") for a, b, v in zip(names, names[1:], steps)))
    return "\n".join(lines)


def real_point(real_features, n, seeds=SEEDS):
    """Where real data sit on the chart: precision and recall (``metrics.precision_recall``) of n MNIST training digits
    per seed (``spread.training_digits``, disjoint blocks) against the reference digits' ``real_features``, at the
    chart's set sizes. Returns {"precision": Spread, "recall": Spread}."""
    pr = [metrics.precision_recall(metrics.features(training_digits(n, s)), real_features) for s in seeds]
    return {key: Spread.of([v[i] for v in pr], n, seeds, key) for i, key in enumerate(("precision", "recall"))}


CROWDED = 0.006   # the full chart writes no knob value within this distance of the star (precision or recall)


def chart(S, label, ax=None, highlight=None, zoom=None, legend=True, real=None):
    """``label``'s curves in the precision-recall plane: each method from the plain generator (black star) through
    its points (``CURVES``, knob values written beside them, each method's on its side: ``OFFSETS``), each point the
    mean over the seeds, without error bars: the seed spread is not the noise of a paired difference, which the
    verdicts test (``spread.compare``); ``real`` (``real_point``) a black cross for training digits; ``highlight`` a point to
    ring; ``zoom`` a half-width: only the square of that size around the plain generator, each curve's last knob
    value alone written (the others overlap there); without ``zoom``, no knob value within ``CROWDED`` of the
    star (the zoom shows those). Up = more precision (quality), right = more recall (diversity).
    Returns the Axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4.8))
    by = S["scores"][label]
    base = by["baseline"]
    for method, points in CURVES.items():
        ss = [base] + [by[p] for p in points]
        r, pr = [s["recall"].mean for s in ss], [s["precision"].mean for s in ss]
        line, = ax.plot(r, pr, marker="o", ms=4, lw=1.2, label=f"{method} ({KNOBS[method]})")
        c, far = line.get_color(), 4 if zoom else 1     # a zoom: the last point only, its label farther out
        extra = dict(fontsize=8, zorder=7, bbox=dict(fc="white", ec="none", alpha=0.85, pad=0.5),
                     arrowprops=dict(arrowstyle="-", color=c, lw=0.6)) if zoom else dict(fontsize=7)
        for p, x, y in list(zip(points, r[1:], pr[1:]))[-1 if zoom else 0:]:
            if not zoom and max(abs(x - r[0]), abs(y - pr[0])) < CROWDED:
                continue                                   # beside the star: the zoom labels it
            dx, dy = OFFSETS[method]
            ax.annotate(p.rsplit(" ", 1)[1], (x, y), xytext=(far * dx, far * dy), textcoords="offset points", color=c,
                        annotation_clip=True, ha="right" if dx < 0 else "left", **extra)
    ax.plot(base["recall"].mean, base["precision"].mean, "k*", ms=14, label="plain generator", zorder=5)
    if real:
        ax.plot(real["recall"].mean, real["precision"].mean, "kX", ms=9, label="training digits (real data)", zorder=5)
    if highlight and highlight != "baseline":
        ax.plot(by[highlight]["recall"].mean, by[highlight]["precision"].mean, "o", ms=16, mfc="none", mec="red",
                mew=2, zorder=6)
    title = f"{label}: {S['n']:,} samples x {len(S['seeds'])} seeds per point"
    if zoom:
        ax.set(xlim=(base["recall"].mean - zoom, base["recall"].mean + zoom),
               ylim=(base["precision"].mean - zoom, base["precision"].mean + zoom))
        title = f"{label}: zoom on the plain generator\n(each curve's last knob value labelled)"
    ax.set(xlabel="recall (feature-space diversity)", ylabel="precision (feature-space quality)", title=title)
    if legend:
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=3)
    return ax


def every_sampler(ck, W, held_out):
    """Every point of the chart as a sampler, name -> ``sampler(n, seed)`` (images, or (images, acceptance)): the
    plain generator and each point of ``CURVES`` for the model ``ck`` (``drs_mnist.load``) with its latent weights
    ``W`` (``reweight_mnist.load``), DRS calibrated on ``held_out`` digits; the same samplers the stored scores
    measured."""
    out = {_named(m): f for m, f in reweight_mnist.samplers(ck.G, W).items()}
    out.update(samplers(ck, held_out))
    out.update({DEFAULT[m]: f for m, f in results.methods(ck, held_out, which=("DRS", "DOT target", "DOT latent")).items()})
    return out


def explorer(S, label, sample, n=24, seed=0):
    """A method menu and a slider over its knob (0 = the plain generator, then the points of ``CURVES``): each move
    redraws ``label``'s chart with the point ringed, beside n samples made there by ``sample`` (``every_sampler``;
    each point's samples are made once, then kept). Returns the ``ipywidgets.interactive`` widget."""
    from ipywidgets import Dropdown, IntSlider, interactive   # here: importing gankit.tradeoff needs no widgets

    made = {}

    def show(method, i):
        i = min(i, len(CURVES[method]))
        p = "baseline" if i == 0 else CURVES[method][i - 1]
        if p not in made:
            x = sample[p](n, seed)
            made[p] = x[0] if isinstance(x, tuple) else x
        fig, (a, b) = plt.subplots(1, 2, figsize=(10.5, 4.6), gridspec_kw={"width_ratios": [1.5, 1]},
                                   layout="constrained")
        chart(S, label, a, highlight=p)
        s = S["scores"][label][p]
        plots.grid(made[p], nrow=6, ax=b, title=f"{'plain generator' if i == 0 else p}\nprecision "
                                                 f"{s['precision'].mean:.3f}, recall {s['recall'].mean:.3f}")
        plt.show()

    m = Dropdown(options=list(CURVES), description="method")
    i = IntSlider(value=0, min=0, max=len(CURVES[m.value]), description="knob step")
    m.observe(lambda change: setattr(i, "max", len(CURVES[change.new])), "value")
    return interactive(show, method=m, i=i)


def main(argv=None):
    p = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=results.N, help=f"samples per method and seed (default {results.N:,})")
    p.add_argument("--time", action="store_true", help="time every point in one run instead (tradeoff_timings.json)")
    a = p.parse_args(argv)
    if a.time:
        print(checkpoints.write_stored(TIMINGS, timings()))
        return 0
    blob = sweep(a.n)
    print(checkpoints.write_stored(TRADEOFF, blob))
    return 0


if __name__ == "__main__":
    sys.exit(main())
