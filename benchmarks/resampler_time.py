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
    args = common.parse_run_args(p)

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


if __name__ == "__main__":
    main()
