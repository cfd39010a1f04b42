"""The bare floor: a plain-torch WGAN-GP training step with CTGAN's network sizes (prints JSON).

What a conditional tabular GAN step cannot go below on this machine: a residual generator
(noise + conditional vector -> hidden 256, 256 -> encoded row), a PacGAN critic (256, 256,
pac 10, dropout 0.5), one critic step with gradient penalty and one generator step, Adam
(fused where torch has it, as tabgan uses). Nothing tabular: no conditional sampler (random
rows of a fixed random table and a fixed pool of random one-hot conditions), no span-wise
activations (one tanh over the whole row), no conditional loss.

    python benchmarks/floor.py --data-dim 157 --cond-dim 104 --batch-size 500 --steps 100
"""

from __future__ import annotations

import argparse
import json
import sys
import time


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dim", type=int, default=157, help="encoded row width")
    p.add_argument("--cond-dim", type=int, default=104, help="conditional vector width")
    p.add_argument("--noise-dim", type=int, default=128)
    p.add_argument("--hidden", default="256,256")
    p.add_argument("--batch-size", type=int, default=500)
    p.add_argument("--pac", type=int, default=10)
    p.add_argument("--rows", type=int, default=32_561, help="table rows (for steps per epoch)")
    p.add_argument("--steps", type=int, default=100, help="timed steps")
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=None)
    args = p.parse_args(argv)

    import torch
    from torch import nn

    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    torch.manual_seed(args.seed)  # a fresh process of its own: global seeding is harmless here
    hidden = [int(h) for h in args.hidden.split(",")]
    n, pac, d, c, z_dim = args.batch_size, args.pac, args.data_dim, args.cond_dim, args.noise_dim

    class Residual(nn.Module):
        def __init__(self, i: int, o: int) -> None:
            super().__init__()
            self.fc, self.bn = nn.Linear(i, o), nn.BatchNorm1d(o)

        def forward(self, x):
            return torch.cat([torch.relu(self.bn(self.fc(x))), x], dim=1)

    layers, width = [], z_dim + c
    for h in hidden:
        layers.append(Residual(width, h))
        width += h
    generator = nn.Sequential(*layers, nn.Linear(width, d)).to(device)
    layers, width = [], (d + c) * pac
    for h in hidden:
        layers += [nn.Linear(width, h), nn.LeakyReLU(0.2), nn.Dropout(0.5)]
        width = h
    critic = nn.Sequential(*layers, nn.Linear(width, 1)).to(device)

    def score(x):
        return critic(x.reshape(-1, (d + c) * pac))

    fused = {"fused": True} if device.type in ("cpu", "cuda") else {}
    opt_g = torch.optim.Adam(
        generator.parameters(), lr=2e-4, betas=(0.5, 0.9), weight_decay=1e-6, **fused
    )
    opt_d = torch.optim.Adam(
        critic.parameters(), lr=2e-4, betas=(0.5, 0.9), weight_decay=1e-6, **fused
    )
    table = torch.rand(args.rows, d, device=device)
    pool = torch.eye(max(c, 1), device=device)[:, :c]
    pool = pool[torch.randint(0, max(c, 1), (4096,), device=device)]

    def step() -> None:
        cond = pool[torch.randint(0, pool.shape[0], (n,), device=device)]
        real = torch.cat([table[torch.randint(0, args.rows, (n,), device=device)], cond], 1)
        with torch.no_grad():
            fake = torch.tanh(generator(torch.cat([torch.randn(n, z_dim, device=device), cond], 1)))
        fake = torch.cat([fake, cond], 1)
        alpha = torch.rand(n // pac, 1, device=device).repeat_interleave(pac, 0)
        mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
        (grad,) = torch.autograd.grad(score(mixed).sum(), mixed, create_graph=True)
        penalty = ((grad.reshape(-1, (d + c) * pac).norm(2, dim=1) - 1) ** 2).mean() * 10
        loss_d = score(fake).mean() - score(real).mean() + penalty
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()

        cond = pool[torch.randint(0, pool.shape[0], (n,), device=device)]
        fake = torch.tanh(generator(torch.cat([torch.randn(n, z_dim, device=device), cond], 1)))
        critic.requires_grad_(False)
        loss_g = -score(torch.cat([fake, cond], 1)).mean()
        critic.requires_grad_(True)
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        opt_g.step()

    def sync() -> None:
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    for _ in range(args.warmup):
        step()
    sync()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    sync()
    seconds = time.perf_counter() - start
    steps_per_epoch = max(1, args.rows // n)
    print(
        json.dumps(
            {
                "tool": "floor",
                "torch": torch.__version__,
                "torch_threads": torch.get_num_threads(),
                "device": args.device,
                "data_dim": d,
                "cond_dim": c,
                "batch_size": n,
                "steps": args.steps,
                "ms_per_step": seconds / args.steps * 1000,
                "steps_per_epoch": steps_per_epoch,
                "epoch_s": seconds / args.steps * steps_per_epoch,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
