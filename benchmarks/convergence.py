"""Utility over training time: train-on-synthetic / test-on-real macro-F1 at chosen epochs.

Answers "how long until the rows are useful" (time to quality) and serves ablations:

    python benchmarks/convergence.py --epochs 100 --at 25,50,75,100 --seeds 0 --set ema_decay=0
    python benchmarks/convergence.py --epochs 300 --at 25,50,100,150,200,300 --seeds 0 1 2

At each checkpoint epoch the model samples as many rows as the training table (seed 123) and a
HistGradientBoostingClassifier trained on them is scored on the real test split. The training
wall time at that epoch excludes the scoring itself.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import torch
from common import TSTRScorer, fmt, header, load_dataset, write_result


def _value(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def run(args: argparse.Namespace) -> dict:
    from tabgan import TabGAN

    train, test, target = load_dataset(args.dataset)
    scorer = TSTRScorer(train, test, target)
    overrides = dict(kv.split("=", 1) for kv in args.set)
    overrides = {k: _value(v) for k, v in overrides.items()}
    at = sorted({int(x) for x in args.at.split(",")} | {args.epochs})
    runs = []
    for seed in args.seeds:
        model = TabGAN(epochs=args.epochs, seed=seed, device=args.device, **overrides)
        points = []
        scoring = [0.0]

        def callback(info, model=model, points=points, scoring=scoring, seed=seed):
            if info.epoch in at:
                t = time.perf_counter()
                f1 = scorer.score(model.sample(len(train), seed=123))
                scoring[0] += time.perf_counter() - t
                points.append({"epoch": info.epoch, "f1": f1, "train_seconds": info.seconds})
                print(
                    f"seed {seed} epoch {info.epoch}: F1 {f1:.4f} after {info.seconds:.0f} s",
                    flush=True,
                )

        start = time.perf_counter()
        model.fit(train, callback=callback)
        wall = time.perf_counter() - start - scoring[0]
        for p in points:  # include the encoder fit and setup in the time to that point
            p["wall_seconds"] = p["train_seconds"] + model.encoder_seconds_
        runs.append({"seed": seed, "points": points, "fit_seconds": wall})
    real = scorer.score(train)
    summary = []
    for epoch in at:
        f1s = [p["f1"] for r in runs for p in r["points"] if p["epoch"] == epoch]
        secs = [p["wall_seconds"] for r in runs for p in r["points"] if p["epoch"] == epoch]
        summary.append(
            {
                "epoch": epoch,
                "f1_mean": statistics.fmean(f1s),
                "f1_std": statistics.pstdev(f1s) if len(f1s) > 1 else 0.0,
                "ratio_to_real": statistics.fmean(f1s) / real,
                "wall_seconds_median": statistics.median(secs),
            }
        )
    return {"real_f1": real, "runs": runs, "summary": summary, "overrides": overrides}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="adult")
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--at", default="25,50,100,150,200,300", help="epochs to score at")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="TabGAN parameter override, e.g. ema_decay=0",
    )
    parser.add_argument("--label", default="")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: all)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    result = run(args)
    payload = header(
        {
            "dataset": args.dataset,
            "epochs": args.epochs,
            "seeds": args.seeds,
            "device": args.device,
            "overrides": result["overrides"],
        },
        args.threads,
    )
    payload.update(result)
    table = [
        f"Real rows: macro-F1 {result['real_f1']:.4f}.",
        "",
        "| epoch | TSTR macro-F1 (mean ± sd) | ratio to real | wall s (median) |",
        "|---|---|---|---|",
        *(
            f"| {s['epoch']} | {s['f1_mean']:.4f} ± {s['f1_std']:.4f} | "
            f"{s['ratio_to_real']:.3f} | {fmt(s['wall_seconds_median'])} |"
            for s in result["summary"]
        ),
    ]
    name = "convergence" + (f"-{args.label}" if args.label else "")
    _, md_path = write_result(name, payload, table)
    print(md_path.read_text())


if __name__ == "__main__":
    main()
