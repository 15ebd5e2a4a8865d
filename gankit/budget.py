"""What a training run cost, and where it stood at a smaller budget: how runs are compared fairly.

Two GANs compare at a stated budget, not at the end of whatever each one ran: the same number of generator
steps, or the same minutes alone on the machine. The minutes come from one epoch timed with nothing else running
(a machine shared with another job runs torch many times slower), times the epochs trained::

    python -m gankit.budget dcgan_adam     # time one epoch of a recipe alone, into checkpoints/timings.json

``spent`` says what a shipped run cost; ``at`` reads its stored MNIST-FID curve at a smaller budget; ``compare``
puts two runs side by side at the budgets notebook 03 states; ``averaging`` says what the shipped weight average
changed in each run's curve.
"""
import argparse
import json
import os
import platform
import sys
from types import SimpleNamespace

import numpy as np
import torch

from . import checkpoints, data, tables
from .loop import History, train
from .mode import device as best_device
from .recipes import LOSSES, RECIPES, networks, schedule, settings
from .spread import compare as compare_spreads, percent

TIMINGS = checkpoints.FOLDER / "timings.json"


def timings():
    """What ``checkpoints/timings.json`` holds: {recipe name: {epoch_seconds, threads, cpu, gpu, recipe}} (gpu: the
    GPU's name, None for none; not in the timings made before it was recorded)."""
    return json.loads(TIMINGS.read_text()) if TIMINGS.exists() else {}


def _timed(name, recipe):
    """The stored timing of recipe ``name`` (``timings``), or None when it was not timed with these settings."""
    t = timings().get(name)
    return t if t is not None and t["recipe"] == settings(recipe) else None


def epoch_seconds(name, recipe):
    """The epoch of recipe ``name`` timed alone (``time_epoch``), or None when it was not timed with these settings."""
    t = _timed(name, recipe)
    return None if t is None else t["epoch_seconds"]


def cpu_name():
    """The processor's model name (Linux), else the platform's description: README names the hardware."""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def gpu_name(dev=None):
    """The name of the GPU torch computes on (``dev``, by default the kit's ``mode.device``), None on the CPU."""
    dev = torch.device(dev) if dev is not None else best_device()
    return torch.cuda.get_device_name(dev) if dev.type == "cuda" else None if dev.type == "cpu" else dev.type


def machine():
    """This machine in words, as measured here: the processor (``cpu_name``), its cores (``os.cpu_count()``) and
    the GPU the kit would use (``gpu_name``), e.g. 'AMD EPYC, 2 cores, no GPU'."""
    return f"{cpu_name()}, {os.cpu_count()} cores, {gpu_name() or 'no GPU'}"


def time_epoch(name, root=None):
    """Time one typical epoch of recipe ``name`` (the second: WGAN-clip's first one has 100 critic steps per generator
    step at the start), from fresh networks, no evaluation, nothing saved but the time. Run it with nothing else on the
    machine: the training time the kit shows is this epoch time times the epochs trained.
    Writes {name: {epoch_seconds, threads, cpu, gpu, recipe}} into ``checkpoints/timings.json``; returns the
    seconds."""
    r, dev = RECIPES[name], best_device()
    x, _ = data.mnist(train=True, root=root)
    G, D, _, opt_G, opt_D = networks(r, dev)
    n_critic, per_epoch = schedule(r, len(x))
    rule = {k: v for k, v in LOSSES[r["loss"]](r).items() if k != "monitor"}
    before = History(d_loss=[0.0] * per_epoch, g_loss=[0.0] * per_epoch)   # time epoch 2: a typical epoch
    h = train(G, D, data.batches(x, seed=r["seed"] * 1000 + 2), opt_G=opt_G, opt_D=opt_D, steps=per_epoch,
              batch_size=r["batch"], n_critic=n_critic, history=before, desc=f"{name}, one epoch", **rule)
    times = timings()
    times[name] = dict(epoch_seconds=round(h.seconds, 1), threads=torch.get_num_threads(), cpu=cpu_name(),
                       gpu=gpu_name(dev), recipe=settings(r))
    TIMINGS.write_text(json.dumps(times, indent=1, sort_keys=True) + "\n")
    return h.seconds


def spent(name, meta):
    """What a shipped GAN checkpoint cost: ``epochs``, ``generator_steps``, ``critic_steps`` (discriminator updates,
    from the recipe's schedule), ``minutes`` alone on the kit's machine (the epoch timed alone by ``time_epoch``
    times the epochs; None when this recipe's epoch was not timed) and the ``cpu`` that epoch was timed on.

    >>> meta = dict(recipe=RECIPES["wgan_gp"], epochs=2, steps=374)
    >>> b = spent("not-timed", meta); (b.generator_steps, b.critic_steps, b.minutes)
    (374, 1870, None)
    """
    n_critic, _ = schedule(meta["recipe"], 60000)
    steps = meta["steps"]
    critic = sum(n_critic(s) for s in range(1, steps + 1)) if callable(n_critic) else steps * n_critic
    epochs = meta.get("epochs", meta["recipe"]["epochs"])
    t = _timed(name, meta["recipe"])
    seconds = None if t is None else t["epoch_seconds"]
    return SimpleNamespace(epochs=epochs, generator_steps=steps, critic_steps=critic, epoch_seconds=seconds,
                           minutes=None if seconds is None else epochs * seconds / 60,
                           cpu=None if t is None else t["cpu"].replace("(R)", ""))


def at(name, meta, generator_steps=None, minutes=None):
    """Where a shipped run stood at a smaller budget: the last epoch it had finished within ``generator_steps``
    generator steps, or within ``minutes`` alone (epochs times the epoch timed by ``time_epoch``), and the MNIST-FID
    stored after that epoch (``fid_samples`` samples). Two runs compare at equal budget by reading each one's curve
    there.

    >>> meta = dict(recipe=RECIPES["wgan_gp"], epochs=3, steps=561, steps_per_epoch=187, fid_per_epoch=[90, 60, 50])
    >>> b = at("not-timed", meta, generator_steps=400); (b.epoch, b.generator_steps, b.fid, b.minutes)
    (2, 374, 60, None)
    """
    if (generator_steps is None) == (minutes is None):
        raise ValueError("give generator_steps or minutes")
    per_epoch = epoch_seconds(name, meta["recipe"])
    if minutes is not None and per_epoch is None:
        raise ValueError(f"{name} has no epoch time in {TIMINGS.name}: run python -m gankit.budget {name} alone")
    epoch = generator_steps // meta["steps_per_epoch"] if minutes is None else int(minutes * 60 // per_epoch)
    epoch = min(epoch, len(meta["fid_per_epoch"]))
    if epoch < 1:
        raise ValueError(f"{name} had not finished one epoch within that budget")
    return SimpleNamespace(epoch=epoch, generator_steps=epoch * meta["steps_per_epoch"], fid=meta["fid_per_epoch"][epoch - 1],
                           minutes=None if per_epoch is None else epoch * per_epoch / 60)


def paired(meta, other_name, other_meta):
    """Two runs at equal generator steps along the whole of the first: after each epoch of run ``meta``, its MNIST-FID
    and the other run's (``at`` that many generator steps), from the epoch on which the other had finished one epoch.
    Returns ``steps``, ``fid`` and ``other`` as arrays.

    >>> a = dict(steps_per_epoch=187, fid_per_epoch=[90, 60, 50, 40, 30, 25, 20])
    >>> b = dict(recipe=RECIPES["dcgan_adam"], epochs=2, steps=800, steps_per_epoch=400, fid_per_epoch=[45, 30])
    >>> p = paired(a, "not-timed", b); p.steps.tolist(), p.fid.tolist(), p.other.tolist()
    ([561, 748, 935, 1122, 1309], [50, 40, 30, 25, 20], [45, 45, 30, 30, 30])
    """
    steps = meta["steps_per_epoch"] * np.arange(1, len(meta["fid_per_epoch"]) + 1)
    keep = steps >= other_meta["steps_per_epoch"]
    other = [at(other_name, other_meta, generator_steps=int(s)).fid for s in steps[keep]]
    return SimpleNamespace(steps=steps[keep], fid=np.asarray(meta["fid_per_epoch"])[keep], other=np.asarray(other))


def compare(name, meta, other_name, other_meta):
    """Run ``name`` against run ``other_name`` at stated budgets, from the MNIST-FID curves stored during training:
    each reading holds ``fid`` (run ``name``'s), ``other`` (the other run's) and their ``ratio`` fid / other.

    - ``end``: each run at its last epoch, whatever budget it had;
    - ``steps``: ``within`` the smaller run's ``budget`` of generator steps, the larger run ``read`` at its ``epoch``
      (of ``of``) within them (``at``), the smaller at its end;
    - ``minutes``: the same within the shorter run's minutes alone (None when a recipe's epoch was not timed);
    - ``paired``: at equal generator steps after every epoch of the second half of run ``name`` (``paired``): the
      ``median`` ratio, its ``low`` and ``high``, over ``epochs`` epochs from ``first`` to ``last`` generator steps.

    Run a ended lower (0.8 times b's) but took more generator steps: within b's 800 it stood at 40, 4/3 of b's 30.

    >>> a = dict(recipe=RECIPES["wgan_gp"], epochs=6, steps=1122, steps_per_epoch=187,
    ...          fid_per_epoch=[90, 60, 50, 40, 36, 24])
    >>> b = dict(recipe=RECIPES["dcgan_adam"], epochs=2, steps=800, steps_per_epoch=400, fid_per_epoch=[45, 30])
    >>> c = compare("not-timed", a, "not-timed-either", b)
    >>> c.end.ratio, (c.steps.read, c.steps.epoch, c.steps.fid, round(c.steps.ratio, 2)), c.minutes
    (0.8, ('not-timed', 4, 40, 1.33), None)
    >>> c.paired.median, c.paired.epochs
    (1.0, 2)
    """
    runs = {name: meta, other_name: other_meta}

    def reading(fid, other, **more):
        return SimpleNamespace(fid=fid, other=other, ratio=fid / other, **more)

    def at_smaller(size, budget):         # the smaller run at its end, the larger read within the smaller's budget
        small, large = sorted(runs, key=size)
        read = at(large, runs[large], **{budget: size(small)})
        fid = {small: runs[small]["fid_per_epoch"][-1], large: read.fid}
        return reading(fid[name], fid[other_name], within=small, budget=size(small), read=large, epoch=read.epoch,
                       of=len(runs[large]["fid_per_epoch"]))

    minutes = {n: spent(n, m).minutes for n, m in runs.items()}
    p = paired(meta, other_name, other_meta)
    ratio = (p.fid / p.other)[len(p.fid) // 2:]
    return SimpleNamespace(
        end=reading(meta["fid_per_epoch"][-1], other_meta["fid_per_epoch"][-1]),
        steps=at_smaller(lambda n: runs[n]["steps"], "generator_steps"),
        minutes=None if None in minutes.values() else at_smaller(minutes.get, "minutes"),
        paired=SimpleNamespace(median=float(np.median(ratio)), low=float(ratio.min()), high=float(ratio.max()),
                               epochs=len(ratio), first=int(p.steps[-len(ratio)]), last=int(p.steps[-1])))


def averaging(metas, last=5, ratio=("WGAN-GP", "GAN (R1)")):
    """What the weight average did to each run's stored MNIST-FID curve: {label: checkpoint meta}, each with the
    curve of the shipped average (``fid_per_epoch``) and of the trained generator (``fid_trained_per_epoch``), one
    draw of ``fid_samples`` samples after each epoch. For each run the means of its ``last`` epochs, and their
    difference averaged - trained with ``spread.compare``'s paired SE over those epochs: one run's curve, so its noise
    is that of the curve's draws over those epochs, not that of training seeds, and consecutive epochs are not
    independent: no verdict is printed (the Report keeps ``spread.compare``'s). ``ratio``: two labels, the first
    run's means over the second's, between averages and between trained generators. Returns a ``tables.Report`` (``means``:
    {label: (averaged, trained)}, ``verdicts``: {label: ``spread.Verdict``}, ``ratios``: (averaged, trained)).

    >>> a = dict(fid_samples=5000, fid_per_epoch=[9, 4, 3, 4, 3, 4], fid_trained_per_epoch=[9, 7, 6, 8, 6, 7])
    >>> b = dict(fid_samples=5000, fid_per_epoch=[9, 8, 7, 9, 8, 8], fid_trained_per_epoch=[9, 9, 7, 8, 8, 9])
    >>> print(averaging({"A": a, "B": b}, ratio=("B", "A")))
    mean MNIST-FID of each run's last 5 epochs, the shipped average and the trained generator (one run each,
    one draw of 5,000 samples per epoch: the noise is the curve's over those 5 epochs, not over training seeds)
    model  averaged  trained  averaged - trained (± SE over 5 epochs, not independent)
    -----  --------  -------  --------------------------------------------------------
    A          3.60     6.80  -3.20 ± 0.20 (-47%)
    B          8.00     8.20  -0.20 ± 0.37 (-2.4%)
    B / A: 2.22 between the averages, 1.21 between the trained generators
    """
    means, verdicts, rows = {}, {}, []
    for label, m in metas.items():
        avg, trained = m["fid_per_epoch"][-last:], m["fid_trained_per_epoch"][-last:]
        v = verdicts[label] = compare_spreads(trained, avg, "trained", "averaged", paired=True)
        means[label] = (v.mean_b, v.mean_a)
        rows.append([label, v.mean_b, v.mean_a, f"{v.pm()} ({percent(v.rel)})"])
    n = {m.get("fid_samples") for m in metas.values()}
    head = ["model", "averaged", "trained", f"averaged - trained (± SE over {last} epochs, not independent)"]
    text = [f"mean MNIST-FID of each run's last {last} epochs, the shipped average and the trained generator (one run "
            f"each,\none draw of {'/'.join(f'{k:,}' for k in sorted(n))} samples per epoch: the noise is the curve's "
            f"over those {last} epochs, not over training seeds)",
            tables.table(head, rows, formats={"averaged": ".2f", "trained": ".2f"})]
    ratios = None
    if ratio and all(r in means for r in ratio):
        (a1, t1), (a2, t2) = means[ratio[0]], means[ratio[1]]
        ratios = (a1 / a2, t1 / t2)
        text.append(f"{ratio[0]} / {ratio[1]}: {ratios[0]:.2f} between the averages, {ratios[1]:.2f} between the "
                    "trained generators")
    return tables.Report("\n".join(text), means=means, verdicts=verdicts, ratios=ratios)


def main(argv=None):
    gans = [k for k, v in RECIPES.items() if v.get("kind") != "classifier"]
    p = argparse.ArgumentParser(prog="python -m gankit.budget",
                                description="Time one epoch of a GAN recipe; run it with nothing else on the machine.")
    p.add_argument("name", choices=gans, help="recipe name")
    p.add_argument("--data", help="folder holding MNIST/raw (default: GANKIT_DATA, then the cache)")
    a = p.parse_args(argv)
    print(f"{a.name}: one epoch in {time_epoch(a.name, root=a.data):.1f} s ({torch.get_num_threads()} threads, {cpu_name()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
