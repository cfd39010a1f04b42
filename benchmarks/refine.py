"""Refinement ablation, paired: the same fitted generator sampled with and without the filter.

    python benchmarks/refine.py --dataset adult --epochs 300 --seeds 0 1 2 --threads 1

For every seed one ``TabGAN(seed=s)`` is fitted (refinement on, the default), then as many rows
as the training table are drawn twice with the same sampling seed: once through the refiner and
once straight from the generator (``refiner_`` set aside). Both are scored the same way:
train-on-synthetic / test-on-real (HistGradientBoosting, as in quality.py), fidelity to the real
training rows (TSTR optionally averaged over ``--sample-seeds`` draws, as one draw of a small
table's worth of rows is a noisy training set), and, from ``tabgan.evaluate``, the
real-vs-synthetic detection AUC and the privacy figures (distance to closest record against
fresh real rows, exact copies). The generator is the same, so the difference is the filter's
alone.
"""

from __future__ import annotations

import argparse
import statistics
import time

from common import (
    FidelityScorer,
    TSTRScorer,
    fmt,
    header,
    load_dataset,
    parse_run_args,
    run_parser,
    unrefined,
    write_result,
)

from tabgan import TabGAN
from tabgan.evaluate import evaluate

KEYS = ("tstr", "ks_mean", "tvd_mean", "association_diff", "detection_auc", "dcr_ratio")


def score(scorer, fidelity, train, test, target, synthetic) -> dict:
    fid = fidelity.score(synthetic)
    report = evaluate(train, synthetic, target=target, test=test, seed=0).to_dict()
    privacy = report["privacy"]
    return {
        "tstr": scorer.score(synthetic),
        "ks_mean": fid["ks_mean"],
        "tvd_mean": fid["tvd_mean"],
        "association_diff": fid["association_diff"],
        "detection_auc": report["detection"]["auc"],
        "dcr_ratio": privacy["dcr_ratio"],
        "dcr_p05": privacy["dcr_synthetic"]["p05"],
        "dcr_holdout_p05": privacy["dcr_holdout"]["p05"],
        "exact_match_rate": privacy["exact_match_rate"],
    }


def run(args: argparse.Namespace) -> dict:
    train, test, target = load_dataset(args.dataset)
    scorer = TSTRScorer(train, test, target)
    fidelity = FidelityScorer(train)
    runs = []
    for seed in args.seeds:
        start = time.perf_counter()
        model = TabGAN(epochs=args.epochs, seed=seed, device=args.device).fit(train)
        fit_seconds = time.perf_counter() - start
        refiner = model.refiner_
        row = {"seed": seed, "fit_seconds": fit_seconds, "refiner": refiner is not None}
        if refiner is not None:
            row["accept_rate"] = refiner.accept_rate
        start = time.perf_counter()
        refined = model.sample(len(train), seed=123)
        row["sample_seconds_refined"] = time.perf_counter() - start
        # small tables: one draw of n rows is a noisy training set; average TSTR over draws
        extra = range(124, 123 + args.sample_seeds)
        with unrefined(model):
            start = time.perf_counter()
            plain = model.sample(len(train), seed=123)
            row["sample_seconds_plain"] = time.perf_counter() - start
            row["plain"] = score(scorer, fidelity, train, test, target, plain)
            row["plain"]["tstr_draws"] = [row["plain"]["tstr"]] + [
                scorer.score(model.sample(len(train), seed=k)) for k in extra
            ]
        row["refined"] = score(scorer, fidelity, train, test, target, refined)
        row["refined"]["tstr_draws"] = [row["refined"]["tstr"]] + [
            scorer.score(model.sample(len(train), seed=k)) for k in extra
        ]
        for variant in ("plain", "refined"):
            row[variant]["tstr"] = statistics.fmean(row[variant]["tstr_draws"])
        print(
            f"seed {seed}: TSTR plain {row['plain']['tstr']:.4f} "
            f"refined {row['refined']['tstr']:.4f}",
            flush=True,
        )
        runs.append(row)
    summary = {}
    for variant in ("plain", "refined"):
        summary[variant] = {}
        for key in KEYS:
            values = [r[variant][key] for r in runs if r[variant][key] is not None]
            summary[variant][key] = {
                "mean": statistics.fmean(values) if values else None,
                "sd": statistics.pstdev(values) if len(values) > 1 else 0.0,
            }
    return {
        "real_tstr": scorer.score(train),
        "metric": scorer.metric,
        "runs": runs,
        "summary": summary,
    }


def main() -> None:
    parser = run_parser(__doc__.splitlines()[0], seeds=[0, 1, 2])
    parser.add_argument(
        "--sample-seeds",
        type=int,
        default=1,
        help="TSTR is the mean over this many draws of n rows per fitted model (seeds 123...)",
    )
    args = parse_run_args(parser)
    # the header (commit, date) describes the code that runs, so it is taken before the run
    payload = header(
        {
            "dataset": args.dataset,
            "epochs": args.epochs,
            "seeds": args.seeds,
            "sample_seeds": args.sample_seeds,
        },
        args.threads,
    )
    result = run(args)
    payload.update(result)
    s = result["summary"]
    table = [
        f"Real rows: TSTR {result['metric']} {result['real_tstr']:.4f}. Mean ± sd over seeds "
        f"{args.seeds}; the same generator per seed, sampled with and without the filter.",
        "",
        "| rows | TSTR | ratio to real | KS mean | TVD mean | association diff | detection AUC "
        "| DCR ratio |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for variant in ("plain", "refined"):
        v = s[variant]
        cells = [f"{fmt(v[k]['mean'], 4)} ± {fmt(v[k]['sd'], 4)}" for k in KEYS]
        ratio = v["tstr"]["mean"] / result["real_tstr"]
        table.append(f"| {variant} | {cells[0]} | {ratio:.3f} | " + " | ".join(cells[1:]) + " |")
    table += [
        "",
        "DCR ratio: median distance of synthetic rows to their closest training row over that "
        "of fresh real rows (1 = as close as new real data; below 1 = closer, a privacy risk).",
        "",
        "| seed | accept rate | fit s | sample s plain / refined | TSTR plain / refined |",
        "|---|---|---|---|---|",
        *(
            f"| {r['seed']} | {fmt(r.get('accept_rate'))} | {fmt(r['fit_seconds'])} | "
            f"{fmt(r['sample_seconds_plain'])} / {fmt(r['sample_seconds_refined'])} | "
            f"{r['plain']['tstr']:.4f} / {r['refined']['tstr']:.4f} |"
            for r in result["runs"]
        ),
    ]
    name = f"refine-{args.dataset}-{args.epochs}" + (f"-{args.label}" if args.label else "")
    for path in write_result(name, payload, table):
        print(path)


if __name__ == "__main__":
    main()
