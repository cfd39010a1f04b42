"""Sampling speed of a saved model, with and without its refinement filter.

    python benchmarks/sampling.py --model adult-300.tabgan --rows 1000000 --repeats 3 --threads 2
    python benchmarks/sampling.py --model adult-300.tabgan --condition sex=Female -c 'age>=60'

speed.py times sampling from a 20-epoch model, whose filter keeps few rows; this times any saved
model (e.g. a 300-epoch default fit) as users would sample it: ``model.sample(rows, seed=r)`` for
each repeat, alternating with the refiner set aside (what ``refine=False`` costs) and, with
``--condition`` (the CLI's syntax, repeatable), with those conditions. Medians go to
``benchmarks/results/sampling-<label>-<timestamp>.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import time

from common import fmt, header, median, parse_run_args, unrefined, write_result

from tabgan import TabGAN
from tabgan.sampling.conditions import parse_conditions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="a model file written by TabGAN.save")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None, help="torch threads")
    parser.add_argument("--condition", "-c", action="append", default=[], help="e.g. sex=Female")
    parser.add_argument("--label", default="model")
    args = parse_run_args(parser)
    conditions = parse_conditions(args.condition)
    payload = header(
        {
            "model": args.model,
            "rows": args.rows,
            "repeats": args.repeats,
            "conditions": args.condition,
        },
        args.threads,
    )
    model = TabGAN.load(args.model, device="cpu")
    refiner = model.refiner_
    model.sample(10_000, seed=0)  # warm-up: first-call allocations and kernel selection
    variants = ["refined", "plain"] if refiner is not None else ["plain"]
    variants += ["conditional"] if conditions else []
    times: dict[str, list[float]] = {v: [] for v in variants}
    for r in range(args.repeats):
        for variant in variants:
            with unrefined(model) if variant == "plain" else contextlib.nullcontext():
                start = time.perf_counter()
                chosen = conditions if variant == "conditional" else None
                model.sample(args.rows, seed=r, conditions=chosen)
                times[variant].append(time.perf_counter() - start)
            print(f"repeat {r} {variant}: {times[variant][-1]:.2f} s", flush=True)
    medians = {k: median(v) for k, v in times.items()}
    payload.update(
        {
            "times": times,
            "medians": medians,
            "accept_rate": None if refiner is None else refiner.accept_rate,
            "training": {"n_rows": model.n_rows_, "epochs": model.epochs},
        }
    )
    table = [
        f"Model: {model.n_rows_} training rows, {model.epochs} epochs; refinement "
        + ("off" if refiner is None else f"on, expected to keep {refiner.accept_rate:.0%}")
        + f". Median of {args.repeats} draws of {args.rows:,} rows.",
        "",
        "| sampling | seconds | rows per second |",
        "|---|---:|---:|",
        *(
            f"| {k} | {fmt(v)} | {fmt(args.rows / v if v else None)} |"
            for k, v in medians.items()
            if v is not None
        ),
    ]
    for path in write_result(f"sampling-{args.label}", payload, table):
        print(path)


if __name__ == "__main__":
    main()
