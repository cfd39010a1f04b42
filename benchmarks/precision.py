"""Sampling precision, paired: the same saved models sampled in float32 and in bfloat16.

    python benchmarks/precision.py --models a.tabgan b.tabgan c.tabgan --draws 3 --threads 2

``TabGAN(sample_precision="auto")`` runs the generator's and the refiner's matrix products in
bfloat16 on CPUs that multiply it natively. This checks that the rounding costs the rows
nothing: every model draws as many rows as its training table with each sampling seed twice,
once per precision (same noise, conditions and uniforms; only the products' rounding differs),
with its refinement filter and, if it has one, without. Each draw is scored like quality.py
and refine.py (train-on-synthetic / test-on-real with HistGradientBoosting, marginal KS and
TVD, pairwise association difference), and the paired differences (bfloat16 minus float32) are
summarised over all models and draws. Sampling time per precision is recorded too (these draws
are small; benchmarks/sampling.py times 1,000,000 rows).
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import time
from pathlib import Path

from common import (
    FidelityScorer,
    TSTRScorer,
    fmt,
    header,
    load_dataset,
    parse_run_args,
    unrefined,
    write_result,
)

from tabgan import TabGAN

KEYS = ("tstr", "ks_mean", "tvd_mean", "association_diff")
PRECISIONS = ("float32", "bfloat16")


def _stats(values: list[float]) -> dict[str, float]:
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return {"mean": statistics.fmean(values), "sd": sd, "se": sd / len(values) ** 0.5}


def run(args: argparse.Namespace) -> dict:
    train, test, target = load_dataset(args.dataset)
    scorer = TSTRScorer(train, test, target)
    fidelity = FidelityScorer(train)
    rows = []
    for path in args.models:
        model = TabGAN.load(path, device="cpu")
        variants = ["refined", "plain"] if model.refiner_ is not None else ["plain"]
        for variant in variants:
            for draw in range(args.draws):
                seed = 1000 + draw
                row = {"model": Path(path).name, "variant": variant, "seed": seed}
                for precision in PRECISIONS:
                    model.set_params(sample_precision=precision)
                    with unrefined(model) if variant == "plain" else contextlib.nullcontext():
                        start = time.perf_counter()
                        synthetic = model.sample(len(train), seed=seed)
                        seconds = time.perf_counter() - start
                    fid = fidelity.score(synthetic)
                    row[precision] = {
                        "tstr": scorer.score(synthetic),
                        "ks_mean": fid["ks_mean"],
                        "tvd_mean": fid["tvd_mean"],
                        "association_diff": fid["association_diff"],
                        "seconds": seconds,
                    }
                print(
                    f"{row['model']} {variant} seed {seed}: TSTR "
                    f"{row['float32']['tstr']:.4f} / {row['bfloat16']['tstr']:.4f}",
                    flush=True,
                )
                rows.append(row)
    summary = {}
    for variant in ("refined", "plain"):
        mine = [r for r in rows if r["variant"] == variant]
        if not mine:
            continue
        summary[variant] = {
            key: {
                **{p: _stats([r[p][key] for r in mine]) for p in PRECISIONS},
                "diff": _stats([r["bfloat16"][key] - r["float32"][key] for r in mine]),
            }
            for key in (*KEYS, "seconds")
        }
        summary[variant]["n"] = len(mine)
    return {
        "real_tstr": scorer.score(train),
        "metric": scorer.metric,
        "rows": rows,
        "summary": summary,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", required=True, help="files from TabGAN.save")
    parser.add_argument("--dataset", default="adult", help="the models' training data")
    parser.add_argument("--draws", type=int, default=3, help="sampling seeds per model")
    parser.add_argument("--threads", type=int, default=None, help="torch threads")
    parser.add_argument("--label", default="")
    args = parse_run_args(parser)
    payload = header(
        {"dataset": args.dataset, "models": args.models, "draws": args.draws}, args.threads
    )
    result = run(args)
    payload.update(result)
    table = [
        f"Real rows: TSTR {result['metric']} {result['real_tstr']:.4f}. Every model draws "
        f"{args.draws} training tables' worth of rows per variant, each once per precision "
        "with the same seed; mean ± sd over draws and models, and the paired difference "
        "(bfloat16 minus float32) with its standard error.",
        "",
        "| rows | measure | float32 | bfloat16 | difference ± se |",
        "|---|---|---|---|---|",
    ]
    for variant, s in result["summary"].items():
        for key in (*KEYS, "seconds"):
            v = s[key]
            cells = [f"{fmt(v[p]['mean'], 4)} ± {fmt(v[p]['sd'], 4)}" for p in PRECISIONS]
            diff = f"{v['diff']['mean']:+.4f} ± {v['diff']['se']:.4f}"
            table.append(f"| {variant} (n={s['n']}) | {key} | {cells[0]} | {cells[1]} | {diff} |")
    label = f"-{args.label}" if args.label else ""
    _, md_path = write_result(f"precision-{args.dataset}{label}", payload, table)
    print(f"wrote {md_path}")


if __name__ == "__main__":
    main()
