r"""The kit's MNIST metrics, all computed with the kit's own classifier C (``checkpoints/classifier.pt``).

* MNIST-FID: the Fréchet distance between Gaussians fitted to C's penultimate features phi of two sets,

      FID = ||m_1 - m_2||^2 + Tr(S_1 + S_2 - 2 (S_1 S_2)^{1/2})

  (the FID of Heusel et al. 2017 with C in place of Inception; values are not comparable with Inception FID).
  Biased at finite n: it falls as the number of samples grows, so two FIDs compare only at the same n.
* MNIST-KID: the unbiased MMD^2 of the same features with the kernel k(a, b) = (a.b / d + 1)^3 (Binkowski et al.
  2018), averaged over random subsets (``kid``): 0 on average for two samples of one distribution, at any n.
* class histogram of C's predictions, classes covered (share >= ``MIN_SHARE``), largest class share,
  confident share (max softmax >= 0.9).
* precision and recall by k-nearest-neighbour manifolds (Kynkäänniemi et al. 2019, k = 3): with
  r_k(a) the distance from a to its k-th nearest neighbour within its own set,

      precision = share of fakes x with ||phi(x) - phi(y)|| <= r_k(y) for some real y,
      recall    = share of reals y with ||phi(y) - phi(x)|| <= r_k(x) for some fake x.
"""
import warnings

import numpy as np
import scipy.linalg
import torch

from . import checkpoints, data, tables
from .nets import batched, device_of

MIN_SHARE = 0.02  # a class counts as covered when at least 2% of the samples fall in it (uniform: 10%)
_C = None


def classifier():
    """The kit's pretrained MNIST classifier (loaded once, eval mode)."""
    global _C
    if _C is None:
        _C = checkpoints.load("classifier").C
    return _C


def check_images(x):
    """x as MNIST images (N, 1, 28, 28) on the kit's scale [-1, 1] (background -1), or a ValueError that says what
    was expected: wrong shapes, fewer than 2 images, NaN or infinite values, and images on another scale ([0, 1],
    whose background is 0, or 0-255) are refused. Flattened images (N, 784) are refused too, not reshaped: a row of
    784 numbers does not say its pixel order (5,000 test digits flattened column by column, i.e. transposed, score
    MNIST-FID 299), nor that it is an image at all. A generator's bad samples
    (all grey, say, early in a WGAN-clip run) are images on the right scale and pass: their FID says how bad they are.

    >>> check_images(-torch.ones(3, 1, 28, 28)).shape
    torch.Size([3, 1, 28, 28])
    """
    x = torch.as_tensor(x)
    if x.dim() == 2 and x.shape[1] == 784:
        raise ValueError(f"expected MNIST images of shape (N, 1, 28, 28) in [-1, 1], got {tuple(x.shape)}: flattened "
                         "images? if each row is one image in row-major order, pass x.view(-1, 1, 28, 28)")
    if x.dim() != 4 or tuple(x.shape[1:]) != (1, 28, 28):
        raise ValueError(f"expected MNIST images of shape (N, 1, 28, 28) in [-1, 1], got {tuple(x.shape)}")
    if len(x) < 2:
        raise ValueError(f"expected at least 2 images (a mean and a covariance are fitted), got {len(x)}")
    if not torch.isfinite(x).all():
        raise ValueError(f"{int((~torch.isfinite(x)).sum())} pixel values are NaN or infinite: did the generator diverge?")
    lo, hi = x.min().item(), x.max().item()
    if hi > 1.01 or lo < -1.01:
        raise ValueError(f"pixel values range from {lo:g} to {hi:g}; the kit's images are in [-1, 1] "
                         "(0-255 images: x / 127.5 - 1)")
    background = (x.abs() < 0.05).float().mean().item()   # [0, 1] digits: most pixels are background, at 0
    if lo >= 0 and background > 0.5:
        raise ValueError(f"no pixel is below {lo:g} and {background:.0%} are near 0: MNIST backgrounds are -1 on the "
                         "kit's [-1, 1] scale, so these look like [0, 1] images (use 2 * x - 1)")
    return x


def features(x):
    """phi(x): the classifier's 128-dimensional penultimate features of images x (N, 1, 28, 28) in [-1, 1]."""
    return batched(classifier().features, check_images(x), device=device_of(classifier()))


_TEST_FEATURES = None


def mnist_test_features():
    """The features of the 10,000 MNIST test digits (computed once): the default reference of ``fid`` and ``report``."""
    global _TEST_FEATURES
    if _TEST_FEATURES is None:
        _TEST_FEATURES = features(data.mnist(train=False)[0])
    return _TEST_FEATURES


def accuracy(C, x, t, batch=1000):
    """Share of images x whose predicted class C(x) equals the label t."""
    C.eval()
    return (batched(C, x, batch).argmax(1) == t).float().mean().item()


def frechet(m1, S1, m2, S2):
    """||m1 - m2||^2 + Tr(S1 + S2 - 2 (S1 S2)^{1/2}): the Fréchet (W2^2) distance between two Gaussians.

    m (k,) means, S (k, k) covariances. A Gaussian is at distance 0 from itself; N(0, 1) and N(3, 4) in 1D:
    9 + 1 + 4 - 2 * 2 = 10.

    >>> round(frechet(np.zeros(1), np.eye(1), np.full(1, 3.0), 4 * np.eye(1)), 9)
    10.0
    >>> round(frechet(np.zeros(2), np.diag([1.0, 2.0]), np.zeros(2), np.diag([1.0, 2.0])), 9)
    0.0
    """
    with warnings.catch_warnings():  # ReLU features give singular covariances: sqrtm is still accurate here
        warnings.simplefilter("ignore", scipy.linalg.LinAlgWarning)
        covmean = scipy.linalg.sqrtm(S1 @ S2)
    covmean = covmean.real if np.iscomplexobj(covmean) else covmean
    return float(((m1 - m2) ** 2).sum() + np.trace(S1 + S2 - 2 * covmean))


def gaussian_fit(f):
    """Mean and covariance of features f (N, k), in float64 NumPy: the Gaussian that FID fits."""
    f = f.double().numpy()
    return f.mean(0), np.cov(f, rowvar=False)


def fid(x, y=None, fy=None):
    """MNIST-FID between image sets x and y (or y's precomputed features ``fy``; by default the MNIST test set)."""
    return frechet(*gaussian_fit(features(x)), *gaussian_fit(reference_features(y, fy)))


def polynomial_kernel(a, b):
    """k(a, b) = (a.b / d + 1)^3 for every row a of ``a`` (m, d) and b of ``b`` (n, d): an (m, n) float64 matrix."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)   # NumPy: 3x faster than torch here
    K = a @ b.T / a.shape[1] + 1
    return K * K * K


def mmd2_unbiased(x, y):
    r"""The unbiased estimate of MMD^2 between the distributions of the rows of x (m, d) and y (n, d) (arrays or
    tensors) with the ``polynomial_kernel`` k; leaving out the diagonal terms k(x_i, x_i) makes its expectation MMD^2:

        MMD^2_u = sum_{i != j} k(x_i, x_j) / (m (m - 1)) + sum_{i != j} k(y_i, y_j) / (n (n - 1))
                  - 2 sum_{i, j} k(x_i, y_j) / (m n).

    In 1D, x = {0, 0} and y = {1, 1}: k(0, 0) = 1, k(1, 1) = 8, k(0, 1) = 1, so 1 + 8 - 2 = 7. Unbiased, it can be
    negative: x = y = {0, 1} gives 1 + 1 - 2 * 11 / 4 = -3.5.

    >>> mmd2_unbiased(torch.tensor([[0.0], [0.0]]), torch.tensor([[1.0], [1.0]]))
    7.0
    >>> mmd2_unbiased(torch.tensor([[0.0], [1.0]]), torch.tensor([[0.0], [1.0]]))
    -3.5
    """
    m, n = len(x), len(y)
    if m < 2 or n < 2:
        raise ValueError(f"the unbiased MMD^2 needs at least 2 samples in each set, got {m} and {n}")
    off = lambda K: K.sum() - np.trace(K)
    kxx, kyy, kxy = polynomial_kernel(x, x), polynomial_kernel(y, y), polynomial_kernel(x, y)
    return float(off(kxx) / (m * (m - 1)) + off(kyy) / (n * (n - 1)) - 2 * kxy.sum() / (m * n))


def kid_features(fx, fr, subset_size=1000, subsets=100, seed=0):
    """KID of two feature sets fx (N, d) and fr (M, d): the mean and the standard deviation over ``subsets``
    subsets of ``mmd2_unbiased``, each subset m = min(subset_size, N, M) rows of fx and m rows of fr drawn
    without replacement (a fresh draw per subset; ``seed`` seeds them)."""
    fx, fr = np.asarray(fx, dtype=np.float64), np.asarray(fr, dtype=np.float64)
    if fx.ndim != 2 or fr.ndim != 2 or fx.shape[1] != fr.shape[1]:
        raise ValueError(f"expected two feature sets (N, d) and (M, d), got {tuple(fx.shape)} and {tuple(fr.shape)}")
    if subsets < 1:
        raise ValueError(f"subsets must be at least 1, got {subsets}")
    m = min(subset_size, len(fx), len(fr))
    g = torch.Generator().manual_seed(seed)
    draw = lambda f: f[torch.randperm(len(f), generator=g)[:m].numpy()]
    values = np.array([mmd2_unbiased(draw(fx), draw(fr)) for _ in range(subsets)])
    return float(values.mean()), float(values.std())


def kid(x, real=None, real_features=None, subset_size=1000, subsets=100, seed=0):
    r"""MNIST-KID (the kernel inception distance of Binkowski et al. 2018, "Demystifying MMD GANs", with the kit's
    classifier C in place of Inception) of images x (N, 1, 28, 28) in [-1, 1] against real images ``real`` (or
    their ``real_features``; by default the 10,000 MNIST test digits). With phi C's 128 features (d = 128, those
    of ``fid``) and k(a, b) = (a.b / d + 1)^3,

        KID = mean over ``subsets`` subsets S of MMD^2_u(phi(x_S), phi(y_S))        (``mmd2_unbiased``)

    each S holding m = min(``subset_size``, N, M) generated and m real images drawn without replacement. Returns
    (KID, its standard deviation over the subsets), as torchmetrics reports it (clean-fid: the mean). Unbiased: over
    independent draws of one distribution its mean is 0 (a single value may be below 0), at any n, so KIDs at
    different n compare, unlike FIDs. The same input checks as ``fid``. Identical images are at KID 0:

    >>> blank = -torch.ones(10, 1, 28, 28)
    >>> [round(v, 9) for v in kid(blank, real=blank, subsets=3)]
    [0.0, 0.0]
    """
    return kid_features(features(x), reference_features(real, real_features), subset_size, subsets, seed)


def reference_features(real, real_features):
    """The reference features: of the images ``real``, else ``real_features``, else of the MNIST test set."""
    return features(real) if real is not None else real_features if real_features is not None else mnist_test_features()


def _kth_radius(f, k, chunk=2000):
    out = []
    for i in range(0, len(f), chunk):
        d = torch.cdist(f[i:i + chunk], f)
        out.append(d.topk(k + 1, dim=1, largest=False).values[:, -1])  # k + 1: a point is its own nearest neighbour
    return torch.cat(out)


def _covered(a, b, rb, chunk=2000):
    """For each row of a: is it within r_b(b_j) of some b_j?"""
    out = []
    for i in range(0, len(a), chunk):
        out.append((torch.cdist(a[i:i + chunk], b) <= rb[None]).any(1))
    return torch.cat(out)


def precision_recall(fake_features, real_features, k=3):
    """Improved precision and recall (Kynkäänniemi et al. 2019) of fake (N, d) and real (M, d) feature sets:

        r_k(f) = distance from f to its k-th nearest neighbour in its own set (f itself not counted)
        precision = 1/N sum_i 1[ ||phi_i - phi^r_j|| <= r_k(phi^r_j) for some j ]   (fakes inside the real balls)
        recall    = 1/M sum_j 1[ ||phi^r_j - phi_i|| <= r_k(phi_i) for some i ]     (reals inside the fake balls)

    >>> real = torch.tensor([[0.0], [1.0], [2.0], [3.0]]); fake = torch.tensor([[0.5], [1.5], [10.0], [11.0]])
    >>> precision_recall(fake, real, k=1)    # every r_1 = 1: 0.5 and 1.5 are real-like; 0, 1, 2 are covered, 3 not
    (0.5, 0.75)

    Distances are computed in float32, or in float64 when both sets are float64: pass float64 points when the balls
    are small next to the points' norms (torch.cdist's matrix-product formula resolves distances of about
    sqrt(eps) |x|, 3e-4 for unit norms in float32).
    """
    exact = fake_features.dtype == real_features.dtype == torch.float64
    ff, fr = (fake_features, real_features) if exact else (fake_features.float(), real_features.float())
    precision = _covered(ff, fr, _kth_radius(fr, k)).float().mean().item()
    recall = _covered(fr, ff, _kth_radius(ff, k)).float().mean().item()
    return precision, recall


def digit_probabilities(fx):
    """The kit's classifier's probabilities of the 10 digits for features fx (N, d) of ``features``: (N, 10)."""
    return batched(classifier().head, fx, device=device_of(classifier())).softmax(1)


def digit_labels(x):
    """The kit's classifier's label (its most probable digit) of each image x (N, 1, 28, 28). (N,) integers."""
    return digit_probabilities(features(x)).argmax(1)


def label_shares(labels):
    """The share of each digit 0-9 among the labels (N,) integers. (10,)"""
    return torch.bincount(labels, minlength=10).float() / len(labels)


def digit_shares(x):
    """The share of each digit 0-9 among the images x (N, 1, 28, 28), by the kit's classifier's labels. (10,)"""
    return label_shares(digit_labels(x))


def report(x, real=None, k=3, real_features=None):
    """All the MNIST metrics of generated images x against real images ``real`` (or their ``real_features``;
    by default the 10,000 MNIST test digits).

    Keys: fid, precision, recall, classes_covered (share >= MIN_SHARE), max_class_share,
    confident_share (max softmax >= 0.9), histogram.
    """
    fx = features(x)
    fr = reference_features(real, real_features)
    p = digit_probabilities(fx)
    hist = torch.bincount(p.argmax(1), minlength=10).float().div(len(x)).numpy()
    precision, recall = precision_recall(fx, fr, k)
    return {
        "fid": frechet(*gaussian_fit(fx), *gaussian_fit(fr)),
        "precision": precision,
        "recall": recall,
        "classes_covered": int((hist >= MIN_SHARE).sum()),
        "max_class_share": float(hist.max()),
        "confident_share": float((p.max(1).values >= 0.9).float().mean()),
        "histogram": hist,
    }


def alike(x):
    r"""How alike a batch of images is, whatever their contrast: the mean Pearson correlation over pairs i != j,

        r_ij = <x_i - mean(x_i), x_j - mean(x_j)> / (||x_i - mean(x_i)|| ||x_j - mean(x_j)||)

    (means over each image's pixels). 1 when every image is a x_1 + b (a > 0) for one image x_1: a generator that
    draws one image for every z; near 0 for independent noise images. A pixel's std across the images cannot tell
    faint varied images from identical ones; r can. x (N, ...) with N >= 2.

    >>> x = torch.tensor([[0.0, 1.0, 2.0], [0.0, 0.1, 0.2], [2.0, 1.0, 0.0]])
    >>> round(alike(x[:2]), 6), round(alike(x[::2]), 6)
    (1.0, -1.0)
    """
    if len(x) < 2:
        raise ValueError(f"alike needs at least 2 images, got {len(x)}")
    c = x.flatten(1).double()
    c = c - c.mean(1, keepdim=True)
    c = c / c.norm(dim=1, keepdim=True)
    r = c @ c.T
    n = len(c)
    return ((r.sum() - r.diagonal().sum()) / (n * (n - 1))).item()


def table(reports, columns=("fid", "classes_covered", "max_class_share", "confident_share", "precision", "recall")):
    """A plain-text table of several ``report`` dicts (name -> report), one row each (``gankit.tables``)."""
    head = {c: c.replace("_", " ") for c in columns}
    first = next(iter(reports.values()), {})
    formats = {head[c]: ".1f" if c == "fid" else ".3f" if isinstance(first.get(c), float) else "" for c in columns}
    rows = [[name] + [r[c] for c in columns] for name, r in reports.items()]
    return tables.table(["model"] + list(head.values()), rows, formats=formats)
