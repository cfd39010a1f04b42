"""One augmentation cell taken apart: each class's F1, and the labels synthetic rows pair with.

    python benchmarks/augment_classes.py --table dd --rows 250 --seeds 0 1 2

For each seed, the same real subset as ``augment.py`` (``--rows`` rows drawn with the seed) is
balanced by random oversampling, SMOTE-NC and ``TabGANResampler`` at its defaults. For each
method: the HGB model's F1 per class on the table's real test split (``common.TSTRScorer``, as
``augment.py`` scores HGB) and its macro-F1; and, for every discrete feature, the share of the
added rows whose (value, label) pair no real row of the subset has. A generator that cannot
learn a column (a country of one or two rows each) gives its rows values the real rows never
put with their label: noise in the column a classifier may lean on most.
"""

from __future__ import annotations

import argparse
import sys

import augment
import common
import numpy as np
import pandas as pd
import suite


def unseen_pairs(real: pd.DataFrame, added: pd.DataFrame, target: str, columns) -> dict:
    """Per column, the share of ``added`` rows whose (value, label) pair ``real`` lacks."""
    out = {}
    for c in columns:
        seen = set(zip(real[c].astype(str), real[target].astype(str), strict=True))
        pairs = zip(added[c].astype(str), added[target].astype(str), strict=True)
        out[c] = float(np.mean([p not in seen for p in pairs])) if len(added) else float("nan")
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--table", default="dd", choices=sorted(suite.SUITE))
    p.add_argument("--rows", type=int, default=250)
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--threads", type=int, default=None, help="torch threads")
    p.add_argument("--label", default="")
    args = common.parse_run_args(p)
    from tabgan import TabGANResampler

    train, test, info = suite.load_table(args.table)
    target = info["target"]
    scorer = common.TSTRScorer(train, test, target, task="classification")
    runs = []
    for seed in args.seeds:
        subset = train.sample(n=min(args.rows, len(train)), random_state=seed)
        subset = subset.reset_index(drop=True)
        subset[target] = subset[target].astype(str)
        x, y = subset.drop(columns=[target]), subset[target]
        categorical = [c for c in common.discrete_columns(subset) if c != target]
        tables = {"real": subset}
        for name, (xs, ys) in {
            "random-over": augment.random_over(x, y, seed),
            "smote-nc": augment.smote_nc(x, y, categorical, seed),
            "tabgan-balance": TabGANResampler(seed=seed).fit_resample(x, y),
        }.items():
            tables[name] = pd.concat([xs, ys], axis=1)
        run = {"seed": seed, "class_counts": {str(k): int(v) for k, v in y.value_counts().items()}}
        for name, table in tables.items():
            added = table.iloc[len(subset) :]
            run[name] = {
                "macro_f1": scorer.score(table),
                "class_f1": scorer.per_class_f1(table),
                "unseen_pairs": unseen_pairs(subset, added, target, categorical),
                "rows_added": len(added),
            }
        runs.append(run)
        print(f"  seed {seed}: " + ", ".join(f"{k} {run[k]['macro_f1']:.3f}" for k in tables),
              file=sys.stderr)  # fmt: skip

    methods = ["real", "random-over", "smote-nc", "tabgan-balance"]
    classes = sorted(runs[0]["real"]["class_f1"])
    mean = lambda values: float(np.mean(values))  # noqa: E731
    table = [
        f"HGB F1 per class on the real test split, mean over seeds {args.seeds}; training rows "
        f"per class (seed {args.seeds[0]}): {runs[0]['class_counts']}.",
        "",
        "| method | macro-F1 | " + " | ".join(classes) + " |",
        "|---|---:|" + "---:|" * len(classes),
    ]
    for m in methods:
        f1s = [mean([r[m]["class_f1"].get(c, np.nan) for r in runs]) for c in classes]
        table.append(
            f"| {m} | {mean([r[m]['macro_f1'] for r in runs]):.3f} | "
            + " | ".join(f"{v:.3f}" for v in f1s)
            + " |"
        )
    columns = sorted(runs[0]["tabgan-balance"]["unseen_pairs"])
    table += [
        "",
        "Added rows whose (feature value, label) pair no real row of the subset has, mean over "
        "seeds:",
        "",
        "| method | rows added | " + " | ".join(columns) + " |",
        "|---|---:|" + "---:|" * len(columns),
    ]
    for m in methods[1:]:
        shares = [mean([r[m]["unseen_pairs"][c] for r in runs]) for c in columns]
        added = mean([r[m]["rows_added"] for r in runs])
        table.append(f"| {m} | {added:.0f} | " + " | ".join(f"{v:.0%}" for v in shares) + " |")
    settings = {"table": args.table, "rows": args.rows, "seeds": args.seeds}
    payload = {**common.header(settings, args.threads), "runs": runs}
    common.report(f"augment-classes-{args.table}-{args.rows}", args.label, payload, table)


if __name__ == "__main__":
    main()
