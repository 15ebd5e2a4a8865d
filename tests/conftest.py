"""Shared fixtures: real MNIST (the test command points GANKIT_DATA at the course machines' copy)."""
import pytest
import torch

from gankit import data


@pytest.fixture(scope="session")
def mnist_test():
    """The 10,000 MNIST test images in [-1, 1] and their labels."""
    return data.mnist(train=False)


@pytest.fixture(scope="session")
def mnist_train():
    return data.mnist(train=True)


@pytest.fixture(autouse=True)
def _seeded():
    torch.manual_seed(0)
