"""Side by side: tabgan against TabularARGN (and ctgan) at their defaults, on real tables.

    python benchmarks/compare.py --tools tabgan argn --seeds 0 1 2
    python benchmarks/compare.py --tables penguins adult --seeds 0 --epochs 2 --label smoke

For each table (``suite.SUITE``: Adult and real tables that PyPI packages ship) and seed, every
tool is fitted at its own defaults in a fresh child process (tabgan through ``ours.py``, the peers
in their own virtual environments through ``peer_argn.py`` and ``peer_ctgan.py``), the fit timed
by wall clock inside the child, and samples as many rows as the training table. The order of the
tools rotates from one fit to the next, so none always runs first on a warm or a quiet machine.

Every synthetic table is judged the same way, against the table's real rows only:

- TSTR: ``HistGradientBoosting{Classifier,Regressor}(random_state=0)`` (``common.TSTRScorer``) and
  a linear model (``logic.LinearScorer``: logistic regression / ridge), macro-F1 or R² on the real
  test split, as a share of the same model trained on the real training rows;
- fidelity to the real training rows (``common.FidelityScorer``): mean KS (numeric columns),
  mean TVD (categorical), association difference; and the mean absolute difference of the
  numeric columns' Pearson correlations (``logic.correlation_diff``);
- SDMetrics ``QualityReport`` and ``LogisticDetection`` (``judge_sdmetrics.py``, in the judge's
  environment, reading only CSV files);
- logic (``logic.LogicScorer``): the share of rows breaking an exact functional dependency
  between discrete columns of the real training table, and the share with a pair of discrete
  values never seen together in training; the real test split's own shares are the reference.

Results: ``benchmarks/results/compare-<tag>-<date>.{json,md}``; ratios are tabgan / peer (for
scores above 1 is better for tabgan; for fit time below 1 means tabgan is faster).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import common
import logic
import pandas as pd
import suite

from tabgan.evaluate.logic import logic_checks

BENCH = common.BENCH
TOOLS = ("tabgan", "argn", "ctgan")
DEFAULT_PYTHON = {
    "argn": BENCH / ".venv-argn" / "bin" / "python",
    "ctgan": BENCH / ".venv-ctgan" / "bin" / "python",
    "judge": BENCH / ".venv-judge" / "bin" / "python",
}
SETUP = {
    "argn": "bash benchmarks/setup_peer_argn.sh",
    "ctgan": "bash benchmarks/setup_peer.sh",
    "judge": "bash benchmarks/setup_peer_argn.sh",
}
# from small to large, Adult last: a run cut short still has the quick tables
DEFAULT_TABLES = [
    "grunfeld",
    "penguins",
    "diabetes",
    "breast_cancer",
    "gbsg2",
    "anes96",
    "dd",
    "fair",
    "randhie",
    "adult",
]
# the headline figures of a run, in the Markdown table's order: key, label, higher is better
FIGURES = [
    ("hgb_ratio", "HGB TSTR / real", True),
    ("linear_ratio", "linear TSTR / real", True),
    ("ks_mean", "KS mean", False),
    ("tvd_mean", "TVD mean", False),
    ("corr_diff", "corr diff", False),
    ("sdm_quality", "SDM quality", True),
    ("sdm_detection", "SDM detection", True),
    ("fd_break_share", "FD-breaking rows", False),
    ("unseen_pair_share", "unseen-pair rows", False),
    ("excess_decimals", "excess decimals", False),
    ("edge_mass", "extra edge mass", False),
    ("fit_s", "fit (s)", False),
]


def interpreter(kind: str, path: str | None) -> str:
    p = Path(path) if path else DEFAULT_PYTHON[kind]
    if not p.exists():
        raise SystemExit(f"the {kind} environment is missing ({p}); create it with: {SETUP[kind]}")
    return str(p)


def sdm_metadata(train: pd.DataFrame) -> dict[str, Any]:
    """SDMetrics' single-table metadata, from the real training table's dtypes."""
    discrete = set(common.discrete_columns(train))
    return {
        "columns": {
            c: {"sdtype": "categorical" if c in discrete else "numerical"} for c in train.columns
        }
    }


def child_command(tool: str, pythons: dict[str, str], args: argparse.Namespace) -> list[str]:
    """The child's command line up to its per-run options (tools at their defaults)."""
    if tool == "tabgan":
        base = [sys.executable, str(BENCH / "ours.py"), "--skip-encoder", "--batch-size", "default"]
        return [*base, "--params", args.tabgan_params]
    if tool == "argn":
        return [pythons["argn"], str(BENCH / "peer_argn.py")]
    # ctgan's own defaults: 300 epochs, batch 500 (its script asks for both)
    return [pythons["ctgan"], str(BENCH / "peer_ctgan.py"), "--skip-encoder", "--batch-size", "500"]


def run_tool(
    tool: str,
    base: list[str],
    csv: Path,
    train: pd.DataFrame,
    seed: int,
    out_csv: Path,
    args: Any,
) -> dict[str, Any]:
    epochs = args.epochs
    rows = len(train)
    discrete = None
    if tool == "ctgan":
        epochs = epochs or 300  # ctgan's default, which its script needs spelled out
        discrete = common.discrete_columns(train)  # ctgan must be told; the others infer
    opts = common.child_args(
        discrete=discrete,
        csv=csv,
        seed=seed,
        sample_rows=rows,
        epochs=epochs,
        device="cpu",
        threads=args.threads,
        out_csv=out_csv,
    )
    env = None
    if tool == "tabgan":  # this checkout's tabgan (or --tabgan-repo's), whatever is installed
        repo = args.tabgan_repo or str(common.REPO)
        env = {"PYTHONPATH": os.pathsep.join(filter(None, [repo, os.environ.get("PYTHONPATH")]))}
    return common.run_child([*base, *opts], args.timeout, env)


def mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.fmean(present) if present else None


def tool_ratio(ours: float | None, peer: float | None) -> float | None:
    if ours is None or peer is None or peer == 0:
        return None
    return ours / peer


def judge_table(
    name: str,
    train: pd.DataFrame,
    test: pd.DataFrame,
    info: dict[str, Any],
    files: dict[str, Path],
    judge_python: str | None,
    work: Path,
    timeout: float | None,
) -> dict[str, dict[str, Any]]:
    """Every figure of every synthetic file (key ``real_test``: the real test split, the
    reference), scored against the real rows of table ``name``."""
    hgb = common.TSTRScorer(train, test, info["target"], task=info["task"])
    linear = logic.LinearScorer(train, test, info["target"], hgb.task)
    fidelity = common.FidelityScorer(train)
    logic_scorer = logic.LogicScorer(train)
    trtr_hgb, trtr_linear = hgb.score(train), linear.score(train)
    out: dict[str, dict[str, Any]] = {}
    for key, path in files.items():
        df = pd.read_csv(path)
        fid = fidelity.score(df)
        lg = logic_scorer.score(df)
        checks = logic_checks(train, df)
        r: dict[str, Any] = {
            "rows": len(df),
            "fidelity": fid,
            "ks_mean": fid["ks_mean"],
            "tvd_mean": fid["tvd_mean"],
            "association_diff": fid["association_diff"],
            "corr_diff": logic.correlation_diff(train, df),
            "fd_break_share": lg["fd_break_share"],
            "unseen_pair_share": lg["unseen_pair_share"],
            "logic": lg,
            # tabgan.evaluate.logic's judge, the same for every tool: the worst numeric column's
            # share of values with more decimals than the real column ever has, and its extra
            # mass at the training min/max
            "excess_decimals": checks["summary"]["worst_excess_decimals"],
            "edge_mass": checks["summary"]["worst_extra_edge_mass"],
            "logic_checks": checks,
        }
        if key != "real_test":  # the test split is what TSTR is scored on
            r["hgb"] = hgb.score(df)
            r["linear"] = linear.score(df)
            r["hgb_ratio"] = r["hgb"] / trtr_hgb if trtr_hgb else None
            r["linear_ratio"] = r["linear"] / trtr_linear if trtr_linear else None
        out[key] = r
    if judge_python:
        meta = work / f"{name}-metadata.json"
        meta.write_text(json.dumps(sdm_metadata(train)), encoding="utf-8")
        keys = list(files)
        res = common.run_child(
            [
                judge_python,
                str(BENCH / "judge_sdmetrics.py"),
                "--real",
                str(info["train"]),
                "--metadata",
                str(meta),
                "--synthetic",
                *[str(files[k]) for k in keys],
            ],
            timeout,
        )
        for key, sdm in zip(keys, res["results"], strict=True):
            out[key]["sdm_quality"] = sdm["quality"]
            out[key]["sdm_detection"] = sdm["logistic_detection"]
            out[key]["sdmetrics"] = sdm
        out["_sdmetrics_version"] = {"version": res["sdmetrics"]}
    out["_trtr"] = {"hgb": trtr_hgb, "linear": trtr_linear, "metric": hgb.metric}
    return out


def summarize(per_seed: list[dict[str, Any]]) -> dict[str, Any]:
    """Means over seeds of the headline figures of one tool on one table."""
    return {key: mean([r.get(key) for r in per_seed]) for key, _, _ in FIGURES}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tools", nargs="+", default=["tabgan", "argn"], choices=TOOLS)
    p.add_argument("--tables", nargs="+", default=DEFAULT_TABLES, choices=list(suite.SUITE))
    p.add_argument("--seeds", type=int, nargs="+", default=[0])
    p.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="quick checks only: epochs of every tool (ARGN: max_epochs); default: each tool's",
    )
    p.add_argument("--threads", type=int, default=None, help="torch threads in every child")
    p.add_argument("--timeout", type=float, default=7200, help="seconds per child process")
    p.add_argument("--argn-python", default=None)
    p.add_argument("--ctgan-python", default=None)
    p.add_argument("--judge-python", default=None)
    p.add_argument("--no-sdmetrics", action="store_true", help="skip the SDMetrics judge")
    p.add_argument(
        "--tabgan-params",
        default="{}",
        help="JSON object of TabGAN parameters to set, for an ablation "
        "(e.g. '{\"detect_rules\": false}'); default: none, tabgan at its defaults",
    )
    p.add_argument(
        "--tabgan-repo",
        default=None,
        help="a checkout whose tabgan the tabgan child imports (a before/after run against an "
        "older commit, e.g. a git worktree); default: this checkout",
    )
    p.add_argument("--label", default="", help="the result's tag")
    p.add_argument("--note", default="", help="a line for the result file (e.g. a busy machine)")
    p.add_argument(
        "--keep-samples", action="store_true", help="keep the synthetic CSVs in benchmarks/work/"
    )
    args = p.parse_args(argv)

    pythons = {t: interpreter(t, getattr(args, f"{t}_python")) for t in args.tools if t != "tabgan"}
    judge_python = None if args.no_sdmetrics else interpreter("judge", args.judge_python)
    tag = args.label or "-".join(args.tools)
    name = f"compare-{tag}"
    settings = {
        "tools": args.tools,
        "tables": args.tables,
        "seeds": args.seeds,
        "epochs": args.epochs if args.epochs is not None else "each tool's default",
        "tabgan_params": json.loads(args.tabgan_params),
        "tabgan_repo": args.tabgan_repo,
        "tabgan_repo_commit": common.commit_of(args.tabgan_repo),
        "threads": args.threads,
        "device": "cpu",
        "sdmetrics": not args.no_sdmetrics,
    }
    payload = common.header(settings, args.threads)
    payload["note"] = args.note
    if args.keep_samples:
        work = BENCH / "work" / name
        work.mkdir(parents=True, exist_ok=True)
        tmp = None
    else:
        tmp = tempfile.TemporaryDirectory(prefix="tabgan-compare-")
        work = Path(tmp.name)

    tables: dict[str, Any] = {}
    versions: dict[str, str] = {}
    turn = 0
    try:
        for table in args.tables:
            train, test, info = suite.load_table(table)
            rows = len(train)
            entry: dict[str, Any] = {
                "source": info["source"],
                "shape": info["shape"],
                "target": info["target"],
                "task": info["task"],
                "train_rows": rows,
                "test_rows": len(test),
                "columns": len(train.columns),
                "runs": {t: [] for t in args.tools},
            }
            for seed in args.seeds:
                order = args.tools[turn % len(args.tools) :] + args.tools[: turn % len(args.tools)]
                turn += 1
                files: dict[str, Path] = {"real_test": info["test"]}
                children: dict[str, dict[str, Any]] = {}
                for tool in order:
                    out_csv = work / f"{table}-{tool}-seed{seed}.csv"
                    start = time.perf_counter()
                    child = run_tool(
                        tool,
                        child_command(tool, pythons, args),
                        info["train"],
                        train,
                        seed,
                        out_csv,
                        args,
                    )
                    child["child_wall_s"] = time.perf_counter() - start
                    child["order"] = order.index(tool)
                    versions[tool] = f"{child['version']} (torch {child['torch']})"
                    children[tool] = child
                    files[tool] = out_csv
                    print(
                        f"{table} seed {seed} {tool}: fit {child['fit_s']:.1f}s",
                        file=sys.stderr,
                        flush=True,
                    )
                judged = judge_table(
                    f"{table}-seed{seed}",
                    train,
                    test,
                    info,
                    files,
                    judge_python,
                    work,
                    args.timeout,
                )
                entry["trtr"] = judged.pop("_trtr")
                if "_sdmetrics_version" in judged:
                    versions["sdmetrics"] = judged.pop("_sdmetrics_version")["version"]
                entry["real_test"] = judged.pop("real_test")
                for tool in args.tools:
                    run = {"seed": seed, **judged[tool], **children[tool]}
                    entry["runs"][tool].append(run)
                    print(
                        f"  {tool}: HGB ratio {common.fmt(run['hgb_ratio'])}, "
                        f"KS {common.fmt(run['ks_mean'])}, TVD {common.fmt(run['tvd_mean'])}, "
                        f"SDM quality {common.fmt(run.get('sdm_quality'))}",
                        file=sys.stderr,
                        flush=True,
                    )
            entry["summary"] = {t: summarize(entry["runs"][t]) for t in args.tools}
            if "tabgan" in args.tools:
                entry["ratios"] = {
                    peer: {
                        key: tool_ratio(
                            entry["summary"]["tabgan"][key], entry["summary"][peer][key]
                        )
                        for key, _, _ in FIGURES
                    }
                    for peer in args.tools
                    if peer != "tabgan"
                }
            tables[table] = entry
            # every finished table is on disk: a run cut short keeps what it measured
            write(name, payload, tables, versions, args)
    finally:
        if tmp is not None:
            tmp.cleanup()


def overall(tables: dict[str, Any], tools: list[str]) -> dict[str, Any]:
    """Per tool, over the tables other than Adult: the mean and the lowest HGB and linear
    TSTR ratio, and on how many tables tabgan's fit was faster than each peer's."""
    out: dict[str, Any] = {}
    others = {k: v for k, v in tables.items() if k != "adult"}
    for tool in tools:
        hgb = [t["summary"][tool]["hgb_ratio"] for t in others.values()]
        lin = [t["summary"][tool]["linear_ratio"] for t in others.values()]
        out[tool] = {
            "tables": len(others),
            "hgb_ratio_mean": mean(hgb),
            "hgb_ratio_min": min((v for v in hgb if v is not None), default=None),
            "linear_ratio_mean": mean(lin),
            "linear_ratio_min": min((v for v in lin if v is not None), default=None),
        }
        if tool != "tabgan" and "tabgan" in tools:
            out[tool]["tabgan_faster_on"] = sum(
                t["summary"]["tabgan"]["fit_s"] < t["summary"][tool]["fit_s"]
                for t in tables.values()
            )
            out[tool]["tables_with_adult"] = len(tables)
    return out


def write(
    name: str,
    payload: dict[str, Any],
    tables: dict[str, Any],
    versions: dict[str, str],
    args: argparse.Namespace,
) -> None:
    payload = {
        **payload,
        "peer_version": "; ".join(f"{t} {v}" for t, v in versions.items() if t != "tabgan"),
        "versions": versions,
        "tables": tables,
        "overall": overall(tables, args.tools),
    }
    lines = []
    if args.note:
        lines += [f"**Note:** {args.note}", ""]
    lines += [
        "Each tool at its own defaults; means over seeds. TSTR ratios: the model trained on "
        "synthetic rows over the same model trained on real rows, both scored on the real test "
        "split (HGB: HistGradientBoosting; linear: logistic regression or ridge; macro-F1, or R² "
        "for a numeric target). KS/TVD/corr diff against the real training rows, lower is "
        "closer. SDM: SDMetrics QualityReport and LogisticDetection (higher is better). "
        "FD-breaking rows: share of rows breaking an exact dependency between discrete columns "
        "of the real training table; unseen-pair rows: share with a discrete value pair never "
        "seen in training; excess decimals: the worst numeric column's share of values with more "
        "decimals than the real column ever has; extra edge mass: the worst numeric column's "
        "share at its training min or max beyond the real column's (both from "
        "`tabgan.evaluate.logic`). `real test` is the real test split scored the same way (the "
        "floor).",
        "",
        "| table | tool | " + " | ".join(label for _, label, _ in FIGURES) + " |",
        "|---|---|" + "---:|" * len(FIGURES),
    ]
    for table, entry in tables.items():
        for tool in args.tools:
            s = entry["summary"][tool]
            lines.append(
                f"| {table} | {tool} | "
                + " | ".join(common.fmt(s[k]) for k, _, _ in FIGURES)
                + " |"
            )
        ref = entry["real_test"]
        lines.append(
            f"| {table} | real test | – | – | "
            + " | ".join(
                common.fmt(ref.get(k))
                for k, _, _ in FIGURES
                if k not in ("hgb_ratio", "linear_ratio", "fit_s")
            )
            + " | – |"
        )
        for peer, ratios in entry.get("ratios", {}).items():
            lines.append(
                f"| {table} | tabgan / {peer} | "
                + " | ".join(common.fmt(ratios[k]) for k, _, _ in FIGURES)
                + " |"
            )
    lines += ["", "Over the tables other than Adult:", ""]
    for tool, o in payload["overall"].items():
        line = (
            f"- {tool}: HGB TSTR ratio mean {common.fmt(o['hgb_ratio_mean'])}, lowest "
            f"{common.fmt(o['hgb_ratio_min'])}; linear mean {common.fmt(o['linear_ratio_mean'])}, "
            f"lowest {common.fmt(o['linear_ratio_min'])} ({o['tables']} tables)"
        )
        if "tabgan_faster_on" in o:
            line += (
                f"; tabgan's fit faster than {tool}'s on {o['tabgan_faster_on']} of "
                f"{o['tables_with_adult']} tables"
            )
        lines.append(line)
    lines += ["", *worst_lines(tables, args.tools)]
    json_path, md_path = common.write_result(name, payload, lines)
    # one file per run: drop the previous write of this run
    previous = getattr(write, "_last", None)
    if previous and previous[0] != json_path:
        for old in previous:
            old.unlink(missing_ok=True)
    write._last = (json_path, md_path)  # type: ignore[attr-defined]
    print(f"wrote {json_path.relative_to(common.REPO)}", file=sys.stderr, flush=True)


def worst_lines(tables: dict[str, Any], tools: list[str], n: int = 3) -> list[str]:
    """Per table and tool, the columns (KS/TVD) and SDMetrics pairs that are furthest off, and
    the dependencies broken and pairs unseen most often (first seed)."""
    lines = ["Where each tool is furthest off (first seed):", ""]
    for table, entry in tables.items():
        for tool in tools:
            run = entry["runs"][tool][0]
            cols = {**run["fidelity"]["ks"], **run["fidelity"]["tvd"]}
            top = sorted(cols.items(), key=lambda kv: -(kv[1] or 0))[:n]
            parts = ["columns " + ", ".join(f"{c} {v:.3f}" for c, v in top)]
            pairs = run.get("sdmetrics", {}).get("worst_pairs", [])[:n]
            if pairs:
                parts.append(
                    "SDM pairs "
                    + ", ".join(f"{q['Column 1']}×{q['Column 2']} {q['score']:.2f}" for q in pairs)
                )
            fd = sorted(run["logic"]["fd"].items(), key=lambda kv: -kv[1])[:n]
            if fd and fd[0][1] > 0:
                parts.append("FDs broken " + ", ".join(f"{k} {v:.1%}" for k, v in fd if v > 0))
            up = sorted(run["logic"]["unseen_pair"].items(), key=lambda kv: -kv[1])[:n]
            if up and up[0][1] > 0:
                parts.append("unseen pairs " + ", ".join(f"{k} {v:.1%}" for k, v in up if v > 0))
            lines.append(f"- {table}, {tool}: " + "; ".join(parts))
    return lines


if __name__ == "__main__":
    sys.exit(main())
