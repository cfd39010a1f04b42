"""Calibration ablation, paired: the same fitted generator decoded with each kind of marginal
calibration (``tabgan.calibrate``).

    python benchmarks/calibration.py --tables gbsg2 penguins --seeds 0 1 2 --threads 1

For every table and seed one ``TabGAN(seed=s)`` is fitted at its defaults. Its calibration is
then refitted on the same generated draw the fit used, once per variant, and the refinement
filter is refitted after it, as ``fit`` does (it learns from calibrated rows). Each variant
draws as many rows as the training table with ``--sample-seeds`` sampling seeds, scored as
compare.py scores them: train-on-synthetic / test-on-real with HistGradientBoosting and a
linear model (ratios to training on the real rows, averaged over the sampling seeds) and the
mean KS distance of the numeric columns to the real training rows. The generator is the same
in every variant, so a difference is the calibration's alone.

Variants: ``none`` (no calibration), ``kK`` (K quantile knots; ``k257`` is the default) and
``kK-hH`` (the map moved a share H of the way from the identity to the calibrated one).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from typing import Any

import numpy as np
import pandas as pd
import torch
from common import FidelityScorer, TSTRScorer, fmt, header, mean_se, write_result
from logic import LinearScorer
from suite import load_table

from tabgan import TabGAN
from tabgan.calibrate import fit_calibration
from tabgan.encoding.numeric import NumericCodec

DEFAULT_VARIANTS = ("k257", "none", "k65", "k17", "k257-h50")
METRICS = ("hgb_ratio", "linear_ratio", "ks_mean")


def parse_variant(name: str) -> tuple[int, float] | None:
    """``(knots, share)`` of a variant name (None: no calibration)."""
    if name == "none":
        return None
    knots, _, share = name.partition("-h")
    if not knots.startswith("k") or not knots[1:].isdigit() or int(knots[1:]) < 2:
        raise SystemExit(f"unknown variant {name!r}: use none, kK or kK-hH (e.g. k65-h50)")
    return int(knots[1:]), (int(share) / 100 if share else 1.0)


def training_part(model: TabGAN, df: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, Any]:
    """The rows ``fit`` trained on (all but the ``epochs="auto"`` holdout), their encoded
    matrix and the fit's plan, rebuilt from the same seeds."""
    plan = model._plan(df, None, 0, False)
    held = model._holdout(df, plan, None, False)
    real = df if held is None else df.iloc[np.setdiff1d(np.arange(len(df)), held)]
    matrix = model.encoder_.transform(real, rng=np.random.default_rng(plan.transform_ss))
    return real, matrix, plan


def apply_variant(model: TabGAN, real: pd.DataFrame, draw: Any, variant: str) -> None:
    """Set every numeric codec's calibration as ``variant`` says."""
    parsed = parse_variant(variant)
    codecs = [c for c in model.encoder_.codecs_ if isinstance(c, NumericCodec)]
    if parsed is None:
        for codec in codecs:
            codec.calibration = None
        return
    n_knots, share = parsed
    fit_calibration(model.encoder_, real, draw, n_knots=n_knots)
    for codec in codecs:
        if codec.calibration is not None and share < 1.0:
            g, t = (np.asarray(v) for v in codec.calibration)
            codec.calibration = [g.tolist(), (g + share * (t - g)).tolist()]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tables", nargs="+", required=True)
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--sample-seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--variants", nargs="+", default=list(DEFAULT_VARIANTS))
    p.add_argument("--params", default="{}", help="TabGAN parameters as JSON")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--label", default="")
    args = p.parse_args()
    for v in args.variants:
        parse_variant(v)
    if args.threads:
        torch.set_num_threads(args.threads)
    params = json.loads(args.params)
    runs: list[dict[str, Any]] = []
    for name in args.tables:
        train, test, info = load_table(name)
        hgb = TSTRScorer(train, test, info["target"], task=info["task"])
        linear = LinearScorer(train, test, info["target"], hgb.task)
        fidelity = FidelityScorer(train)
        trtr_hgb, trtr_linear = hgb.score(train), linear.score(train)
        for seed in args.seeds:
            model = TabGAN(seed=seed, **params).fit(train)
            real, matrix, plan = training_part(model, train)
            draw = model._calibration_draw(len(real), plan)
            row: dict[str, Any] = {"table": name, "seed": seed, "fit_s": model.fit_seconds_}
            for variant in args.variants:
                apply_variant(model, real, draw, variant)
                if model.refine:
                    model.refiner_ = model._fit_refiner(real, matrix, plan)
                scores = {k: [] for k in METRICS}
                for s in args.sample_seeds:
                    df = model.sample(len(train), seed=s)
                    scores["hgb_ratio"].append(hgb.score(df) / trtr_hgb)
                    scores["linear_ratio"].append(linear.score(df) / trtr_linear)
                    scores["ks_mean"].append(fidelity.score(df)["ks_mean"])
                row[variant] = {k: statistics.mean(v) for k, v in scores.items()}
            print(json.dumps(row), file=sys.stderr, flush=True)
            runs.append(row)

    base = args.variants[0]
    lines = [
        f"Paired differences against `{base}` (same generator): mean ± standard error over "
        "seeds; TSTR ratios averaged over the sampling seeds first. Higher ratios are better, "
        "lower KS is better.",
        "",
        "| table | variant | hgb_ratio | Δ hgb_ratio | Δ linear_ratio | Δ ks_mean |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for name in [*args.tables, "all"]:
        rows = [r for r in runs if name in ("all", r["table"])]
        for variant in args.variants:
            cells = [
                name,
                f"`{variant}`",
                fmt(statistics.mean(r[variant]["hgb_ratio"] for r in rows)),
            ]
            for k in METRICS:
                if variant == base:
                    cells.append("")
                    continue
                m, se = mean_se([r[variant][k] - r[base][k] for r in rows])
                cells.append(f"{m:+.3f} ± {se:.3f}")
            lines.append("| " + " | ".join(cells) + " |")
    settings = {
        "tables": args.tables,
        "seeds": args.seeds,
        "sample_seeds": args.sample_seeds,
        "variants": args.variants,
        "params": params,
    }
    payload = {**header(settings, args.threads), "runs": runs}
    _, md_path = write_result(
        "calibration" + (f"-{args.label}" if args.label else ""), payload, lines
    )
    print(md_path.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
