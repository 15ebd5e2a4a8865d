"""Hand-made networks with known answers, shared by the tests."""
import torch

from gankit import nets


def linear_D(w, c=0.0):
    """A 2D discriminator or critic D(x) = w . x + c (its Lipschitz constant is ||w||)."""
    D = nets.ToyDiscriminator(depth=0)
    with torch.no_grad():
        D.net[0].weight.copy_(torch.as_tensor(w, dtype=torch.float32)[None])
        D.net[0].bias.fill_(c)
    return D


def linear_G(A, b=(0.0, 0.0)):
    """A 2D generator G(z) = A z + b."""
    G = nets.ToyGenerator(depth=0)
    with torch.no_grad():
        G.net[0].weight.copy_(torch.as_tensor(A, dtype=torch.float32))
        G.net[0].bias.copy_(torch.as_tensor(b, dtype=torch.float32))
    return G
