"""Pool quality.py results run one seed per file into one comparison of two arms.

    python benchmarks/pool.py --a 'quality-adult-trainbf16-s*.json' \
        --b 'quality-adult-sampling-s*.json' 'quality-adult-trainf32-s*.json' \
        --names bfloat16 float32 --label trainprecision-adult

Reads tabgan's summary from each file (patterns are under benchmarks/results/), matches the two
arms by seed and reports per arm the scores, mean ± sd and the fidelity means, and the per-seed
difference a - b with its standard error. Writes the usual JSON and Markdown result pair.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics

from common import RESULTS, fmt, header, write_result


def _arm(patterns: list[str]) -> dict[int, dict]:
    """seed -> tabgan's summary, from every file the patterns match."""
    runs: dict[int, dict] = {}
    for pattern in patterns:
        for path in sorted(RESULTS.glob(pattern)):
            data = json.loads(path.read_text(encoding="utf-8"))
            summary = data["summary"]["tabgan"]
            for seed, score in zip(data["settings"]["seeds"], summary["score"], strict=True):
                if seed in runs:
                    raise SystemExit(f"seed {seed} appears twice ({path.name})")
                runs[seed] = {**summary, "score": score, "file": path.name}
    if not runs:
        raise SystemExit(f"no result files match {patterns}")
    return runs


def _mean_sd(values: list[float]) -> tuple[float, float]:
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return statistics.fmean(values), sd


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--a", nargs="+", required=True, help="glob(s) of arm a's result JSONs")
    p.add_argument("--b", nargs="+", required=True, help="glob(s) of arm b's result JSONs")
    p.add_argument("--names", nargs=2, default=["a", "b"])
    p.add_argument("--label", required=True)
    args = p.parse_args()

    arms = {name: _arm(pats) for name, pats in zip(args.names, (args.a, args.b), strict=True)}
    payload = header({"a": args.a, "b": args.b, "names": args.names}, None)
    table = ["| arm | seeds | per-seed score | mean ± sd | KS mean | TVD mean | assoc diff |"]
    table.append("|---|---|---|---|---:|---:|---:|")
    payload["arms"] = {}
    for name, runs in arms.items():
        seeds = sorted(runs)
        scores = [runs[s]["score"] for s in seeds]
        mean, sd = _mean_sd(scores)
        fid = {
            k: statistics.fmean(runs[s][k] for s in seeds)
            for k in ("ks_mean", "tvd_mean", "association_diff")
        }
        payload["arms"][name] = {"seeds": seeds, "scores": scores, "mean": mean, "sd": sd, **fid}
        payload["arms"][name]["files"] = [runs[s]["file"] for s in seeds]
        table.append(
            f"| {name} | {', '.join(map(str, seeds))} | {', '.join(fmt(x, 4) for x in scores)} "
            f"| {mean:.4f} ± {sd:.4f} | {fmt(fid['ks_mean'])} | {fmt(fid['tvd_mean'])} "
            f"| {fmt(fid['association_diff'])} |"
        )
    a, b = (arms[n] for n in args.names)
    common = sorted(set(a) & set(b))
    diffs = [a[s]["score"] - b[s]["score"] for s in common]
    if len(diffs) > 1:
        mean, sd = _mean_sd(diffs)
        se = sd / math.sqrt(len(diffs))
        payload["paired"] = {"seeds": common, "diffs": diffs, "mean": mean, "se": se}
        table += [
            "",
            f"Per seed {args.names[0]} - {args.names[1]} over seeds {common}: "
            f"{mean:+.4f} ± {se:.4f} (standard error).",
        ]
    files = [f for arm in payload["arms"].values() for f in arm["files"]]
    table += ["", "Files: " + ", ".join(f"`{f}`" for f in files)]
    json_path, md_path = write_result(args.label, payload, table)
    print("\n".join(table))
    print(f"\nwrote benchmarks/results/{json_path.name} and {md_path.name}")


if __name__ == "__main__":
    main()
