"""Lecture mode, quick mode, device and seed: the three settings every notebook shares.

Lecture mode (the default) gives lecture-quality results on a laptop CPU in a few minutes.
Quick mode (``GANKIT_QUICK=1``, what the test suite sets) runs the same cells with tiny step
counts, so that every notebook can be executed on every change. Any value of GANKIT_QUICK but "", "0", "false" and
"False" means quick mode:

    >>> [quick_mode({"GANKIT_QUICK": v}) for v in ("1", "yes", "0", "", "false")], quick_mode({})
    ([True, True, False, False, False], False)
"""
import os
import random
from contextlib import contextmanager

import numpy as np
import torch


def quick_mode(environ=os.environ):
    """Whether the environment ``environ`` (a mapping of variables) asks for quick mode."""
    return environ.get("GANKIT_QUICK", "0") not in ("", "0", "false", "False")


QUICK = quick_mode()   # read once, when the kit is imported (a notebook's kernel starts with its environment)


def steps(lecture, quick):
    """The one place that decides a loop length: ``lecture`` by default, ``quick`` under GANKIT_QUICK=1."""
    return quick if QUICK else lecture


@contextmanager
def threads(n):
    """Run the block with n torch CPU threads, then restore the number before: 2D toy networks train faster on one
    thread, as their matrix products are too small to pay for a second thread's synchronisation (much slower still
    when another job holds the other core).

    >>> before = torch.get_num_threads()
    >>> with threads(1):
    ...     torch.get_num_threads()
    1
    >>> torch.get_num_threads() == before
    True
    """
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def device():
    """The best device here: CUDA, then Apple's MPS, then the CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def seed(s=0):
    """Seed Python, NumPy and torch so that a run on the CPU repeats exactly (returns nothing, so that a notebook
    cell ending with it prints nothing).

    >>> seed(3); a = torch.rand(2); seed(3); torch.equal(a, torch.rand(2))
    True
    """
    random.seed(s)
    np.random.seed(s)
    torch.manual_seed(s)
