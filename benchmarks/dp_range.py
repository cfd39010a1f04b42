"""How often a private fit reads a numeric column's range from noise: two checkouts, one table.

    git worktree add /tmp/before <commit>
    python benchmarks/dp_range.py --before /tmp/before --epsilon 3 --releases 200

A 300-row column of amounts (log-normal, about $100 to $66,000, numpy seed 0) goes through each
checkout's private preprocessing (``PrivatePreprocessor`` at ``--epsilon``, the range of one
numeric column), once per release seed. A release is wild when its range starts below -1,
ends past 100 times the largest amount, or ends below the smallest: orders of magnitude off.
The same check as ``tests/privacy/test_preprocess.py``; each side runs in a child process with
its checkout first on ``PYTHONPATH``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import common
import numpy as np


def child(epsilon: float, releases: int) -> None:
    from tabgan.encoding import ColumnKind, ColumnSpec, Schema
    from tabgan.privacy import PrivacyBudget
    from tabgan.privacy.preprocess import PrivatePreprocessor

    price = np.exp(8 + np.random.default_rng(0).normal(size=300))
    private = PrivatePreprocessor(PrivacyBudget(epsilon=epsilon).validated(len(price)))
    private.begin(Schema([ColumnSpec("price", ColumnKind.CONTINUOUS, "float64")]), 300, 0)
    ranges = [private._bounds(price, seed) for seed in range(releases)]
    wild = [lo < -1.0 or hi > 100 * price.max() or hi < price.min() for lo, hi in ranges]
    print(json.dumps({"wild": int(sum(wild)), "releases": releases, "sigma": private.sigma}))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--before", help="checkout to compare with")
    p.add_argument("--after", default=str(Path(__file__).resolve().parents[1]))
    p.add_argument("--epsilon", type=float, default=3.0)
    p.add_argument("--releases", type=int, default=200)
    p.add_argument("--threads", type=int, default=None, help="torch threads")
    p.add_argument("--label", default="")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = common.parse_run_args(p)
    if args.child:
        child(args.epsilon, args.releases)
        return
    if not args.before:
        p.error("--before is required")
    sides = {"before": args.before, "after": args.after}
    runs = {}
    for side, path in sides.items():
        cmd = [sys.executable, __file__, "--child", "--epsilon", str(args.epsilon)]
        cmd += ["--releases", str(args.releases)]
        runs[side] = {
            **common.run_child(cmd, env={"PYTHONPATH": path}),
            "commit": common.commit_of(path),
        }
    settings = {"epsilon": args.epsilon, "releases": args.releases, "rows": 300}
    payload = {**common.header(settings, args.threads), "runs": runs}
    table = [
        "| side | checkout | noise sigma | wild ranges |",
        "|---|---|---:|---:|",
        *(
            f"| {side} | {r['commit']} | {r['sigma']:.1f} | {r['wild']} of {r['releases']} |"
            for side, r in runs.items()
        ),
    ]
    common.report("dp-range", args.label, payload, table)


if __name__ == "__main__":
    main()
