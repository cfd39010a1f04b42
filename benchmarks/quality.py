"""Quality: train on synthetic, test on real (TSTR) for tabgan, and ctgan with ``--peer``.

    python benchmarks/quality.py --dataset adult --epochs 300 --seeds 0 1 2 --peer

Per seed, each tool is fitted on the training table in a fresh process and samples as many rows
as the table has (``--rows`` to change); a ``HistGradientBoostingClassifier(random_state=0)``
(macro-F1) or, for a regression data set, ``HistGradientBoostingRegressor(random_state=0)`` (R²)
is trained on those rows and scored on the real test split, next to the same model trained on
the real training rows (TRTR). Fidelity to the real training rows (mean KS over numeric columns,
mean TVD over categorical ones, pairwise association difference) comes from tabgan's evaluator,
with the real test split scored the same way as a baseline. ``--set key=value`` overrides a
TabGAN parameter (tabgan only; e.g. ``--set generator_lr=5e-4``) for ablations; ``--label``
names the result.
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


FIDELITY_KEYS = ("ks_mean", "tvd_mean", "missing_diff_mean", "association_diff")


def stats(values: list[float]) -> dict:
    return {
        "mean": statistics.fmean(values) if values else None,
        "std": statistics.stdev(values) if len(values) > 1 else 0.0 if values else None,
    }


def mean_of(values: list[float | None]) -> float | None:
    """Mean of the values that are there (None when none are, e.g. TVD without categories)."""
    present = [v for v in values if v is not None]
    return statistics.fmean(present) if present else None


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
    p.add_argument(
        "--no-ours",
        action="store_true",
        help="score the peer only (e.g. run beside convergence.py, which scores tabgan)",
    )
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
    scorer = common.TSTRScorer(train, test, target, task=info["task"])
    metric = scorer.metric
    model = "Classifier" if scorer.task == common.CLASSIFICATION else "Regressor"
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
        "task": scorer.task,
        "model": f"HistGradientBoosting{model}(random_state=0), {metric}",
    }
    payload = common.header(settings, args.threads)
    payload["dataset_source"] = info["source"]
    name = f"quality-{args.dataset}" + (f"-{args.label}" if args.label else "")

    start = time.perf_counter()
    trtr = scorer.score(train)
    print(f"TRTR {metric} {trtr:.4f} ({time.perf_counter() - start:.1f}s)", file=sys.stderr)
    fidelity_scorer = common.FidelityScorer(train)
    baseline = fidelity_scorer.score(test)  # two real samples: the noise floor of these figures

    if args.keep_samples:
        work = common.BENCH / "work" / name
        work.mkdir(parents=True, exist_ok=True)
        tmp = None
    else:
        tmp = tempfile.TemporaryDirectory(prefix="tabgan-quality-")
        work = Path(tmp.name)
    bench = str(common.BENCH)
    if args.no_ours and not peer_python:
        raise SystemExit("--no-ours needs --peer: there would be nothing to score")
    tools = [] if args.no_ours else [("tabgan", [sys.executable, f"{bench}/ours.py"], overrides)]
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
                result["score"] = scorer.score(synthetic)
                result["fidelity"] = fidelity_scorer.score(synthetic)
                result["seed"] = seed
                runs[tool].append(result)
                print(
                    f"seed {seed} {tool}: {metric} {result['score']:.4f}, "
                    f"KS mean {common.fmt(result['fidelity']['ks_mean'])}, "
                    f"fit {result['fit_s']:.1f}s",
                    file=sys.stderr,
                    flush=True,
                )
    finally:
        if tmp is not None:
            tmp.cleanup()

    summary = {}
    for tool, results in runs.items():
        scores = [r["score"] for r in results]
        s = stats(scores)
        summary[tool] = {
            "metric": metric,
            "score": scores,
            "score_mean": s["mean"],
            "score_std": s["std"],
            "ratio_to_real": s["mean"] / trtr if s["mean"] is not None and trtr else None,
            **{key: mean_of([r["fidelity"][key] for r in results]) for key in FIDELITY_KEYS},
            "fit_s": [r["fit_s"] for r in results],
            "fit_s_median": common.median([r["fit_s"] for r in results]),
            "sample_s_median": common.median([r.get("sample_s") for r in results]),
        }
    if runs.get("ctgan"):
        payload["peer_version"] = runs["ctgan"][0]["version"]
        payload["peer_torch"] = runs["ctgan"][0]["torch"]
    payload.update(
        {
            "metric": metric,
            "trtr": trtr,
            "real_test_fidelity": baseline,
            "summary": summary,
            "raw": runs,
        }
    )

    def fid(s: dict) -> str:
        return " | ".join(common.fmt(s[k]) for k in ("ks_mean", "tvd_mean", "association_diff"))

    table = [
        f"TSTR {metric} on the real test split ({len(test):,} rows); TRTR (real training "
        f"rows) = {trtr:.4f}. KS mean (numeric columns), TVD mean (categorical columns) and "
        "assoc diff (pairwise associations) against the real training rows, means over seeds; "
        "lower is closer.",
        "",
        f"| tool | per-seed {metric} | mean ± std | ratio to real | KS mean | TVD mean "
        "| assoc diff | fit (s, median) |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for tool, s in summary.items():
        per_seed = ", ".join(f"{v:.4f}" for v in s["score"])
        table.append(
            f"| {tool} | {per_seed} | {s['score_mean']:.4f} ± {s['score_std']:.4f} "
            f"| {common.fmt(s['ratio_to_real'])} | {fid(s)} | {common.fmt(s['fit_s_median'])} |"
        )
    table.append(f"| two real samples (test vs training) | – | – | – | {fid(baseline)} | – |")
    if overrides:
        table += ["", "tabgan overrides: " + ", ".join(f"{k}={v}" for k, v in overrides.items())]
    json_path, md_path = common.write_result(name, payload, table)
    print("\n".join(table))
    print(f"\nwrote {json_path.relative_to(common.REPO)} and {md_path.name}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
