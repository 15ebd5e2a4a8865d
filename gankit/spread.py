r"""A number with its noise: a generator's MNIST-FID and KID over several seeds, and one verdict on a difference.

A generator's MNIST-FID on n samples is a random number: another seed draws other latent codes and gives another
value (the shipped GAN (R1) scores 3.33, 3.76, 3.61, 3.51 and 3.51 on seeds 0 to 4 of 5,000 samples). FID is
also biased at finite n (it falls as n grows), so two FIDs compare only at the same n; KID (``metrics.kid``) is
unbiased. ``score(G)`` states a score as its mean ± standard deviation over k seeds at n samples per seed (a
``Spread``: "3.21 ± 0.25 (5 seeds × 10,000 samples)"), and ``compare`` decides whether two differ by one rule:

    d  = mean(b) - mean(a)
    SE = std(b_i - a_i) / sqrt(k)                  paired: the same seeds (the same latent codes where they apply)
    SE = sqrt(std(a)^2 / k_a + std(b)^2 / k_b)     unpaired
    beyond the noise  <=>  |d| > t SE,   t = t_{0.975}(df) (Student's t; df = k - 1 paired, Welch's df unpaired)

a two-sided t-test at the 5% level: it errs about 5% of the time when there is no difference, at any number of
seeds (t = 2.78 at 5 paired seeds, about 2 with many). A difference within the noise is not shown to be zero,
only not shown.

The reference of every score is by default the 10,000 MNIST test digits, fixed: the spread over seeds is then the
generator's sampling noise, the part that differs between two generators scored against the same reference. The
shipped generators' scores over seeds are stored by ``python -m gankit.scores`` (``gankit.scores``).
"""
import math
import numbers
import time
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import torch
from scipy import stats
from tqdm.auto import tqdm

from . import checkpoints, data, metrics
from .nets import Generator

N = 10_000           # samples per seed: a DCGAN draws them and their features in about 15 s on 2 CPU cores
SEEDS = (0, 1, 2, 3, 4)
REAL = "mnist_train"  # the reference row: N training digits per seed (disjoint blocks) against the test digits


def decimals(err):
    """Decimals that show two significant digits of ``err`` (2 when err is 0 or not finite).

    >>> decimals(0.40), decimals(3.2), decimals(0.0004)
    (2, 1, 5)
    """
    if not np.isfinite(err) or err <= 0:
        return 2
    return int(min(8, max(0, 1 - math.floor(math.log10(err)))))


def percent(rel):
    """A relative change as a signed percentage: whole percents from 10% on, two significant digits below.

    >>> percent(1.47), percent(-0.0123), percent(0.00065), percent(0.0)
    ('+147%', '-1.2%', '+0.065%', '+0%')
    """
    if rel == 0 or abs(rel) >= 0.1:
        return f"{rel:+,.0%}"
    return f"{rel:+.{min(4, 1 - math.floor(math.log10(abs(rel) * 100)))}%}"


class Spread(NamedTuple):
    """A score over k seeds: ``mean`` and ``std`` (the standard deviation over seeds, ddof = 1) of ``values``
    (one per seed), ``n`` the samples per seed, ``seeds`` the seeds, ``metric`` what was measured.

    >>> s = Spread.of([3.33, 3.76, 3.61, 3.51, 3.51], n=5000, seeds=range(5))
    >>> print(s)
    3.54 ± 0.16 (5 seeds × 5,000 samples)
    >>> round(s.se, 2)
    0.07
    """
    mean: float
    std: float
    values: tuple
    n: int = None
    seeds: tuple = None
    metric: str = ""

    @classmethod
    def of(cls, values, n=None, seeds=None, metric=""):
        """The Spread of per-seed ``values`` (at least 1; the std needs 2)."""
        v = np.asarray([float(x) for x in values], dtype=float)
        if len(v) == 0:
            raise ValueError("a Spread needs at least one value")
        seeds = None if seeds is None else tuple(int(s) for s in seeds)
        if seeds is not None and len(seeds) != len(v):
            raise ValueError(f"{len(v)} values for {len(seeds)} seeds")
        std = float(v.std(ddof=1)) if len(v) > 1 else math.nan
        return cls(float(v.mean()), std, tuple(v.tolist()), n, seeds, metric)

    @property
    def k(self):
        """The number of seeds."""
        return len(self.values)

    @property
    def se(self):
        """The standard error of the mean, std / sqrt(k)."""
        return self.std / math.sqrt(self.k)

    def pm(self, unit=""):
        """"mean ± std", to two significant digits of the std (what a table cell shows), ``unit`` after each;
        "25 ± 0" when every seed gave the same value.

        >>> Spread.of([11.0, 12.0]).pm("%"), Spread.of([25, 25]).pm()
        ('11.50% ± 0.71%', '25 ± 0')
        """
        if self.std == 0:
            return f"{self.mean:g}{unit} ± 0{unit}"
        dec = decimals(self.std)
        return f"{self.mean:.{dec}f}{unit} ± {self.std:.{dec}f}{unit}"

    def __str__(self):
        where = f"{self.k} seed{'s' if self.k > 1 else ''}" + (f" × {self.n:,} samples" if self.n else "")
        return f"{self.pm()} ({where})"


class Verdict(NamedTuple):
    """What ``compare`` found: B against A. ``diff`` = mean(b) - mean(a) (B's change from A), ``se`` its standard
    error, ``rel`` = diff / mean(a) (NaN when A's mean is within 2 of its standard errors of 0), ``beyond`` =
    |diff| > t se with ``t`` the threshold (``threshold``), ``paired`` (True: SE of the per-seed differences), ``k``
    the seeds (per side when unpaired)."""
    name_a: str
    name_b: str
    mean_a: float
    mean_b: float
    diff: float
    se: float
    rel: float
    beyond: bool
    paired: bool
    k: tuple
    metric: str = ""
    lower_is_better: bool = True
    t: float = 2.0

    better = property(lambda self: self.beyond and (self.diff < 0) == self.lower_is_better, doc="B better than A")
    worse = property(lambda self: self.beyond and (self.diff > 0) == self.lower_is_better, doc="B worse than A")

    ratio = property(lambda self: abs(self.diff) / self.se if self.se > 0 else math.inf,
                     doc="|d| / SE, the t statistic the rule compares with ``t``")

    def pm(self):
        """"d ± SE", signed, to two significant digits of the SE (what a table cell shows).

        >>> compare([1.0, 2.0, 3.0], [1.5, 2.4, 3.6], paired=True).pm()
        '+0.500 ± 0.058'
        """
        dec = decimals(self.se)
        return f"{self.diff:+.{dec}f} ± {self.se:.{dec}f}"

    def __str__(self):
        dec, unit = decimals(self.se), f" {self.metric}" if self.metric else ""
        rel = f" ({percent(self.rel)})" if np.isfinite(self.rel) else ""
        seeds = f"{self.k[0]} paired seeds" if self.paired else f"{self.k[0]} + {self.k[1]} seeds, unpaired"
        if self.beyond:
            s = (f"{self.name_b} is {'worse' if self.worse else 'better'} than {self.name_a} by "
                 f"{abs(self.diff):.{dec}f} ± {self.se:.{dec}f}{unit}{rel}, beyond the noise "
                 f"(|d| = {self.ratio:.1f} SE > {self.t:.2f}, {seeds})")
        else:
            s = (f"{self.name_b} does not differ from {self.name_a} beyond the noise: {self.pm()}{unit}{rel}, "
                 f"|d| = {self.ratio:.1f} SE <= {self.t:.2f} ({seeds})")
        return s[0].upper() + s[1:] if s.split(" ", 1)[0] in ("the", "a", "an") else s   # "the plain generator ..."


def compare(a, b, name_a="A", name_b="B", paired=None, metric=None, lower_is_better=True):
    r"""Is B's score different from A's beyond the noise? a, b: two ``Spread`` or two lists of per-seed values.

    d = mean(b) - mean(a); paired (the same seeds, so the same latent codes where both use them):
    SE = std(b_i - a_i) / sqrt(k); unpaired: SE = sqrt(s_a^2 / k_a + s_b^2 / k_b). Beyond the noise when
    |d| > t SE, t = ``threshold(df)`` (a two-sided t-test at 5%). ``paired=None``: paired when a and b are Spreads
    on the same seeds, else unpaired. Spreads at
    different n are refused (FID is biased at finite n). ``str(verdict)`` is the sentence a notebook prints:

    >>> a, b = [3.3, 3.8, 3.0, 3.8, 4.2], [7.6, 8.3, 7.4, 8.1, 8.9]
    >>> print(compare(a, b, "the GAN", "WGAN-GP", paired=True, metric="MNIST-FID"))
    WGAN-GP is worse than the GAN by 4.440 ± 0.075 MNIST-FID (+123%), beyond the noise (|d| = 59.2 SE > 2.78, 5 paired seeds)
    >>> v = compare(a, [3.4, 3.5, 3.3, 4.0, 4.1], "the GAN on seeds 0-4", "the GAN on seeds 5-9")
    >>> print(v.beyond, *str(v).split(": "), sep="\n")
    False
    The GAN on seeds 5-9 does not differ from the GAN on seeds 0-4 beyond the noise
    +0.04 ± 0.27 (+1.1%), |d| = 0.1 SE <= 2.33 (5 + 5 seeds, unpaired)
    """
    sa, sb = (x if isinstance(x, Spread) else Spread.of(x) for x in (a, b))
    if sa.n and sb.n and sa.n != sb.n:
        raise ValueError(f"{name_a} was scored on {sa.n:,} samples per seed and {name_b} on {sb.n:,}: FID is biased "
                         "at finite n (it falls as n grows), so compare scores at the same n")
    if sa.metric and sb.metric and sa.metric != sb.metric:
        raise ValueError(f"{name_a} is a {sa.metric} and {name_b} a {sb.metric}: compare the same metric")
    if paired is None:
        paired = sa.seeds is not None and sa.seeds == sb.seeds
    if sa.k < 2 or sb.k < 2:
        raise ValueError(f"the noise of a score needs at least 2 seeds on each side, got {sa.k} and {sb.k}")
    if paired and sa.k != sb.k:
        raise ValueError(f"paired seeds need as many values on each side, got {sa.k} and {sb.k}")
    if paired:
        se, k = float(np.std(np.subtract(sb.values, sa.values), ddof=1) / math.sqrt(sa.k)), (sa.k,)
        df = sa.k - 1
    else:
        va, vb = sa.std ** 2 / sa.k, sb.std ** 2 / sb.k
        se, k = math.sqrt(va + vb), (sa.k, sb.k)
        df = (va + vb) ** 2 / (va ** 2 / (sa.k - 1) + vb ** 2 / (sb.k - 1)) if va + vb > 0 else sa.k + sb.k - 2
    diff, t = sb.mean - sa.mean, threshold(df)
    rel = diff / sa.mean if abs(sa.mean) > 2 * sa.se else math.nan
    return Verdict(name_a, name_b, sa.mean, sb.mean, diff, se, rel, bool(abs(diff) > t * se), bool(paired), k,
                   metric if metric is not None else sa.metric or sb.metric, lower_is_better, t)


def threshold(df):
    """t_{0.975}(df): |d| / SE beyond it is a difference at the 5% level (two-sided Student's t test, df degrees of
    freedom: k - 1 for k paired seeds, Welch's approximation unpaired).

    >>> round(threshold(4), 3), round(threshold(1000), 2)
    (2.776, 1.96)
    """
    return float(stats.t.ppf(0.975, df))


# ----------------------------------------------------------------------------- scoring


@lru_cache(maxsize=1)
def _training_digits():
    x = data.mnist(train=True)[0]
    return x[torch.randperm(len(x), generator=torch.Generator().manual_seed(2018))]


def training_digits(n, seed):
    """n MNIST training digits, the ``seed``-th block of n of one fixed shuffle of the 60,000 (disjoint blocks for
    different seeds): real data scored like a generator, the reference row of the kit's tables."""
    x = _training_digits()
    if seed < 0 or (seed + 1) * n > len(x):
        raise ValueError(f"{len(x):,} training digits hold {len(x) // n} disjoint blocks of {n:,}: seed {seed} is "
                         "not one of them")
    return x[seed * n:(seed + 1) * n]


def sampler_of(source):
    """``sampler(n, seed)`` -> n images (N, 1, 28, 28) in [-1, 1] from a generator (``G.sample(n, seed=seed)``), a
    loaded checkpoint (its ``G``), the name of a shipped checkpoint, ``REAL`` (``training_digits``), or such a
    function itself."""
    if isinstance(source, str):
        return training_digits if source == REAL else sampler_of(checkpoints.load(source).G)
    if isinstance(source, Generator):
        return lambda n, seed: source.sample(n, seed=seed)
    if hasattr(source, "G") and isinstance(source.G, Generator):
        return sampler_of(source.G)
    if callable(source):
        return source
    raise TypeError(f"expected a generator, a checkpoint, its name or a function sampler(n, seed), got {type(source)}")


def score(sampler, n=N, seeds=SEEDS, real=None, real_features=None, kid_subsets=100, progress=False):
    """MNIST-FID and MNIST-KID of n samples per seed, on each of ``seeds``, against ``real`` images (or their
    ``real_features``; by default the 10,000 MNIST test digits).

    ``sampler``: a function ``sampler(n, seed)`` returning n images (N, 1, 28, 28) in [-1, 1] (a post-hoc method
    such as ``lambda n, s: drs.sample(G, D, n, seed=s).x``), or a generator, a checkpoint or its name
    (``sampler_of``). KID: ``metrics.kid`` with subsets of 1,000 (``kid_subsets`` of them), seeded by the seed.
    Returns {"fid": Spread, "kid": Spread, "kid_subset_std": the KID's std over subsets per seed, "seconds"}.
    """
    seeds = tuple(int(s) for s in seeds)
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 2 or not seeds:
        raise ValueError(f"score needs n >= 2 samples per seed and at least one seed, got n = {n!r}, seeds {seeds}")
    sample = sampler_of(sampler)
    t0 = time.perf_counter()
    fr = metrics.reference_features(real, real_features)
    ref = metrics.gaussian_fit(fr)
    fid, kid, kid_std = [], [], []   # per seed
    for seed in tqdm(seeds, desc="seeds", disable=not progress, leave=False):
        x = sample(n, seed)
        if len(x) != n:
            raise ValueError(f"the sampler returned {len(x)} images for n = {n} (seed {seed})")
        fx = metrics.features(x)
        fid.append(metrics.frechet(*metrics.gaussian_fit(fx), *ref))
        for out, v in zip((kid, kid_std), metrics.kid_features(fx, fr, subsets=kid_subsets, seed=seed)):
            out.append(v)
    return {"fid": Spread.of(fid, n, seeds, "MNIST-FID"), "kid": Spread.of(kid, n, seeds, "MNIST-KID"),
            "kid_subset_std": kid_std, "seconds": time.perf_counter() - t0}
