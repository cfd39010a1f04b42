"""Augmenting small training sets: does adding TabGAN rows help a classifier?

    python benchmarks/augment.py --sizes 250 500 1000 2000 --seeds 0 1 2 --epochs 300

For each size and seed, a random subset of that many rows is drawn from Adult's training table
(the seed picks the rows and seeds every model). ``HistGradientBoostingClassifier(random_state=0)``
is trained on each of these tables and scored by macro-F1 on the full real test split (16,281
rows):

- ``real``: the subset alone;
- ``smote-nc``: the subset balanced by imbalanced-learn's SMOTE-NC (the classic baseline);
- ``tabgan-balance``: the subset plus TabGAN rows of the minority class up to the majority count
  (``TabGANResampler(sampling_strategy="auto")``);
- ``tabgan-double``: the subset plus as many TabGAN rows as it has, drawn from the learned joint
  distribution (labels included; ``n_extra=len(subset)``, no balancing).

- ``tabgan-balance-unrefined`` / ``tabgan-double-unrefined``: the same, sampled from the same fit
  with its refinement filter set aside (``tabgan.refine``; identical rows when it drew no filter).

All TabGAN variants come from one fit per subset. Results go to
``benchmarks/results/augment-<timestamp>.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time

import common  # benchmarks/ is on sys.path when this file runs as a script
import numpy as np
import pandas as pd

METHODS = (
    "real",
    "smote-nc",
    "tabgan-balance",
    "tabgan-double",
    "tabgan-balance-unrefined",
    "tabgan-double-unrefined",
)


def smote_nc(x: pd.DataFrame, y: pd.Series, categorical: list[str], seed: int):
    """SMOTE-NC balancing; missing values are filled first (SMOTE cannot take them)."""
    from imblearn.over_sampling import SMOTENC

    x = x.copy()
    for c in x.columns:
        if c in categorical:
            x[c] = x[c].astype(object).where(x[c].notna(), "missing").astype(str)
        elif x[c].isna().any():
            x[c] = x[c].fillna(x[c].median())
    k = int(min(5, y.value_counts().min() - 1))
    sampler = SMOTENC(categorical_features=categorical, k_neighbors=max(k, 1), random_state=seed)
    return sampler.fit_resample(x, y)


def run_one(train, scorer, target, size, seed, args) -> dict:
    from tabgan import TabGANResampler

    subset = train.sample(n=size, random_state=seed).reset_index(drop=True)
    x, y = subset.drop(columns=[target]), subset[target]
    categorical = [c for c in common.discrete_columns(subset) if c != target]
    scores: dict[str, float] = {"real": scorer.score(subset)}

    xs, ys = smote_nc(x, y, categorical, seed)
    scores["smote-nc"] = scorer.score(pd.concat([xs, ys], axis=1))

    started = time.perf_counter()
    res = TabGANResampler(
        sampling_strategy="auto", epochs=args.epochs, seed=seed, device=args.device
    )
    res.fit(x, y)
    sample_ss = copy.deepcopy(res._sample_ss)  # replayed below: the same draws, unfiltered
    xb, yb = res._resample(x, y)  # what fit_resample returns
    fit_seconds = time.perf_counter() - started
    scores["tabgan-balance"] = scorer.score(pd.concat([xb, yb], axis=1))

    extra = res.model_.sample(size, seed=seed + 10_000)
    extra = extra.rename(columns={res.target_name_: target})[subset.columns]
    scores["tabgan-double"] = scorer.score(pd.concat([subset, extra], ignore_index=True))

    # the same fit, its refinement filter set aside (identical rows when it has none)
    refined = res.model_.refiner_ is not None
    with common.unrefined(res.model_):
        res._sample_ss = sample_ss
        xb, yb = res._resample(x, y)
        scores["tabgan-balance-unrefined"] = scorer.score(pd.concat([xb, yb], axis=1))
        extra = res.model_.sample(size, seed=seed + 10_000)
        extra = extra.rename(columns={res.target_name_: target})[subset.columns]
        scores["tabgan-double-unrefined"] = scorer.score(
            pd.concat([subset, extra], ignore_index=True)
        )
    minority = y.value_counts()
    return {
        "size": size,
        "seed": seed,
        "scores": scores,
        "class_counts": {str(k): int(v) for k, v in minority.items()},
        "synthetic_balance_rows": int(len(xb) - size),
        "tabgan_fit_seconds": fit_seconds,
        "tabgan_batch_size": res.model_.batch_size,
        "refined": refined,
    }


def summarise(runs: list[dict], sizes: list[int]) -> list[str]:
    head = "| real rows | " + " | ".join(METHODS) + " | TabGAN fit (s) | fits with a filter |"
    lines = [
        "Macro-F1 on Adult's real test split (mean ± std over seeds; best per row in bold).",
        "",
        head,
        "|" + "---|" * (len(METHODS) + 3),
    ]
    for size in sizes:
        mine = [r for r in runs if r["size"] == size]
        means = {m: statistics.mean(r["scores"][m] for r in mine) for m in METHODS}
        best = max(means.values())
        cells = []
        for m in METHODS:
            vals = [r["scores"][m] for r in mine]
            sd = statistics.stdev(vals) if len(vals) > 1 else 0.0
            text = f"{means[m]:.3f} ± {sd:.3f}"
            cells.append(f"**{text}**" if means[m] == best else text)
        fit = statistics.mean(r["tabgan_fit_seconds"] for r in mine)
        refined = sum(r["refined"] for r in mine)
        lines.append(f"| {size} | " + " | ".join(cells) + f" | {fit:.0f} | {refined}/{len(mine)} |")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[250, 500, 1000, 2000])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--threads", type=int, default=None, help="torch threads")
    parser.add_argument("--dataset", default="adult")
    args = parser.parse_args(argv)
    args.device = common.resolve_device(args.device)

    settings = {
        "dataset": args.dataset,
        "sizes": args.sizes,
        "seeds": args.seeds,
        "epochs": args.epochs,
        "device": args.device,
        "classifier": "HistGradientBoostingClassifier(random_state=0)",
        "tabgan": "TabGANResampler defaults (batch_size='auto')",
    }
    payload = common.header(settings, args.threads)
    train, test, target = common.load_dataset(args.dataset)
    scorer = common.TSTRScorer(train, test, target)
    runs = []
    for size in args.sizes:
        for seed in args.seeds:
            run = run_one(train, scorer, target, size, seed, args)
            runs.append(run)
            shown = ", ".join(f"{k} {v:.3f}" for k, v in run["scores"].items())
            print(f"size {size} seed {seed}: {shown}", file=sys.stderr, flush=True)
    payload["runs"] = runs
    payload["full_train_real_f1"] = scorer.score(train)
    table = summarise(runs, args.sizes)
    table += [
        "",
        f"Reference: the full real training table ({len(train)} rows) scores "
        f"{payload['full_train_real_f1']:.3f}.",
    ]
    json_path, md_path = common.write_result("augment", payload, table)
    print("\n".join(table))
    print(f"wrote {json_path} and {md_path}", file=sys.stderr)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
