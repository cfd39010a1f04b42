"""Utility over training time: train-on-synthetic / test-on-real macro-F1 at chosen epochs.

Answers "how long until the rows are useful" (time to quality) and serves ablations:

    python benchmarks/convergence.py --epochs 100 --at 25,50,75,100 --seeds 0 --set ema_decay=0
    python benchmarks/convergence.py --epochs 300 --at 25,50,100,150,200,300 --seeds 0 1 2
    python benchmarks/convergence.py --dataset grunfeld --epochs 300 --at 50,100,150,200,300

``--dataset`` is one of ``common.DATASETS`` or of compare.py's suite (``suite.SUITE``).

At each checkpoint epoch the model samples as many rows as the training table (seed 123) and a
HistGradientBoostingClassifier trained on them is scored on the real test split. The training
wall time at that epoch excludes the scoring itself.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import suite
from common import (
    FidelityScorer,
    TSTRScorer,
    fmt,
    header,
    load_dataset,
    parse_run_args,
    run_parser,
    write_result,
)


def _value(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _overrides(args: argparse.Namespace) -> dict:
    return {k: _value(v) for k, v in (kv.split("=", 1) for kv in args.set)}


def run(args: argparse.Namespace) -> dict:
    from tabgan import TabGAN

    if args.dataset in suite.SUITE:  # compare.py's tables (classification or regression)
        train, test, info = suite.load_table(args.dataset)
        scorer = TSTRScorer(train, test, info["target"], task=info["task"])
    else:
        train, test, target = load_dataset(args.dataset)
        scorer = TSTRScorer(train, test, target)
    fidelity = FidelityScorer(train)
    overrides = _overrides(args)
    at = sorted({int(x) for x in args.at.split(",")} | {args.epochs})
    runs = []
    for seed in args.seeds:
        model = TabGAN(epochs=args.epochs, seed=seed, device=args.device, **overrides)
        points = []
        scoring = [0.0]

        def callback(info, model=model, points=points, scoring=scoring, seed=seed):
            if info.epoch in at:
                t = time.perf_counter()
                synthetic = model.sample(len(train), seed=123)
                f1 = scorer.score(synthetic)
                point = {"epoch": info.epoch, "f1": f1, "train_seconds": info.seconds}
                if info.epoch == info.epochs:  # fidelity of the final model only
                    point["fidelity"] = fidelity.score(synthetic)
                scoring[0] += time.perf_counter() - t
                points.append(point)
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
    finals = [p["fidelity"] for r in runs for p in r["points"] if "fidelity" in p]
    final_fidelity = {
        key: statistics.fmean(f[key] for f in finals)
        if finals and finals[0][key] is not None
        else None
        for key in ("ks_mean", "tvd_mean", "missing_diff_mean", "association_diff")
    }
    real_fidelity = fidelity.score(test)
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
    return {
        "real_f1": real,
        "metric": scorer.metric,
        "runs": runs,
        "summary": summary,
        "final_fidelity": final_fidelity,
        "real_test_fidelity": {k: real_fidelity[k] for k in final_fidelity},
        "overrides": overrides,
    }


def main() -> None:
    parser = run_parser(__doc__.splitlines()[0], seeds=[0])
    parser.add_argument("--at", default="25,50,100,150,200,300", help="epochs to score at")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="TabGAN parameter override, e.g. ema_decay=0",
    )
    args = parse_run_args(parser)
    # the header (commit, date) describes the code that runs, so it is taken before the run
    payload = header(
        {
            "dataset": args.dataset,
            "epochs": args.epochs,
            "seeds": args.seeds,
            "device": args.device,
            "overrides": _overrides(args),
        },
        args.threads,
    )
    result = run(args)
    payload.update(result)
    table = [
        f"Real rows: {result['metric']} {result['real_f1']:.4f}.",
        "",
        f"| epoch | TSTR {result['metric']} (mean ± sd) | ratio to real | wall s (median) |",
        "|---|---|---|---|",
        *(
            f"| {s['epoch']} | {s['f1_mean']:.4f} ± {s['f1_std']:.4f} | "
            f"{s['ratio_to_real']:.3f} | {fmt(s['wall_seconds_median'])} |"
            for s in result["summary"]
        ),
        "",
        "Fidelity of the final model's rows to the real training rows (mean over seeds), and of "
        "the real test rows (two real samples):",
        "",
        "| rows | KS mean | TVD mean | association diff |",
        "|---|---|---|---|",
        *(
            f"| {who} | {fmt(f['ks_mean'])} | {fmt(f['tvd_mean'])} | {fmt(f['association_diff'])} |"
            for who, f in (
                ("synthetic", result["final_fidelity"]),
                ("real test", result["real_test_fidelity"]),
            )
        ),
    ]
    name = "convergence" + (f"-{args.label}" if args.label else "")
    _, md_path = write_result(name, payload, table)
    print(md_path.read_text())


if __name__ == "__main__":
    main()
