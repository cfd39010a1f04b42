"""Differential privacy: train-on-synthetic utility, fidelity and membership inference of
tabgan fitted with DP at chosen epsilons (tabgan's side only; peers are benchmarked elsewhere).

    python benchmarks/privacy.py --dataset adult --epsilons 0 1 3 10 --epochs 30 --seeds 0 1 2

Each fit is ``TabGAN(epsilon=..., epochs=..., seed=...)``, what a user runs: private preprocessing
(noisy ranges, mixtures and category lists; rare categories dropped), the DP-SGD critic, the
noisy conditional counts and the accountant's stop, with TabGAN's defaults otherwise (``--pac``,
``--batch-size`` and ``--critic-dims`` override them). ``--epsilons 0`` adds a non-private fit at
the same epochs, networks and batch (with TabGAN's non-private defaults, calibration and
refinement included), for the membership-inference baseline. Per run: HGB macro-F1 trained on as
many synthetic rows as the training table has, scored on the real test split, next to the
real-data figure (TRTR); fidelity (mean KS / TVD); the membership AUC (training rows vs test
rows, the larger of the distance and classifier attacks); epsilon spent and epochs managed.
"""

from __future__ import annotations

import statistics
from typing import Any

import common
import pandas as pd

from tabgan import TabGAN
from tabgan.evaluate.membership import membership_inference


def fit_private(
    df: pd.DataFrame,
    epsilon: float | None,
    seed: int,
    epochs: int,
    batch_size: int | str = "auto",
    pac: int = 10,
    discriminator_dims: tuple[int, ...] = (256, 256),
    device: str = "cpu",
) -> dict[str, Any]:
    """Fit ``TabGAN`` with (epsilon, default delta)-DP, or without DP when ``epsilon`` is None."""
    model = TabGAN(
        epsilon=epsilon,
        epochs=epochs,
        batch_size=batch_size,
        pac=pac,
        discriminator_dims=discriminator_dims,
        seed=seed,
        device=device,
    ).fit(df)
    record = model.privacy_
    return {
        "model": model,
        "privacy": None if record is None else {k: record[k] for k in ("epsilon", "delta")},
        "record": record,
        "fit_seconds": model.fit_seconds_,
        "epochs_run": int(model.epochs_),
    }


def main() -> None:
    parser = common.run_parser(__doc__.splitlines()[0], seeds=[0])
    parser.add_argument("--epsilons", type=float, nargs="+", default=[1.0, 3.0, 10.0])
    parser.add_argument("--batch-size", default="auto", help="rows per step, or auto")
    parser.add_argument("--pac", type=int, default=10)
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
            batch = args.batch_size if args.batch_size == "auto" else int(args.batch_size)
            parts = fit_private(
                train, eps or None, seed, args.epochs, batch, args.pac,
                discriminator_dims=tuple(args.critic_dims), device=args.device,
            )  # fmt: skip
            synthetic = parts["model"].sample(len(train), seed=seed + 1000)
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
                "record": parts["record"],
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
