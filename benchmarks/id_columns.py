"""Tables with ID-like text columns: every value learned (the old encoding) against ID-like pooling.

    python benchmarks/id_columns.py --tables dd_raw senators --epochs 60 --seeds 0 1

An ID-like text column (names, spell or ticket numbers: values seen in one row hold at least
half its rows) used to cost the networks one input per value, up to ``max_categories`` (500);
now its values seen once share the "other" bucket (tabgan.encoding.schema.id_like). Naming
the column in ``discrete_columns`` turns that off and encodes it exactly as before, so one
checkout times both sides. Per seed the two sides alternate on the same split, with the same
epochs: fit seconds, training steps, the encoded width, and ``tabgan.evaluate`` of as many
synthetic rows as training rows against the real test split (utility = HGB/logistic TSTR over
TRTR macro-F1 on the table's target, and the overall quality score; ID columns included, as
a user would keep them).

Tables (lifelines ships both, MIT): ``dd_raw`` is the suite's ``dd`` (Cheibub et al.'s
democracy and dictatorship data) with the leader's name ``ehead`` and the spell id
``leaderspellreg`` kept, target ``regime``; ``senators`` is lifelines' Canadian senators
(names, terms of office and end dates read as text), target "Political Affiliation at
Appointment". Target classes with fewer than 10 rows are dropped; a 70/30 stratified split.
"""

from __future__ import annotations

import argparse
import time

import common
import pandas as pd

TABLES = {"dd_raw": "regime", "senators": "Political Affiliation at Appointment"}


def load(name: str) -> tuple[pd.DataFrame, pd.DataFrame, str, list[str]]:
    from lifelines.datasets import load_canadian_senators, load_dd
    from sklearn.model_selection import train_test_split

    from tabgan.encoding.schema import infer_schema

    target = TABLES[name]
    df = load_dd() if name == "dd_raw" else load_canadian_senators()
    # keep target classes with a few rows, so a split leaves some on both sides
    counts = df[target].value_counts()
    df = df[df[target].isin(counts[counts >= 10].index)].reset_index(drop=True)
    train, test = train_test_split(df, test_size=0.3, random_state=0, stratify=df[target])
    train, test = train.reset_index(drop=True), test.reset_index(drop=True)
    # the "every value" side names every column the schema finds ID-like
    ids = [spec.name for spec in infer_schema(train) if spec.options.get("id_like")]
    return train, test, target, ids


def one(side: str, train, test, target, ids, epochs: int, seed: int) -> dict:
    from tabgan import TabGAN
    from tabgan.evaluate import evaluate

    model = TabGAN(epochs=epochs, seed=seed)
    started = time.perf_counter()
    model.fit(train, discrete_columns=ids if side == "every value" else None)
    seconds = time.perf_counter() - started
    synth = model.sample(len(train), seed=seed)
    scores = evaluate(train, synth, target=target, test=test, seed=seed).summary_scores
    return {
        "side": side,
        "seed": seed,
        "fit_s": seconds,
        "steps": int(model.epochs_ * model.steps_per_epoch_),
        "encoded_width": int(model.encoder_.output_dim),
        "id_like": [s.name for s in model.encoder_.schema_ if s.options.get("id_like")],
        "utility_ratio": scores["utility_ratio_mean"],
        "quality": scores["quality_score"],
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tables", nargs="+", default=list(TABLES), choices=list(TABLES))
    p.add_argument("--epochs", type=int, default=60)
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    p.add_argument("--threads", type=int, default=None, help="torch threads")
    p.add_argument("--label", default="")
    args = common.parse_run_args(p)
    runs = []
    for name in args.tables:
        train, test, target, ids = load(name)
        for seed in args.seeds:
            # alternate which side goes first, so a drift of the machine's speed cancels
            sides = ["every value", "id-like"] if seed % 2 == 0 else ["id-like", "every value"]
            for side in sides:
                run = {"table": name, **one(side, train, test, target, ids, args.epochs, seed)}
                runs.append(run)
                print(
                    f"  {name} seed {seed} {side}: {run['fit_s']:.1f} s, width "
                    f"{run['encoded_width']}, utility {common.fmt(run['utility_ratio'])}",
                    flush=True,
                )
    settings = {"tables": args.tables, "epochs": args.epochs, "seeds": args.seeds}
    payload = {**common.header(settings, args.threads), "runs": runs}
    table = [
        "| table | side | fits | encoded width | median fit (s) | ms / step | "
        "utility ratio (mean) | quality (mean) |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name in args.tables:
        for side in ("every value", "id-like"):
            rs = [r for r in runs if r["table"] == name and r["side"] == side]
            fit = common.median([r["fit_s"] for r in rs])
            per_step = common.median([1000 * r["fit_s"] / r["steps"] for r in rs])
            util = [r["utility_ratio"] for r in rs if r["utility_ratio"] is not None]
            qual = [r["quality"] for r in rs if r["quality"] is not None]
            table.append(
                f"| {name} | {side} | {len(rs)} | {rs[0]['encoded_width']} | {fit:.1f} | "
                f"{per_step:.1f} | {common.fmt(sum(util) / len(util) if util else None)} | "
                f"{common.fmt(sum(qual) / len(qual) if qual else None)} |"
            )
    table += [
        "",
        "Utility ratio: TSTR over TRTR macro-F1 on the real test split (HGB and logistic "
        "regression averaged); quality: tabgan.evaluate's overall score (0-1).",
    ]
    common.report("id-columns", args.label, payload, table)


if __name__ == "__main__":
    main()
