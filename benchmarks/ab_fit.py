"""Fit time of two tabgan checkouts on the same rows, alternated (a before/after of a speed change).

    git worktree add /tmp/before <commit>
    python benchmarks/ab_fit.py --before /tmp/before --table adult --rows 500 --repeats 3

Each repeat fits the "before" checkout's tabgan, then this checkout's (or ``--after``), in
child processes (benchmarks/ours.py with the checkout first on ``PYTHONPATH``) on the same
``--rows`` rows of a suite table, at TabGAN's defaults plus ``--params``. Alternating keeps a
drift of the machine's speed out of the ratio. Reports the median whole-fit seconds, the
training steps and the milliseconds per step (fit seconds over steps, so it includes the fixed
work outside training). ``--after-params`` gives the "after" side parameters of its own, so one
checkout can be timed against itself with a setting changed (``--before`` and ``--after`` the
same directory).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import common
import suite


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--before", required=True, help="a checkout (e.g. a git worktree)")
    p.add_argument("--after", default=str(common.REPO), help="default: this checkout")
    p.add_argument("--table", default="adult", choices=sorted(suite.SUITE))
    p.add_argument("--rows", type=int, default=500, help="rows sampled from the training split")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=None, help="torch threads in every child")
    p.add_argument("--params", default="{}", help="JSON object of extra TabGAN parameters")
    p.add_argument(
        "--after-params", default=None, help="the after side's own parameters (default: --params)"
    )
    p.add_argument("--label", default="")
    args = p.parse_args()

    train, _, _ = suite.load_table(args.table)
    rows = train.sample(min(args.rows, len(train)), random_state=args.seed)
    sides = {"before": args.before, "after": args.after}
    params = {"before": args.params, "after": args.after_params or args.params}
    runs: dict[str, list[dict]] = {side: [] for side in sides}
    with tempfile.TemporaryDirectory(prefix="tabgan-ab-") as tmp:
        csv = Path(tmp) / f"{args.table}-{len(rows)}.csv"
        rows.to_csv(csv, index=False)
        cmd = [
            sys.executable,
            str(common.BENCH / "ours.py"),
            "--csv",
            str(csv),
            "--batch-size",
            "default",
            "--skip-encoder",
            "--seed",
            str(args.seed),
            *common.child_args(threads=args.threads),
        ]
        for _ in range(args.repeats):
            for side, repo in sides.items():
                path = os.pathsep.join(filter(None, [repo, os.environ.get("PYTHONPATH")]))
                out = common.run_child([*cmd, "--params", params[side]], env={"PYTHONPATH": path})
                steps = out["steps_per_epoch"] * len(out["epoch_s"])
                out["steps"] = steps
                out["ms_per_step"] = 1000.0 * out["fit_s"] / steps
                runs[side].append(out)
                print(f"  {side}: fit {out['fit_s']:.1f} s, {steps} steps", file=sys.stderr)

    summary = {
        side: {
            "commit": common.commit_of(repo),
            "fit_s": common.median([r["fit_s"] for r in runs[side]]),
            "steps": common.median([r["steps"] for r in runs[side]]),
            "ms_per_step": common.median([r["ms_per_step"] for r in runs[side]]),
        }
        for side, repo in sides.items()
    }
    settings = {
        "table": args.table,
        "rows": len(rows),
        "repeats": args.repeats,
        "seed": args.seed,
        "threads": args.threads,
        "params": json.loads(args.params),
        "after_params": json.loads(params["after"]),
        "before": args.before,
        "after": args.after,
    }
    payload = {**common.header(settings, args.threads), "summary": summary, "runs": runs}
    b, a = summary["before"], summary["after"]
    table = [
        f"Medians of {args.repeats} alternated fit(s) per side; ratio = before / after "
        "(> 1: after is faster).",
        "",
        "| measure | before | after | ratio |",
        "|---|---:|---:|---:|",
        f"| commit | {b['commit'] or '–'} | {a['commit'] or '–'} | |",
        f"| extra parameters | `{params['before']}` | `{params['after']}` | |",
        f"| whole fit (s) | {common.fmt(b['fit_s'])} | {common.fmt(a['fit_s'])} | "
        f"{common.fmt(common.ratio(b['fit_s'], a['fit_s']))} |",
        f"| training steps | {common.fmt(b['steps'])} | {common.fmt(a['steps'])} | |",
        f"| ms per step (fit / steps) | {common.fmt(b['ms_per_step'])} | "
        f"{common.fmt(a['ms_per_step'])} | "
        f"{common.fmt(common.ratio(b['ms_per_step'], a['ms_per_step']))} |",
    ]
    name = "abfit-" + args.table + (f"-{args.label}" if args.label else "")
    _, md_path = common.write_result(name, payload, table)
    print("\n".join(table))
    print(f"wrote {md_path}")


if __name__ == "__main__":
    main()
