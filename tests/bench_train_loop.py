"""Cost of the kit's training loop against a bare PyTorch loop, side by side in one run.

    python tests/bench_train_loop.py [--arch mlp] [--steps 300] [--rounds 3]

Same networks, optimisers, real batches and noise for both; the kit's loop runs with its progress bar,
loss history, NaN checks and a snapshot every 50 steps. Rounds alternate (bare, kit, bare, kit, ...).
"""
import argparse
import time

import torch

from gankit import data, loop, losses, nets, train


def bare(G, D, batches, opt_G, opt_D, steps, batch_size):
    for step in range(steps):
        y = batches(batch_size)
        with torch.no_grad():
            x = G(G.noise(batch_size))
        opt_D.zero_grad(set_to_none=True)
        ld = losses.gan_d_loss(D, y, x)
        ld.backward()
        opt_D.step()
        opt_G.zero_grad(set_to_none=True)
        lg = losses.gan_g_loss(D, G(G.noise(batch_size)))
        lg.backward()
        opt_G.step()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--arch", default="mlp")
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--rounds", type=int, default=3)
    a = p.parse_args()
    x, _ = data.mnist(train=True)
    G, D = nets.make(a.arch)
    opt_G, opt_D = torch.optim.Adam(G.parameters(), 2e-4), torch.optim.Adam(D.parameters(), 2e-4)
    z = G.noise(64, seed=0)
    times = {"bare": [], "kit": []}
    for r in range(a.rounds + 1):  # round 0 warms up
        for name in ("bare", "kit"):
            real = data.batches(x, seed=r)
            t0 = time.perf_counter()
            if name == "bare":
                bare(G, D, real, opt_G, opt_D, a.steps, 64)
            else:
                loop.train(G, D, real, d_loss=losses.gan_d_loss, g_loss=losses.gan_g_loss, opt_G=opt_G, opt_D=opt_D,
                            steps=a.steps, batch_size=64, snapshot_every=50, snapshot_z=z, desc="kit loop")
            if r:
                times[name].append((time.perf_counter() - t0) / a.steps)
    med = {k: sorted(v)[len(v) // 2] for k, v in times.items()}
    print(f"{a.arch}: bare {med['bare'] * 1e3:.2f} ms/step, kit {med['kit'] * 1e3:.2f} ms/step, "
          f"ratio kit/bare {med['kit'] / med['bare']:.3f} (median of {a.rounds} rounds of {a.steps} steps)")


if __name__ == "__main__":
    main()
