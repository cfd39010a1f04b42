"""Differential privacy: train-on-synthetic utility, fidelity and membership inference of
tabgan fitted with DP at chosen epsilons (tabgan's side only; peers are benchmarked elsewhere).

    python benchmarks/privacy.py --dataset adult --epsilons 1 3 10 --epochs 30 --seeds 0 1 2

The fit goes through tabgan's lower-layer privacy API (``tabgan.privacy``, the encoder's
``privacy`` hook, ``tabgan.gan.private`` via ``TrainConfig.privacy``), the same steps
``TabGAN(epsilon=...)`` is to take once it is wired: :func:`fit_private` is the reference for
that wiring. ``--epsilons 0`` adds a non-private fit with the same networks and steps
(``TabGAN`` defaults otherwise untouched), for the membership-inference baseline. Per run:
HGB macro-F1 trained on as many synthetic rows as the training table has, scored on the real
test split, next to the real-data figure (TRTR); fidelity (mean KS / TVD); the membership
AUC (training rows vs test rows, both attacks); epsilon spent and epochs managed.
"""

from __future__ import annotations

import dataclasses
import statistics
import time
from typing import Any

import common
import numpy as np
import pandas as pd
import torch

from tabgan.encoding import Draw, TableEncoder
from tabgan.evaluate.membership import membership_inference
from tabgan.gan import ConditionalSampler, Discriminator, Generator, TorchLayout, Trainer
from tabgan.gan.train import TrainConfig
from tabgan.privacy import Accountant, PrivacyBudget, plan_training
from tabgan.privacy.preprocess import PrivatePreprocessor, condition_counts


def _torch_seed(ss: np.random.SeedSequence) -> int:
    return int(ss.generate_state(1, dtype=np.uint64)[0] & 0x7FFF_FFFF_FFFF_FFFF)


def fit_private(
    df: pd.DataFrame,
    epsilon: float | None,
    seed: int,
    epochs: int,
    batch_size: int = 500,
    pac: int = 1,
    generator_dims: tuple[int, ...] = (256, 256),
    discriminator_dims: tuple[int, ...] = (256, 256),
    noise_dim: int = 128,
    device: str = "cpu",
    preprocess_share: float = 0.1,
) -> dict[str, Any]:
    """Fit with (epsilon, default delta)-DP, or without DP when ``epsilon`` is None.

    Returns the parts sampling needs (encoder, layout, sampler, generator) and the privacy
    account (``None`` without DP).
    """
    dev = torch.device(device)
    enc_ss, transform_ss, torch_ss = np.random.SeedSequence(seed).spawn(3)
    budget = PrivacyBudget(epsilon=epsilon, preprocess_share=preprocess_share) if epsilon else None
    budget = budget.validated(len(df)) if budget else None
    hook = PrivatePreprocessor(budget) if budget else None
    started = time.perf_counter()
    encoder = TableEncoder(seed=int(enc_ss.generate_state(1)[0])).fit(df, privacy=hook)
    matrix = encoder.transform(df, rng=np.random.default_rng(transform_ss))
    layout = TorchLayout(encoder.spans, dev)
    data = torch.as_tensor(matrix, dtype=torch.float32, device=dev)
    counts = None
    if hook is not None:  # the conditional frequencies: the noisy counts already released
        counts = torch.as_tensor(condition_counts(encoder, hook), device=dev)
    sampler = ConditionalSampler.from_data(data, layout, True, counts=counts)
    steps = max(1, len(df) // batch_size)
    config = TrainConfig(epochs=epochs, batch_size=batch_size, pac=pac, noise_dim=noise_dim)
    if budget is not None:
        accountant = Accountant([hook.release])
        plan = plan_training(budget, len(df), batch_size, pac, epochs * steps, accountant)
        config = dataclasses.replace(config, privacy=plan)
    seed_t = _torch_seed(torch_ss)
    with torch.random.fork_rng(devices=[dev] if dev.type == "cuda" else []):
        torch.manual_seed(seed_t)
        generator = Generator(noise_dim, layout.cond_dim, generator_dims, layout.output_dim)
        critic = Discriminator(layout.output_dim + layout.cond_dim, discriminator_dims, pac)
        generator, critic = generator.to(dev), critic.to(dev)
        rng = torch.Generator(device=dev)
        rng.manual_seed(seed_t)
        trainer = Trainer(data, layout, sampler, generator, critic, config, rng)
        trainer.fit()
    return {
        "encoder": encoder,
        "layout": layout,
        "sampler": sampler,
        "generator": trainer.sampling_generator().eval(),
        "privacy": trainer.privacy_spent(),
        "plan": None if budget is None else dataclasses.asdict(config.privacy),
        "preprocessing": None if hook is None else hook.record(),
        "fit_seconds": time.perf_counter() - started,
        "epochs_run": trainer.epoch,
    }


def sample(parts: dict[str, Any], n: int, seed: int) -> pd.DataFrame:
    """``n`` synthetic rows from :func:`fit_private`'s parts."""
    layout, generator = parts["layout"], parts["generator"]
    dev = layout.restore.device
    rng = torch.Generator(device=dev)
    rng.manual_seed(seed)
    with torch.inference_mode():
        ids = parts["sampler"].sample_ids(n, rng)
        z = torch.randn(n, generator.args["noise_dim"], device=dev, generator=rng)
        raw = generator.generate(z, ids)
        values, choices = layout.draw(raw.T.contiguous(), rng)
    draw = Draw(values.cpu().numpy(), choices.cpu().numpy())
    return parts["encoder"].decode(draw, np.random.default_rng(seed))


def main() -> None:
    parser = common.run_parser(__doc__.splitlines()[0], seeds=[0])
    parser.add_argument("--epsilons", type=float, nargs="+", default=[1.0, 3.0, 10.0])
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--pac", type=int, default=1)
    parser.add_argument("--rows", type=int, default=None, help="training rows (default: all)")
    parser.add_argument("--mia-rows", type=int, default=2000)
    parser.add_argument("--critic-dims", type=int, nargs="+", default=[256, 256])
    args = common.parse_run_args(parser)
    train, test, target = common.load_dataset(args.dataset)
    if args.rows:
        train = train.sample(args.rows, random_state=0).reset_index(drop=True)
    scorer = common.TSTRScorer(train, test, target)
    fidelity = common.FidelityScorer(train)
    real = scorer.score(train)
    runs = []
    for eps in args.epsilons:
        for seed in args.seeds:
            parts = fit_private(
                train, eps or None, seed, args.epochs, args.batch_size, args.pac,
                discriminator_dims=tuple(args.critic_dims), device=args.device,
            )  # fmt: skip
            synthetic = sample(parts, len(train), seed + 1000)
            mia = membership_inference(train, test, synthetic, seed=seed,
                                       max_candidates=args.mia_rows)  # fmt: skip
            fid = fidelity.score(synthetic)
            run = {
                "epsilon": eps or None,
                "seed": seed,
                "tstr": scorer.score(synthetic),
                "ks_mean": fid["ks_mean"],
                "tvd_mean": fid["tvd_mean"],
                "mia_auc": mia["auc"],
                "mia": {k: mia[k] for k in ("distance", "classifier")},
                "privacy": parts["privacy"],
                "plan": parts["plan"],
                "preprocessing": parts["preprocessing"],
                "epochs_run": parts["epochs_run"],
                "fit_seconds": parts["fit_seconds"],
            }
            runs.append(run)
            spent = run["privacy"]["epsilon"] if run["privacy"] else None
            print(
                f"eps={eps or 'none'} seed={seed}: TSTR {run['tstr']:.4f} (real {real:.4f}), "
                f"KS {fid['ks_mean']:.3f}, TVD {fid['tvd_mean']:.3f}, MIA AUC "
                f"{mia['auc']:.3f}, spent {spent}, epochs {run['epochs_run']}, "
                f"{run['fit_seconds']:.0f} s",
                flush=True,
            )
    table = [
        f"Real-data {scorer.metric} (TRTR): {real:.4f}. Membership AUC: training rows vs "
        "real test rows, the larger of the distance and classifier attacks (0.5 ideal).",
        "",
        f"| epsilon | seeds | TSTR {scorer.metric} | / real | KS mean | TVD mean | MIA AUC "
        "| epsilon spent | epochs |",
        "|---|---|---|---|---|---|---|---|---|",
    ]

    def stat(values: list[float]) -> str:
        if len(values) == 1:
            return f"{values[0]:.4f}"
        return f"{statistics.mean(values):.4f} ± {statistics.stdev(values):.4f}"

    for eps in args.epsilons:
        group = [r for r in runs if r["epsilon"] == (eps or None)]
        tstr = [r["tstr"] for r in group]
        spent = [r["privacy"]["epsilon"] for r in group if r["privacy"]]
        table.append(
            f"| {eps or 'no DP'} | {len(group)} | {stat(tstr)} | "
            f"{statistics.mean(tstr) / real:.3f} | {stat([r['ks_mean'] for r in group])} | "
            f"{stat([r['tvd_mean'] for r in group])} | {stat([r['mia_auc'] for r in group])} | "
            f"{max(spent):.3f} | {sorted({r['epochs_run'] for r in group})} |"
            if spent
            else f"| {eps or 'no DP'} | {len(group)} | {stat(tstr)} | "
            f"{statistics.mean(tstr) / real:.3f} | {stat([r['ks_mean'] for r in group])} | "
            f"{stat([r['tvd_mean'] for r in group])} | {stat([r['mia_auc'] for r in group])} | "
            f"– | {sorted({r['epochs_run'] for r in group})} |"
        )
    settings = {
        "dataset": args.dataset,
        "epsilons": args.epsilons,
        "epochs": args.epochs,
        "seeds": args.seeds,
        "batch_size": args.batch_size,
        "pac": args.pac,
        "critic_dims": args.critic_dims,
        "rows": len(train),
        "device": args.device,
        "label": args.label,
    }
    payload = {**common.header(settings, args.threads), "real": real, "runs": runs}
    name = f"privacy-{args.dataset}" + (f"-{args.label}" if args.label else "")
    _, md_path = common.write_result(name, payload, table)
    print(f"wrote {md_path}")


if __name__ == "__main__":
    main()
