"""Augmenting small training sets: does adding TabGAN rows help a classifier?

    python benchmarks/augment.py --datasets adult breast_cancer --sizes 250 500 1000 \
        --seeds 0 1 2 3 4 --models hgb logreg rf

For each data set, size and seed, a random subset of that many rows is drawn from the training
table (the seed picks the rows and seeds every model). Each model family (``hgb``:
``HistGradientBoostingClassifier(random_state=0)`` with native categoricals; ``logreg``:
one-hot + standardised ``LogisticRegression(max_iter=2000)``; ``rf``:
``RandomForestClassifier(200 trees, random_state=0)``) is trained on each table below and
scored by macro-F1 on the data set's full real test split:

- ``real``: the subset alone;
- ``smote-nc``: the subset balanced by imbalanced-learn's SMOTE-NC (the classic baseline);
- ``random-over``: the subset balanced by repeating minority rows (RandomOverSampler);
- ``tabgan-balance``: the subset plus TabGAN rows of the minority classes up to the majority
  count (``TabGANResampler(sampling_strategy="auto")``, conditional on the class, with its
  default label filter);
- ``tabgan-nofilter``: the same, from the same fit, without the label filter (the rows
  ``tabgan.sampling.sample_conditional`` gives, as the resampler made them before it had one);
- ``tabgan-double``: the subset plus as many TabGAN rows as it has, drawn from the learned joint
  distribution (labels included, unfiltered, no balancing; the same fit);
- ``tabgan-auto``: ``TabGANResampler(n_extra="auto")``, a second fit that holds out a quarter
  of the subset to choose between no rows, balancing and joint rows (adding none when no
  amount beats none by a standard error).
- with ``--filter-arms``, four more arms from the balancing arm's fit: ``tabgan-q10``,
  ``tabgan-q25`` and ``tabgan-q50`` (its label filter at the 0.1 / 0.25 / 0.5 quantile of the
  real rows' out-of-fold probabilities; 0.1 was the default before 0.5), and ``tabgan-half``
  (half of the balancing rows, the default filter). Each draws its own rows, so the arm at the
  default quantile shows how far two draws of the same fit differ.

The TabGAN fits run at TabGANResampler's defaults (``epochs="auto"``) unless
``--epochs``/``--max-time`` say otherwise. ``--datasets`` takes Adult and the classification
tables of ``suite.py``; a size at or above a table's training rows runs once, with all of them
(larger sizes of that table are skipped). ``--from-json`` summarises earlier result files
together (runs split over processes). The summary gives, per
model family, the mean macro-F1 per method and the paired differences of each method against
``real`` and ``smote-nc`` (mean over all (data set, size, seed) cells ± its standard error),
then per data set, and the fit times. Results go to
``benchmarks/results/augment-<timestamp>.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import glob
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import common  # benchmarks/ is on sys.path when this file runs as a script
import numpy as np
import pandas as pd
import suite

METHODS = (
    "real",
    "smote-nc",
    "random-over",
    "tabgan-balance",
    "tabgan-nofilter",
    "tabgan-double",
    "tabgan-auto",
    "tabgan-q10",
    "tabgan-q25",
    "tabgan-q50",
    "tabgan-half",
)
MODELS = ("hgb", "logreg", "rf")


def _filled(x: pd.DataFrame, categorical: list[str]) -> pd.DataFrame:
    """Missing values filled (SMOTE cannot take them): "missing" or the column median."""
    x = x.copy()
    for c in x.columns:
        if c in categorical:
            x[c] = x[c].astype(object).where(x[c].notna(), "missing").astype(str)
        elif x[c].isna().any():
            x[c] = x[c].fillna(x[c].median())
    return x


def smote_nc(x: pd.DataFrame, y: pd.Series, categorical: list[str], seed: int):
    """SMOTE-NC balancing (SMOTE when every feature is a number)."""
    from imblearn.over_sampling import SMOTE, SMOTENC

    x = _filled(x, categorical)
    k = max(1, int(min(5, y.value_counts().min() - 1)))
    if categorical:
        sampler = SMOTENC(categorical_features=categorical, k_neighbors=k, random_state=seed)
    else:
        sampler = SMOTE(k_neighbors=k, random_state=seed)
    return sampler.fit_resample(x, y)


def random_over(x: pd.DataFrame, y: pd.Series, seed: int):
    from imblearn.over_sampling import RandomOverSampler

    return RandomOverSampler(random_state=seed).fit_resample(x, y)


class Scorer:
    """Macro-F1 on the real test rows of each model family trained on a given table."""

    def __init__(self, train: pd.DataFrame, test: pd.DataFrame, target: str) -> None:
        self.base = common.TSTRScorer(train, test, target, task="classification")
        self.target = target
        self.features = [c for c in train.columns if c != target]
        self.categorical = [c for c in self.features if c in common.discrete_columns(train)]
        self.classes = sorted(pd.concat([train, test])[target].dropna().astype(str).unique())
        self.test = test

    def _xy(self, df: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
        y = df[self.target].astype(str).map({c: i for i, c in enumerate(self.classes)})
        keep = y.notna().to_numpy()
        x = df.loc[keep, self.features].copy()
        for c in self.features:
            if c in self.categorical:
                x[c] = x[c].astype(object).where(x[c].notna(), "missing").astype(str)
            else:
                x[c] = pd.to_numeric(x[c], errors="coerce").astype(float)
        return x, y[keep].to_numpy(dtype=int)

    def _pipeline(self, model: str):
        from sklearn.compose import make_column_transformer
        from sklearn.ensemble import RandomForestClassifier
        from sklearn.impute import SimpleImputer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

        numeric = [c for c in self.features if c not in self.categorical]
        if model == "logreg":
            cats = OneHotEncoder(handle_unknown="ignore", min_frequency=5)
            nums = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
            clf = LogisticRegression(max_iter=2000)
        else:  # rf
            cats = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)
            nums = SimpleImputer(strategy="median")
            clf = RandomForestClassifier(n_estimators=200, random_state=0, n_jobs=1)
        prep = make_column_transformer((cats, self.categorical), (nums, numeric))
        return make_pipeline(prep, clf)

    def score(self, df: pd.DataFrame) -> dict[str, float]:
        from sklearn.metrics import f1_score

        out = {"hgb": self.base.score(df)}
        x, y = self._xy(df)
        tx, ty = self._xy(self.test)
        for model in ("logreg", "rf"):
            if len(np.unique(y)) < 2:
                out[model] = float("nan")
                continue
            pred = self._pipeline(model).fit(x, y).predict(tx)
            out[model] = float(f1_score(ty, pred, average="macro"))
        return out


def run_one(name, train, scorer, target, size, seed, args) -> dict:
    from tabgan import TabGANResampler

    subset = train.sample(n=min(size, len(train)), random_state=seed).reset_index(drop=True)
    subset[target] = subset[target].astype(str)
    x, y = subset.drop(columns=[target]), subset[target]
    categorical = [c for c in common.discrete_columns(subset) if c != target]
    scores: dict[str, dict[str, float]] = {"real": scorer.score(subset)}
    seconds: dict[str, float] = {}

    started = time.perf_counter()
    xs, ys = smote_nc(x, y, categorical, seed)
    seconds["smote-nc"] = time.perf_counter() - started
    scores["smote-nc"] = scorer.score(pd.concat([xs, ys], axis=1))
    xs, ys = random_over(x, y, seed)
    scores["random-over"] = scorer.score(pd.concat([xs, ys], axis=1))

    from tabgan.sampling import sample_conditional

    epochs = "auto" if args.epochs == "auto" else int(args.epochs)
    common_params = {"epochs": epochs, "max_time": args.max_time, "seed": seed}
    started = time.perf_counter()
    extra = json.loads(args.resampler_params) if args.resampler_params else {}
    res = TabGANResampler(sampling_strategy="auto", device=args.device, **common_params, **extra)
    xb, yb = res.fit_resample(x, y)
    seconds["tabgan"] = time.perf_counter() - started
    scores["tabgan-balance"] = scorer.score(pd.concat([xb, yb], axis=1))
    tname = res.target_name_
    gan = res.model_
    if gan is None:
        # balanced classes: the resampler trained no GAN and added nothing, so the unfiltered
        # arm adds nothing either, and the doubling arm needs a joint fit of its own
        from tabgan import TabGAN

        gan = TabGAN(device=args.device, **common_params).fit(
            subset.rename(columns={target: tname})
        )
    raw = [
        sample_conditional(gan, k, {tname: ("==", c)}, seed=seed + 20_000 + i)
        for i, (c, k) in enumerate(res.sampling_strategy_.items())
        if k > 0
    ]
    unfiltered = [r.rename(columns={tname: target})[subset.columns] for r in raw]
    scores["tabgan-nofilter"] = scorer.score(pd.concat([subset, *unfiltered], ignore_index=True))
    extra = gan.sample(len(subset), seed=seed + 10_000)
    extra = extra.rename(columns={tname: target})[subset.columns]
    scores["tabgan-double"] = scorer.score(pd.concat([subset, extra], ignore_index=True))
    if args.filter_arms:
        scores.update(filter_arms(res, x, y, subset, target, seed, scorer))
    auto = None
    if not args.no_auto:
        started = time.perf_counter()
        auto = TabGANResampler(n_extra="auto", device=args.device, **common_params)
        xa, ya = auto.fit_resample(x, y)
        seconds["tabgan-auto"] = time.perf_counter() - started
        scores["tabgan-auto"] = scorer.score(pd.concat([xa, ya], axis=1))
    return {
        "dataset": name,
        "size": len(subset),
        "seed": seed,
        "scores": scores,
        "class_counts": {str(k): int(v) for k, v in y.value_counts().items()},
        "synthetic_balance_rows": int(len(xb) - len(subset)),
        "seconds": seconds,
        "tabgan_epochs": int(gan.epochs_),
        "tabgan_best_epoch": gan.best_epoch_,
        "tabgan_stop_reason": gan.stop_reason_,
        "refined": gan.refiner_ is not None,
        "tabgan_steps": int(gan.epochs_ * gan.steps_per_epoch_),
        "auto_chosen": None if auto is None else auto.chosen_,
        "auto_selection": None if auto is None else auto.selection_,
        "auto_rows_added": None if auto is None else int(len(xa) - len(subset)),
    }


def filter_arms(res, x, y, subset, target, seed, scorer) -> dict[str, dict[str, float]]:
    """``--filter-arms``: rows from the fitted resampler's GAN with a stricter label filter, and
    half as many balancing rows (an ablation: it calls the resampler's own row drawing)."""
    from tabgan.augment_select import LabelModel

    arms = ("tabgan-q10", "tabgan-q25", "tabgan-q50", "tabgan-half")
    tname, out = res.target_name_, {}
    if res.model_ is None:  # nothing generated: the arms equal the real rows
        return {arm: scorer.score(subset) for arm in arms}
    frame = x.set_axis([str(c) for c in x.columns], axis=1).reset_index(drop=True)
    labels = y.to_numpy()
    plan = res.sampling_strategy_
    variants = {
        **{
            arm: (plan, LabelModel(q, seed=seed).fit(frame, labels))
            for arm, q in zip(arms, (0.1, 0.25, 0.5), strict=False)
        },
        "tabgan-half": ({c: k // 2 for c, k in plan.items()}, res.label_model_),
    }
    for i, (arm, (arm_plan, judge)) in enumerate(variants.items()):
        ss = np.random.SeedSequence([seed, 30_000 + i])
        rows = res._synthetic(arm_plan, 0, ss, judge, res._donor_rows)
        rows = rows.rename(columns={tname: target})[subset.columns]
        out[arm] = scorer.score(pd.concat([subset, rows], ignore_index=True))
    return out


def _table_head(title: str, columns: list[str]) -> list[str]:
    return ["", title, "", "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]


def summarise(runs: list[dict], models: list[str]) -> list[str]:
    lines = [
        "Macro-F1 on each data set's real test split. Paired differences: per (data set, size, "
        "seed) cell, method minus baseline; mean ± standard error over the cells.",
    ]
    datasets = sorted({r["dataset"] for r in runs})
    methods = [m for m in METHODS if all(m in r["scores"] for r in runs)]  # --no-auto: no auto
    for model in models:
        lines += ["", f"### {model}: all cells ({len(runs)})", ""]
        bases = ["real", "smote-nc"]
        if any(m in methods for m in ("tabgan-q10", "tabgan-q25", "tabgan-q50", "tabgan-half")):
            bases.append("tabgan-balance")  # the ablation arms share its fit: paired with it
        if "tabgan-q10" in methods:
            bases.append("tabgan-q10")  # the filter's default before 0.5, from the same fit
        lines += [
            "| method | macro-F1 | " + " | ".join(f"vs {b}" for b in bases) + " |",
            "|---|---|" + "---|" * len(bases),
        ]
        for m in methods:
            f1, _ = common.mean_se([r["scores"][m][model] for r in runs])
            cells = []
            for base in bases:
                d, se = common.mean_se(
                    [r["scores"][m][model] - r["scores"][base][model] for r in runs]
                )
                cells.append("" if m == base else f"{d:+.4f} ± {se:.4f}")
            lines.append(f"| {m} | {f1:.4f} | " + " | ".join(cells) + " |")
        tabgan = [m for m in methods if m.startswith("tabgan")]
        lines += _table_head(
            f"{model} per data set, all its sizes and seeds (method minus real ± SE):",
            ["data set", "cells", *tabgan, "smote-nc"],
        )
        for name in datasets:
            mine = [r for r in runs if r["dataset"] == name]
            cells = []
            for m in [*tabgan, "smote-nc"]:
                d, se = common.mean_se(
                    [r["scores"][m][model] - r["scores"]["real"][model] for r in mine]
                )
                cells.append(f"{d:+.4f} ± {se:.4f}")  # 4 places: a loss set against its SE
            lines.append(f"| {name} | {len(mine)} | " + " | ".join(cells) + " |")
        lines += _table_head(
            f"{model} per data set and size (mean macro-F1):", ["data set", "rows", *methods]
        )
        for name in datasets:
            for size in sorted({r["size"] for r in runs if r["dataset"] == name}):
                mine = [r for r in runs if r["dataset"] == name and r["size"] == size]
                means = [common.mean_se([r["scores"][m][model] for r in mine])[0] for m in methods]
                lines.append(f"| {name} | {size} | " + " | ".join(f"{v:.3f}" for v in means) + " |")
    lines += [
        "",
        'Fit times (wall clock) and what `n_extra="auto"` chose (cells per candidate):',
        "",
        "| data set | rows | TabGAN fit (s, mean) | epochs (mean) | auto fit (s, mean) "
        "| auto chose | SMOTE-NC (s) |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in datasets:
        for size in sorted({r["size"] for r in runs if r["dataset"] == name}):
            mine = [r for r in runs if r["dataset"] == name and r["size"] == size]
            fit = statistics.mean(r["seconds"]["tabgan"] for r in mine)
            autos = [r["seconds"]["tabgan-auto"] for r in mine if "tabgan-auto" in r["seconds"]]
            auto = statistics.mean(autos) if autos else float("nan")
            ep = statistics.mean(r["tabgan_epochs"] for r in mine)
            smote = statistics.mean(r["seconds"]["smote-nc"] for r in mine)
            chose = Counter(r["auto_chosen"] for r in mine)
            shown = ", ".join(f"{k} {v}" for k, v in sorted(chose.items()))
            lines.append(
                f"| {name} | {size} | {fit:.1f} | {ep:.0f} | {auto:.1f} | {shown} | {smote:.3f} |"
            )
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["adult"])
    parser.add_argument("--sizes", type=int, nargs="+", default=[250, 500, 1000])
    parser.add_argument(
        "--seeds",
        type=int,
        nargs="+",
        default=None,
        help="seeds to run (default 0-4); with --from-json, summarise only these seeds' cells "
        "(e.g. held-out seeds; default all)",
    )
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=MODELS)
    parser.add_argument("--epochs", default="auto", help="auto or a number")
    parser.add_argument("--max-time", default=None, help="per TabGAN fit, e.g. 2m")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--threads", type=int, default=None, help="torch threads")
    parser.add_argument("--label", default=None, help="added to the result file names")
    parser.add_argument(
        "--from-json", nargs="+", default=None, help="summarise these result files together"
    )
    parser.add_argument(
        "--gan-defaults",
        default=None,
        help="ablation: JSON object replacing TabGAN's constructor defaults in this run "
        "(e.g. '{\"min_steps_per_epoch\": 10}'); the resampler passes the rest as usual, and "
        "what it passes explicitly (pac, batch_size, the widths...) goes in --resampler-params",
    )
    parser.add_argument(
        "--resampler-params",
        default=None,
        help="ablation: JSON object of further TabGANResampler parameters for the balancing "
        "arm (e.g. '{\"batch_size\": 240}')",
    )
    parser.add_argument(
        "--no-auto", action="store_true", help="skip the n_extra='auto' arm (its second fit)"
    )
    parser.add_argument(
        "--filter-arms",
        action="store_true",
        help="ablation arms from the balancing fit: stricter label filters, half the rows",
    )
    parser.add_argument(
        "--pair",
        nargs=2,
        metavar=("A", "B"),
        default=None,
        help="paired differences B - A of the TabGAN arms of two result files (same cells); "
        "each may be a quoted glob, or comma-separated files and globs, that together make "
        "one run or runs to pool",
    )
    parser.add_argument("--names", nargs=2, default=("A", "B"), help="names of --pair's files")
    args = parser.parse_args(argv)
    if args.from_json:
        merge(args)
        return
    if args.pair:
        pair(args)
        return
    if args.gan_defaults:
        from tabgan import TabGAN

        TabGAN.__init__.__kwdefaults__.update(json.loads(args.gan_defaults))
    args.seeds = args.seeds or [0, 1, 2, 3, 4]
    args.device = common.resolve_device(args.device)
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)

    settings = {
        "datasets": args.datasets,
        "sizes": args.sizes,
        "seeds": args.seeds,
        "models": args.models,
        "epochs": args.epochs,
        "max_time": args.max_time,
        "device": args.device,
        "tabgan": "TabGANResampler defaults (batch_size='auto', epochs as given)",
        "gan_defaults": json.loads(args.gan_defaults) if args.gan_defaults else None,
        "resampler_params": json.loads(args.resampler_params) if args.resampler_params else None,
        "no_auto": args.no_auto,
        "filter_arms": args.filter_arms,
    }
    payload = common.header(settings, args.threads)
    runs = []
    partial = common.BENCH / "work" / f"augment-partial-{args.label or 'run'}.json"  # git-ignored
    for name in args.datasets:
        train, test, info = suite.load_table(name)
        target = info["target"]
        if info["task"] != "classification":
            raise SystemExit(f"{name} has a {info['task']} target; augment.py needs classes")
        scorer = Scorer(train, test, target)
        sizes = sorted({min(size, len(train)) for size in args.sizes})
        for size in sizes:
            for seed in args.seeds:
                run = run_one(name, train, scorer, target, size, seed, args)
                runs.append(run)
                shown = ", ".join(f"{k} {v['hgb']:.3f}" for k, v in run["scores"].items())
                print(
                    f"{name} size {size} seed {seed}: {shown}; TabGAN "
                    f"{run['seconds']['tabgan']:.0f} s, {run['tabgan_epochs']} epochs",
                    file=sys.stderr,
                    flush=True,
                )
                payload["runs"] = runs
                partial.parent.mkdir(parents=True, exist_ok=True)  # survives an interrupt
                partial.write_text(json.dumps(payload, indent=2, default=str), encoding="utf-8")
    payload["runs"] = runs
    table = summarise(runs, [m for m in MODELS if m in args.models])
    name = "augment" + (f"-{args.label}" if args.label else "")
    json_path, md_path = common.write_result(name, payload, table)
    print("\n".join(table))
    print(f"wrote {json_path} and {md_path}", file=sys.stderr)


def merge(args: argparse.Namespace) -> None:
    """Summarise several result files' runs as one (same settings, split over processes)."""
    payloads = [json.loads(Path(p).read_text(encoding="utf-8")) for p in args.from_json]
    runs = [r for p in payloads for r in p["runs"] if not args.seeds or r["seed"] in args.seeds]
    if not runs:
        raise SystemExit(f"no cell of these files has a seed in {args.seeds}")
    settings = dict(payloads[0]["settings"])
    for key in ("datasets", "sizes", "seeds"):  # the union, in first-seen order
        settings[key] = list(dict.fromkeys(v for p in payloads for v in p["settings"][key]))
    settings["seeds"] = [s for s in settings["seeds"] if not args.seeds or s in args.seeds]
    machine = dict(payloads[0]["machine"])
    commits = dict.fromkeys(str(p["machine"].get("tabgan_commit")) for p in payloads)
    machine["tabgan_commit"] = ", ".join(commits)  # the runs' commits, not the merge's
    payload = {
        **{k: v for k, v in payloads[0].items() if k != "runs"},
        "date": common.now(),
        "machine": machine,
        "settings": settings,
        "command": " ".join(["python", *sys.argv]),
        "source_dates": [p["date"] for p in payloads],
        "merged_from": [Path(p).name for p in args.from_json],
        "source_commands": [p["command"] for p in payloads],
        "runs": runs,
    }
    models = [m for m in MODELS if all(m in r["scores"]["real"] for r in runs)]
    table = summarise(runs, models)
    name = "augment" + (f"-{args.label}" if args.label else "")
    json_path, md_path = common.write_result(name, payload, table)
    print("\n".join(table))
    print(f"wrote {json_path} and {md_path}", file=sys.stderr)


def pair(args: argparse.Namespace) -> None:
    """Paired differences B - A of every TabGAN arm both result files have, per model family,
    over the (data set, size, seed) cells both ran; then per data set; then fit times."""
    sides = []
    for pattern in args.pair:  # files or quoted globs, comma-separated: one run, or runs to pool
        files = [f for part in pattern.split(",") for f in (sorted(glob.glob(part)) or [part])]
        payloads = [json.loads(Path(f).read_text(encoding="utf-8")) for f in files]
        settings = payloads[0]["settings"]
        sides.append(
            {
                "files": [Path(f).name for f in files],
                "commits": ", ".join(
                    dict.fromkeys(str(p["machine"].get("tabgan_commit")) for p in payloads)
                ),
                "variant": {
                    "gan_defaults": settings.get("gan_defaults"),
                    "resampler_params": settings.get("resampler_params"),
                },
                "runs": {
                    (r["dataset"], r["size"], r["seed"]): r for p in payloads for r in p["runs"]
                },
            }
        )
    keyed = [side["runs"] for side in sides]
    cells = sorted(set(keyed[0]) & set(keyed[1]))
    if not cells:
        raise SystemExit("the two files share no (data set, size, seed) cell")
    a_name, b_name = args.names
    both = [(keyed[0][c], keyed[1][c]) for c in cells]
    arms = [
        m
        for m in METHODS
        if m.startswith("tabgan") and all(m in r["scores"] for p in both for r in p)
    ]
    models = [m for m in MODELS if all(m in r["scores"]["real"] for p in both for r in p)]
    lines = [
        f"Paired differences {b_name} - {a_name} of macro-F1 on the real test splits, per "
        f"(data set, size, seed) cell, mean ± SE over the {len(cells)} cells both ran.",
        "",
        *(
            f"- {name}: {', '.join(f'`{f}`' for f in side['files'])} (commits {side['commits']}; "
            f"changed from the defaults: {side['variant']})"
            for name, side in zip(args.names, sides, strict=True)
        ),
    ]

    def diff(rows, arm, model, base=None):
        return common.mean_se(
            [
                b["scores"][arm][model]
                - (a["scores"][arm] if base is None else b["scores"][base])[model]
                for a, b in rows
            ]
        )

    for model in models:
        lines += _table_head(
            f"{model}: all cells",
            ["arm", f"{b_name} - {a_name}", f"{b_name} - real", f"{b_name} - smote-nc"],
        )
        for arm in arms:
            cells_ = [diff(both, arm, model, base) for base in (None, "real", "smote-nc")]
            lines.append(
                f"| {arm} | " + " | ".join(f"{d:+.4f} ± {se:.4f}" for d, se in cells_) + " |"
            )
        datasets = sorted({c[0] for c in cells})
        lines += _table_head(
            f"{model} per data set ({b_name} - {a_name})", ["data set", "cells", *arms]
        )
        for name in datasets:
            mine = [p for p in both if p[0]["dataset"] == name]
            shown = [diff(mine, arm, model) for arm in arms]
            lines.append(
                f"| {name} | {len(mine)} | "
                + " | ".join(f"{d:+.3f} ± {se:.3f}" for d, se in shown)
                + " |"
            )
    lines += _table_head(
        "Resampler fit (balancing arm): mean seconds and GAN steps per size",
        ["rows", "cells", f"{a_name} s", f"{b_name} s", f"{a_name} steps", f"{b_name} steps"],
    )
    for size in sorted({c[1] for c in cells}):
        mine = [p for p in both if p[0]["size"] == size]
        secs = [statistics.mean(p[i]["seconds"]["tabgan"] for p in mine) for i in (0, 1)]
        steps = [
            statistics.mean(p[i].get("tabgan_steps", float("nan")) for p in mine) for i in (0, 1)
        ]
        lines.append(
            f"| {size} | {len(mine)} | {secs[0]:.1f} | {secs[1]:.1f} "
            f"| {steps[0]:.0f} | {steps[1]:.0f} |"
        )
    payload = {
        **common.header(
            {"pair": [side["files"] for side in sides], "names": list(args.names)}, None
        ),
        "cells": [list(c) for c in cells],
    }
    name = "augment-paired" + (f"-{args.label}" if args.label else "")
    json_path, md_path = common.write_result(name, payload, lines)
    print("\n".join(lines))
    print(f"wrote {json_path} and {md_path}", file=sys.stderr)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
