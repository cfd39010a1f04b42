"""Numbers written as text ("$2,174", "40 h"): learned as text (before) against as numbers (after).

    git worktree add /tmp/before <commit before tabgan.encoding.numtext>
    python benchmarks/number_text.py --before /tmp/before --rows 2000 --seeds 0 1 2

Spreadsheet exports and scraped tables write amounts with currency signs and thousands
separators, and measures with units; pandas reads such columns as text. This takes Adult's
training rows (``--rows`` of them, drawn once) and writes four of its numeric columns the way
an export would: ``fnlwgt`` as "226,802", ``capital-gain`` and ``capital-loss`` as "$2,174",
``hours-per-week`` as "40 h". The ``--before`` checkout reads them as text (``fnlwgt`` is
ID-like there, the others categories); this one reads them as numbers in their format
(:mod:`tabgan.encoding.numtext`). Each side fits TabGAN at its defaults (``--epochs``, default
auto) in a child process with its checkout first on ``PYTHONPATH``, alternating which goes first
per seed, and samples as many rows as it learned from. This process then judges both sides
alike with its own ``tabgan.evaluate`` against 5,000 rows of Adult's real test split written
the same way, which reads the four columns as numbers: the utility ratio (TSTR over TRTR
macro-F1 on ``income``, HGB and logistic regression averaged), the overall quality score, the
mean KS of the four columns and the association difference (the mean absolute difference of
the real and synthetic association matrices).

Child mode (internal): ``--child TRAIN OUT --seed S`` fits, samples and writes OUT (CSV).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import common
import pandas as pd
import suite

WRITTEN = {
    "fnlwgt": lambda v: f"{int(v):,}",
    "capital-gain": lambda v: f"${int(v):,}",
    "capital-loss": lambda v: f"${int(v):,}",
    "hours-per-week": lambda v: f"{int(v)} h",
}
TEST_ROWS = 5000


def written(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the four columns written as an export writes them."""
    out = frame.copy()
    for column, fmt in WRITTEN.items():
        out[column] = out[column].map(fmt).astype(object)
    return out


def child(train_csv: str, out_csv: str, epochs: str, seed: int) -> None:
    import tabgan
    from tabgan import TabGAN

    train = pd.read_csv(train_csv)
    model = TabGAN(epochs="auto" if epochs == "auto" else int(epochs), seed=seed)
    started = time.perf_counter()
    model.fit(train)
    seconds = time.perf_counter() - started
    model.sample(len(train), seed=seed).to_csv(out_csv, index=False)
    kinds = {s.name: s.kind.value for s in model.encoder_.schema_ if s.name in WRITTEN}
    print(
        json.dumps(
            {
                "fit_s": seconds,
                "steps": int(model.epochs_ * model.steps_per_epoch_),
                "encoded_width": int(model.encoder_.output_dim),
                "kinds": kinds,
                "tabgan_file": tabgan.__file__,
            }
        )
    )


def judge(train: pd.DataFrame, synth: pd.DataFrame, test: pd.DataFrame, seed: int) -> dict:
    from tabgan.evaluate import evaluate

    result = evaluate(train, synth, target="income", test=test, seed=seed)
    columns = result.fidelity["columns"]
    ks = [columns[c]["value"] for c in WRITTEN if columns[c]["statistic"] == "ks"]
    return {
        "utility_ratio": result.summary_scores["utility_ratio_mean"],
        "quality": result.summary_scores["quality_score"],
        "ks_written": sum(ks) / len(ks) if len(ks) == len(WRITTEN) else None,
        "association_diff": result.fidelity["association_diff"],
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--before", help="checkout that reads the columns as text")
    p.add_argument("--after", default=str(Path(__file__).resolve().parents[1]))
    p.add_argument("--rows", type=int, default=2000)
    p.add_argument("--epochs", default="auto")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    p.add_argument("--threads", type=int, default=None, help="torch threads")
    p.add_argument("--label", default="")
    p.add_argument("--child", nargs=2, metavar=("TRAIN", "OUT"), help=argparse.SUPPRESS)
    p.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    args = common.parse_run_args(p)
    if args.child:
        child(*args.child, args.epochs, args.seed)
        return
    if not args.before:
        p.error("--before is required")

    train_all, test_all, _ = suite.load_table("adult")
    train = written(train_all.sample(args.rows, random_state=0).reset_index(drop=True))
    test = written(test_all.sample(TEST_ROWS, random_state=0).reset_index(drop=True))
    sides = {"text": args.before, "numbers": args.after}
    runs = []
    with tempfile.TemporaryDirectory() as work:
        train_csv = str(Path(work) / "train.csv")
        train.to_csv(train_csv, index=False)
        for seed in args.seeds:
            order = list(sides) if seed % 2 == 0 else list(sides)[::-1]
            for side in order:
                out_csv = str(Path(work) / f"{side}-{seed}.csv")
                cmd = [sys.executable, __file__, "--child", train_csv, out_csv]
                cmd += ["--epochs", str(args.epochs), "--seed", str(seed)]
                if args.threads:
                    cmd += ["--threads", str(args.threads)]
                fit = common.run_child(cmd, env={"PYTHONPATH": sides[side]})
                synth = pd.read_csv(out_csv)
                run = {"side": side, "seed": seed, **fit, **judge(train, synth, test, seed)}
                runs.append(run)
                print(
                    f"  seed {seed} {side}: {run['fit_s']:.1f} s, width {run['encoded_width']}, "
                    f"utility {common.fmt(run['utility_ratio'])}, quality "
                    f"{common.fmt(run['quality'])}, KS {common.fmt(run['ks_written'])}",
                    flush=True,
                )
    commits = {side: common.commit_of(path) for side, path in sides.items()}
    settings = {
        "rows": args.rows,
        "epochs": args.epochs,
        "seeds": args.seeds,
        "test_rows": TEST_ROWS,
        "written": {c: f(2174.0) for c, f in WRITTEN.items()},
        "checkouts": {side: {"path": sides[side], "commit": commits[side]} for side in sides},
    }
    payload = {**common.header(settings, args.threads), "runs": runs}

    def mean(values: list) -> float | None:
        values = [v for v in values if v is not None]
        return sum(values) / len(values) if values else None

    table = [
        "| side | checkout | fits | kinds of the four columns | encoded width | median fit (s) | "
        "steps (median) | utility ratio | quality | KS, the four columns | association diff |",
        "|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for side in sides:
        rs = [r for r in runs if r["side"] == side]
        kinds = ", ".join(f"{c} {k}" for c, k in rs[0]["kinds"].items())
        table.append(
            f"| {side} | {commits[side]} | {len(rs)} | {kinds} | {rs[0]['encoded_width']} | "
            f"{common.median([r['fit_s'] for r in rs]):.1f} | "
            f"{common.median([r['steps'] for r in rs]):.0f} | "
            f"{common.fmt(mean([r['utility_ratio'] for r in rs]))} | "
            f"{common.fmt(mean([r['quality'] for r in rs]))} | "
            f"{common.fmt(mean([r['ks_written'] for r in rs]))} | "
            f"{common.fmt(mean([r['association_diff'] for r in rs]))} |"
        )
    table += [
        "",
        "Both sides judged by this checkout's evaluator, which reads the four columns as numbers; "
        "utility: TSTR over TRTR macro-F1 on income (HGB and logistic regression averaged); "
        "quality: tabgan.evaluate's overall score (0-1); KS and association difference: lower "
        "is better. Per-seed figures are in the JSON.",
    ]
    common.report("number-text", args.label, payload, table)


if __name__ == "__main__":
    main()
