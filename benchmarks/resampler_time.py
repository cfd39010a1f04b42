"""Wall time of one TabGANResampler fit_resample at its defaults, the figure #19's target names.

    python benchmarks/resampler_time.py --table adult --rows 500 --repeats 2

Each repeat draws ``--rows`` rows of a suite table's training split (``random_state`` = the
repeat's seed), splits off its target and times ``TabGANResampler().fit_resample(X, y)`` in this
process: the GAN fit, the label filter's model and the generated rows, everything a user waits
for. Run it on a quiet machine: the times are only worth quoting when nothing else ran.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import common
import suite


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--table", default="adult", choices=sorted(suite.SUITE))
    p.add_argument("--rows", type=int, default=500)
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--threads", type=int, default=None, help="torch threads")
    p.add_argument("--params", default="{}", help="JSON object of TabGANResampler parameters")
    p.add_argument("--label", default="")
    p.add_argument(
        "--pool",
        nargs=2,
        metavar=("BEFORE", "AFTER"),
        default=None,
        help="summarise earlier runs instead: two quoted globs of result JSONs under results/ "
        "(e.g. the alternated runs of two checkouts), pooled per side, paired by file order "
        "and seed",
    )
    args = common.parse_run_args(p)
    if args.pool:
        pool(args)
        return

    from tabgan import TabGANResampler

    train, _, info = suite.load_table(args.table)
    target = info["target"]
    params = json.loads(args.params)
    runs = []
    for seed in range(args.repeats):
        rows = train.sample(min(args.rows, len(train)), random_state=seed).reset_index(drop=True)
        x, y = rows.drop(columns=[target]), rows[target].astype(str)
        res = TabGANResampler(seed=seed, **params)
        started = time.perf_counter()
        xr, _ = res.fit_resample(x, y)
        seconds = time.perf_counter() - started
        gan = res.model_
        run = {
            "seed": seed,
            "seconds": seconds,
            "rows_added": int(len(xr) - len(x)),
            "steps": None if gan is None else int(gan.epochs_ * gan.steps_per_epoch_),
            "gan_fit_s": None if gan is None else float(gan.fit_seconds_),
            "generator_dims": None if gan is None else gan.generator_dims_,
            "stop_reason": None if gan is None else gan.stop_reason_,
        }
        runs.append(run)
        print(f"  seed {seed}: {seconds:.1f} s, {run['steps']} steps", file=sys.stderr)

    settings = {"table": args.table, "rows": args.rows, "repeats": args.repeats, "params": params}
    payload = {**common.header(settings, args.threads), "runs": runs}
    table = [
        "| seed | fit_resample (s) | of which GAN fit (s) | GAN steps | widths | rows added |",
        "|---|---:|---:|---:|---|---:|",
        *(
            f"| {r['seed']} | {r['seconds']:.1f} | {common.fmt(r['gan_fit_s'])} | "
            f"{r['steps']} | {r['generator_dims']} | {r['rows_added']} |"
            for r in runs
        ),
        "",
        f"Median fit_resample: {common.median([r['seconds'] for r in runs]):.1f} s.",
    ]
    common.report(f"resampler-time-{args.table}-{args.rows}", args.label, payload, table)


def pool(args: argparse.Namespace) -> None:
    """Median, range and paired difference of the fits in two sets of result files."""
    sides = []
    for pattern in args.pool:
        files = sorted(common.RESULTS.glob(pattern))
        if not files:
            raise SystemExit(f"no result files match {pattern!r} under {common.RESULTS}")
        runs = []
        for path in files:
            payload = json.loads(path.read_text())
            commit = payload["machine"].get("tabgan_commit")
            runs += [{**r, "file": path.name, "commit": commit} for r in payload["runs"]]
        sides.append(runs)
    before, after = sides
    if len(before) != len(after):
        raise SystemExit(f"{len(before)} fits before but {len(after)} after: pair them")
    diffs = [b["seconds"] - a["seconds"] for b, a in zip(before, after, strict=True)]
    mean, se = common.mean_se(diffs)

    def line(name: str, runs: list[dict]) -> str:
        secs = [r["seconds"] for r in runs]
        commits = ", ".join(sorted({str(r["commit"]) for r in runs}))
        return (
            f"| {name} | {commits} | {len(secs)} | {common.median(secs):.1f} | "
            f"{min(secs):.1f}-{max(secs):.1f} |"
        )

    payload = {
        **common.header({"pool": args.pool}, None),
        "before": before,
        "after": after,
        "paired_diff_s": {"mean": mean, "se": se},
    }
    ratio = common.median([r["seconds"] for r in before]) / common.median(
        [r["seconds"] for r in after]
    )
    table = [
        "| side | commit | fits | median (s) | range (s) |",
        "|---|---|---:|---:|---:|",
        line("before", before),
        line("after", after),
        "",
        f"Ratio of medians (before / after): {ratio:.2f}. Paired by file order and seed, before "
        f"minus after: {mean:.1f} ± {se:.1f} s.",
        "",
        "Files: " + ", ".join(sorted({r["file"] for r in before + after})),
    ]
    common.report("resampler-time-pooled", args.label, payload, table)


if __name__ == "__main__":
    main()
