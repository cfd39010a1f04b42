"""Pair compare.py results of two arms by table and seed: per-table and overall differences.

    python benchmarks/pair_compare.py \
        --a 'compare-steps3000-lr4e4-*.json' \
        --b 'compare-v2-suite-tabgan-argn-*.json' 'compare-logic-after-s12-*.json' \
            'compare-baseline-s12-small-*.json' \
        --names steps3000-lr4e4 defaults --label steps3000-lr4e4-vs-defaults

Reads one tool's per-run figures (``--tool``, default tabgan) from each file (patterns are under
benchmarks/results/), keeps the (table, seed) runs both arms have, and reports for each table and
over all of them the mean of a - b with its standard error, for the TSTR ratios, the fidelity
figures and the fit's training steps and seconds. Writes the usual JSON and Markdown result pair.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics

from common import RESULTS, fmt, header, mean_se, write_result

METRICS = ("hgb_ratio", "linear_ratio", "ks_mean", "tvd_mean", "steps", "fit_s")


def _steps(run: dict) -> float | None:
    epochs = run.get("epoch_s")
    per_epoch = run.get("steps_per_epoch")
    if not epochs or not per_epoch:
        return None
    return float(len(epochs) * per_epoch)


def _arm(patterns: list[str], tool: str) -> dict[tuple[str, int], dict]:
    """(table, seed) -> that run's figures, from every file the patterns match."""
    runs: dict[tuple[str, int], dict] = {}
    for pattern in patterns:
        paths = sorted(RESULTS.glob(pattern))
        if not paths:
            raise SystemExit(f"no result files match {pattern!r}")
        for path in paths:
            data = json.loads(path.read_text(encoding="utf-8"))
            for table, entry in data["tables"].items():
                for run in entry["runs"].get(tool, []):
                    key = (table, int(run["seed"]))
                    if key in runs:
                        raise SystemExit(f"{table} seed {key[1]} appears twice ({path.name})")
                    runs[key] = {
                        **{m: run.get(m) for m in METRICS if m != "steps"},
                        "steps": _steps(run),
                        "file": path.name,
                    }
    return runs


def _cell(mean: float, se: float, digits: int) -> str:
    return f"{mean:+.{digits}f}" + ("" if math.isnan(se) else f" ± {se:.{digits}f}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--a", nargs="+", required=True, help="glob(s) of arm a's compare.py JSONs")
    p.add_argument("--b", nargs="+", required=True, help="glob(s) of arm b's compare.py JSONs")
    p.add_argument("--names", nargs=2, default=["a", "b"])
    p.add_argument("--tool", default="tabgan")
    p.add_argument("--label", required=True)
    args = p.parse_args()

    a, b = _arm(args.a, args.tool), _arm(args.b, args.tool)
    keys = sorted(set(a) & set(b))
    if not keys:
        raise SystemExit("the two arms have no (table, seed) run in common")
    tables = list(dict.fromkeys(t for t, _ in keys))
    payload = header({"a": args.a, "b": args.b, "names": args.names, "tool": args.tool}, None)
    payload["pairs"] = [{"table": t, "seed": s, "a": a[(t, s)], "b": b[(t, s)]} for t, s in keys]
    digits = {"steps": 0, "fit_s": 1}
    name_a, name_b = args.names
    lines = [
        f"Paired differences {name_a} - {name_b}, tool {args.tool}: mean ± standard error over "
        "the seeds both arms ran (over every (table, seed) pair in the last row). TSTR ratios "
        "higher is better; KS/TVD lower is better; steps and fit seconds are each arm's own "
        "(fit seconds are only comparable when both arms ran on a quiet machine).",
        "",
        "| table | seeds | "
        + " | ".join(f"{m} {name_b}" for m in ("hgb_ratio", "steps"))
        + " | "
        + " | ".join(f"Δ {m}" for m in METRICS)
        + " |",
        "|---|---|---:|---:|" + "---:|" * len(METRICS),
    ]
    summary: dict[str, dict] = {}
    for table in [*tables, "all"]:
        pairs = [k for k in keys if table in ("all", k[0])]
        row: dict[str, object] = {"seeds": [s for _, s in pairs]}
        cells = []
        for m in METRICS:
            vals = [a[k][m] - b[k][m] for k in pairs if a[k][m] is not None and b[k][m] is not None]
            if vals:
                mean, se = mean_se(vals)
                row[m] = {"mean": mean, "se": None if math.isnan(se) else se, "n": len(vals)}
                cells.append(_cell(mean, se, digits.get(m, 3)))
            else:
                cells.append("–")
        base = [
            fmt(statistics.fmean(b[k][m] for k in pairs if b[k][m] is not None), 3)
            if any(b[k][m] is not None for k in pairs)
            else "–"
            for m in ("hgb_ratio", "steps")
        ]
        summary[table] = row
        seeds = ", ".join(str(s) for s in row["seeds"]) if table != "all" else f"{len(pairs)} pairs"
        lines.append(
            f"| {table} | {seeds} | " + " | ".join(base) + " | " + " | ".join(cells) + " |"
        )
    payload["summary"] = summary
    files = sorted({r[side]["file"] for r in payload["pairs"] for side in ("a", "b")})
    lines += ["", "Files: " + ", ".join(f"`{f}`" for f in files)]
    json_path, md_path = write_result(f"paired-{args.label}", payload, lines)
    print("\n".join(lines))
    print(f"\nwrote benchmarks/results/{json_path.name} and {md_path.name}")


if __name__ == "__main__":
    main()
