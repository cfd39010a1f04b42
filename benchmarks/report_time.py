"""Time to write the HTML evaluation report, two checkouts alternated (a before/after of a report
change).

    git worktree add /tmp/before <commit>
    python benchmarks/report_time.py --before /tmp/before --repeats 2

Each repeat runs a child process per checkout (that checkout first on ``PYTHONPATH``), which
scores the same tables with ``tabgan.evaluate.evaluate`` and times ``save_html`` alone. The
"synthetic" table is a second sample of real rows: the evaluator judges any table, and so the
figures do not depend on a GAN fit. Run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import common
import suite


def child(table: str, rows: int, html: str) -> None:
    """Score a real and a 'synthetic' sample of ``table`` and print the seconds ``save_html``
    takes, as JSON on stdout."""
    import tabgan
    from tabgan.evaluate import evaluate

    train, test, info = suite.load_table(table)
    real = train.sample(rows, random_state=0)
    synthetic = train.drop(index=real.index).sample(rows, random_state=1)
    result = evaluate(
        real, synthetic, target=info["target"], test=test.sample(rows // 2, random_state=0)
    )
    started = time.perf_counter()
    result.save_html(html)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "tabgan": str(Path(tabgan.__file__).parent)}))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--before", help="a checkout (e.g. a git worktree); required")
    p.add_argument("--after", default=str(Path(__file__).resolve().parents[1]))
    p.add_argument("--table", default="adult", choices=sorted(suite.SUITE))
    p.add_argument("--rows", type=int, default=400)
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--label", default="")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--html", default="report.html", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        child(args.table, args.rows, args.html)
        return
    if not args.before:
        p.error("--before is required")
    sides = {"before": args.before, "after": args.after}
    seconds: dict[str, list[float]] = {side: [] for side in sides}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeats):
            for side, repo in sides.items():
                env = {**os.environ, "PYTHONPATH": repo}
                html = str(Path(tmp) / f"{side}.html")
                cmd = [sys.executable, __file__, "--child", "--table", args.table]
                cmd += ["--rows", str(args.rows), "--html", html]
                out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
                run = json.loads(out.stdout.strip().splitlines()[-1])
                if Path(run["tabgan"]).resolve() != (Path(repo) / "tabgan").resolve():
                    raise SystemExit(f"{side}: imported {run['tabgan']}, not {repo}")
                seconds[side].append(run["seconds"])
                print(f"  {side}: save_html {run['seconds']:.1f} s", file=sys.stderr)
    commits = {side: common.commit_of(repo) for side, repo in sides.items()}
    settings = {"table": args.table, "rows": args.rows, "repeats": args.repeats, "commits": commits}
    payload = {**common.header(settings, None), "seconds": seconds}
    med = {side: common.median(v) for side, v in seconds.items()}
    table = [
        "Seconds of `save_html` alone, alternated child processes, medians of the repeats.",
        "",
        "| measure | before | after | ratio |",
        "|---|---:|---:|---:|",
        f"| commit | {commits['before']} | {commits['after']} | |",
        f"| save_html (s), each run | {', '.join(f'{s:.1f}' for s in seconds['before'])} | "
        f"{', '.join(f'{s:.1f}' for s in seconds['after'])} | |",
        f"| save_html (s), median | {med['before']:.1f} | {med['after']:.1f} | "
        f"{med['before'] / med['after']:.1f}x |",
    ]
    common.report(f"report-time-{args.table}-{args.rows}", args.label, payload, table)


if __name__ == "__main__":
    main()
