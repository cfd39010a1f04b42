"""Quality: train on synthetic, test on real (TSTR) for tabgan, and ctgan with ``--peer``.

    python benchmarks/quality.py --dataset adult --epochs 300 --seeds 0 1 2 --peer

Per seed, each tool is fitted on the training table in a fresh process and samples as many rows
as the table has (``--rows`` to change); ``HistGradientBoostingClassifier(random_state=0)`` is
trained on those rows and scored by macro-F1 on the real test split, next to the same classifier
trained on the real training rows (TRTR). ``--set key=value`` overrides a TabGAN parameter
(tabgan only; e.g. ``--set generator_lr=5e-4``) for ablations; ``--label`` names the result.
"""

from __future__ import annotations

import argparse
import ast
import statistics
import sys
import tempfile
import time
from pathlib import Path

import common
import pandas as pd


def parse_set(items: list[str]) -> dict:
    """``["batch_size=1000", "generator_dims=(512,512)"]`` -> parameters, checked by name."""
    from tabgan import TabGAN

    names = set(TabGAN._get_param_names()) - {"seed", "device", "epochs", "verbose"}
    params = {}
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or key not in names:
            raise SystemExit(
                f"--set {item!r}: expected key=value with key one of {', '.join(sorted(names))} "
                "(seed, device and epochs have options of their own)"
            )
        try:
            value = ast.literal_eval(text.strip())
        except (ValueError, SyntaxError):
            value = text.strip()  # a bare word: a string
        params[key] = list(value) if isinstance(value, tuple) else value
    return params


def stats(values: list[float]) -> dict:
    return {
        "mean": statistics.fmean(values) if values else None,
        "std": statistics.stdev(values) if len(values) > 1 else 0.0 if values else None,
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", default="adult", choices=sorted(common.DATASETS))
    p.add_argument("--epochs", type=int, default=300)
    p.add_argument("--batch-size", type=int, default=500, help="both tools")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument(
        "--rows",
        type=int,
        default=None,
        help="synthetic rows (default: as many as the training table)",
    )
    p.add_argument("--peer", action="store_true", help="also fit and score ctgan")
    p.add_argument("--peer-python", default=str(common.DEFAULT_PEER_PYTHON))
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a TabGAN parameter for tabgan only (repeatable)",
    )
    p.add_argument("--label", default=None, help="added to the result file name")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    p.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's)")
    p.add_argument("--timeout", type=float, default=None, help="seconds per child process")
    p.add_argument(
        "--keep-samples", action="store_true", help="keep the synthetic CSVs under benchmarks/work/"
    )
    args = p.parse_args(argv)

    peer_python = common.check_peer_python(args.peer_python) if args.peer else None
    overrides = parse_set(args.overrides)
    if "batch_size" in overrides:
        print(
            "note: --set batch_size applies to tabgan only; --batch-size sets both", file=sys.stderr
        )
    device = common.resolve_device(args.device)
    info = common.dataset_paths(args.dataset)
    train, test, target = common.load_dataset(args.dataset)
    discrete = common.discrete_columns(train)
    rows = args.rows or len(train)
    settings = {
        "dataset": args.dataset,
        "rows": len(train),
        "test_rows": len(test),
        "synthetic_rows": rows,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "seeds": args.seeds,
        "overrides": overrides,
        "peer": bool(peer_python),
        "device": device,
        "threads": args.threads,
        "discrete_columns": discrete,
        "classifier": "HistGradientBoostingClassifier(random_state=0), macro-F1",
    }
    payload = common.header(settings, args.threads)
    name = f"quality-{args.dataset}" + (f"-{args.label}" if args.label else "")

    scorer = common.TSTRScorer(train, test, target)
    start = time.perf_counter()
    trtr = scorer.score(train)
    print(f"TRTR macro-F1 {trtr:.4f} ({time.perf_counter() - start:.1f}s)", file=sys.stderr)

    if args.keep_samples:
        work = common.BENCH / "work" / name
        work.mkdir(parents=True, exist_ok=True)
        tmp = None
    else:
        tmp = tempfile.TemporaryDirectory(prefix="tabgan-quality-")
        work = Path(tmp.name)
    bench = str(common.BENCH)
    tools = [("tabgan", [sys.executable, f"{bench}/ours.py"], overrides)]
    if peer_python:
        tools.append(("ctgan", [peer_python, f"{bench}/peer_ctgan.py"], {}))
    runs: dict[str, list[dict]] = {tool: [] for tool, _, _ in tools}
    try:
        for seed in args.seeds:
            for tool, cmd, params in tools:
                out_csv = work / f"{tool}-seed{seed}.csv"
                child = common.child_args(
                    csv=info["train"],
                    discrete=discrete,
                    epochs=args.epochs,
                    batch_size=args.batch_size,
                    seed=seed,
                    sample_rows=rows,
                    device=device,
                    threads=args.threads,
                    params=params or None,
                    out_csv=out_csv,
                    skip_encoder=True,
                )
                result = common.run_child([*cmd, *child], args.timeout)
                synthetic = pd.read_csv(out_csv)
                result["f1"] = scorer.score(synthetic)
                result["seed"] = seed
                runs[tool].append(result)
                print(
                    f"seed {seed} {tool}: macro-F1 {result['f1']:.4f}, fit {result['fit_s']:.1f}s",
                    file=sys.stderr,
                    flush=True,
                )
    finally:
        if tmp is not None:
            tmp.cleanup()

    summary = {}
    for tool, results in runs.items():
        f1 = [r["f1"] for r in results]
        s = stats(f1)
        summary[tool] = {
            "f1": f1,
            "f1_mean": s["mean"],
            "f1_std": s["std"],
            "ratio_to_real": s["mean"] / trtr if s["mean"] is not None and trtr else None,
            "fit_s": [r["fit_s"] for r in results],
            "fit_s_median": common.median([r["fit_s"] for r in results]),
            "sample_s_median": common.median([r.get("sample_s") for r in results]),
        }
    if runs.get("ctgan"):
        payload["peer_version"] = runs["ctgan"][0]["version"]
        payload["peer_torch"] = runs["ctgan"][0]["torch"]
    payload.update({"trtr_f1": trtr, "summary": summary, "raw": runs})

    table = [
        f"TSTR macro-F1 on the real test split ({len(test):,} rows); TRTR (real training "
        f"rows) = {trtr:.4f}.",
        "",
        "| tool | per-seed F1 | mean ± std | ratio to real | fit (s, median) |",
        "|---|---|---|---:|---:|",
    ]
    for tool, s in summary.items():
        per_seed = ", ".join(f"{v:.4f}" for v in s["f1"])
        table.append(
            f"| {tool} | {per_seed} | {s['f1_mean']:.4f} ± {s['f1_std']:.4f} "
            f"| {common.fmt(s['ratio_to_real'])} | {common.fmt(s['fit_s_median'])} |"
        )
    if overrides:
        table += ["", "tabgan overrides: " + ", ".join(f"{k}={v}" for k, v in overrides.items())]
    json_path, md_path = common.write_result(name, payload, table)
    print("\n".join(table))
    print(f"\nwrote {json_path.relative_to(common.REPO)} and {md_path.name}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
