"""Shared fixtures: real MNIST (the test command points GANKIT_DATA at the course machines' copy), and a linear critic."""
import pytest
import torch

from gankit import data, nets


def linear_D(w, c=0.0):
    """A 2D discriminator or critic D(x) = w . x + c (its Lipschitz constant is ||w||)."""
    D = nets.ToyDiscriminator(depth=0)
    with torch.no_grad():
        D.net[0].weight.copy_(torch.as_tensor(w, dtype=torch.float32)[None])
        D.net[0].bias.fill_(c)
    return D


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
