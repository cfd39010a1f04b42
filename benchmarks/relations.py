"""Target-by-group relations: does the synthetic table keep how the target differs between groups?

    python benchmarks/relations.py --tables diabetes penguins --seeds 0 1 2 \\
        --arms 'pac10={}' 'pac1={"pac": 1}' --threads 1

For each suite table, seed and arm, TabGAN (its defaults plus the arm's parameters, seeded) is
fit on the real training rows and samples as many rows. Every other column splits the rows into
groups: a discrete column by its categories with at least ``--min-group`` real rows, a numeric
one by the real rows' quartiles. A group's *contrast* is how far the target there is from the
target overall: the mean's difference in standard deviations of the target (numeric target), or
each class's share difference (a class target; one class for a binary one). The synthetic rows
are grouped by the same categories and quartile edges and compared with the real ones:

- ``contrast error``: mean absolute difference of the contrasts (lower is better);
- ``reversed``: of the real contrasts that are clear (more than twice their standard error from
  zero), the share whose synthetic contrast has the opposite sign (lower is better).

The real test split scored the same way against the training rows is the floor (a real sample
of that size misses by as much). Paired differences between the first arm and each other arm
are over (table, seed) pairs.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from typing import Any

import common
import numpy as np
import pandas as pd
import suite

QUARTILES = (0.25, 0.5, 0.75)


def _groups(real: pd.Series, discrete: bool, min_group: int) -> tuple[str, Any] | None:
    """How to split by one column: ``("cat", categories)`` or ``("num", edges)``; None when
    the real rows give fewer than two groups."""
    if discrete:
        counts = real.astype("string").value_counts()
        cats = list(counts.index[counts >= min_group])
        return ("cat", cats) if len(cats) >= 2 else None
    values = pd.to_numeric(real, errors="coerce").dropna()
    if values.nunique() <= 8:  # few values: each value its own group
        counts = values.value_counts()
        cats = sorted(counts.index[counts >= min_group])
        return ("val", cats) if len(cats) >= 2 else None
    edges = np.unique(np.quantile(values, QUARTILES))
    return ("num", edges) if len(edges) >= 1 else None


def _labels(col: pd.Series, how: tuple[str, Any]) -> pd.Series:
    """Each row's group (NaN outside every group)."""
    kind, spec = how
    if kind == "cat":
        s = col.astype("string")
        return s.where(s.isin(spec))
    values = pd.to_numeric(col, errors="coerce")
    if kind == "val":
        return values.where(values.isin(spec))
    return pd.Series(np.searchsorted(spec, values, side="right"), index=col.index).where(
        values.notna()
    )


def _outcomes(y: pd.Series, task: str, classes: list[Any], scale: float) -> np.ndarray:
    """The target as columns to average per group: standardised values, or class indicators."""
    if task == common.REGRESSION:
        return (pd.to_numeric(y, errors="coerce").to_numpy(float) / scale)[:, None]
    s = y.astype("string").to_numpy()
    return np.stack([(s == c).astype(float) for c in classes], axis=1)


def contrasts(
    df: pd.DataFrame, target: str, plan: dict[str, tuple[str, Any]], task: str,
    classes: list[Any], scale: float,
) -> dict[tuple[str, Any, int], tuple[float, float]]:  # fmt: skip
    """``(column, group, outcome) -> (contrast, its standard error)`` for the rows ``df``."""
    out_all = _outcomes(df[target], task, classes, scale)
    overall = np.nanmean(out_all, axis=0)
    result = {}
    for column, how in plan.items():
        labels = _labels(df[column], how)
        groups = how[1] if how[0] != "num" else range(len(how[1]) + 1)
        for g in groups:
            rows = (labels == g).fillna(False).to_numpy()
            for k in range(out_all.shape[1]):
                values = out_all[rows, k]
                values = values[np.isfinite(values)]
                if len(values) < 2:
                    result[(column, str(g), k)] = (math.nan, math.nan)
                    continue
                se = float(np.std(values, ddof=1) / math.sqrt(len(values)))
                result[(column, str(g), k)] = (float(values.mean() - overall[k]), se)
    return result


def score(real: dict, other: dict) -> dict[str, float]:
    """Contrast error and the share of clear real contrasts that ``other`` reverses."""
    errors, clear, reversed_ = [], 0, 0
    for key, (r, r_se) in real.items():
        o = other.get(key, (math.nan, math.nan))[0]
        if not math.isfinite(r):
            continue
        errors.append(abs(o - r) if math.isfinite(o) else abs(r))  # an empty group: no contrast
        if math.isfinite(r_se) and abs(r) > 2 * r_se:
            clear += 1
            reversed_ += int(math.isfinite(o) and o * r < 0)
    return {
        "contrast_error": float(np.mean(errors)) if errors else math.nan,
        "reversed": reversed_ / clear if clear else math.nan,
        "clear": clear,
        "contrasts": len(errors),
    }


def _setup(
    train: pd.DataFrame, info: dict[str, Any], discrete: list[str], min_group: int
) -> dict[str, Any]:
    target, task = info["target"], info["task"]
    y = train[target]
    scale = float(pd.to_numeric(y, errors="coerce").std()) if task == common.REGRESSION else 1.0
    classes: list[Any] = []
    if task != common.REGRESSION:
        counts = y.astype("string").value_counts()
        classes = list(counts.index)
        if len(classes) == 2:
            classes = classes[1:]  # the rarer class: the other's contrast is its mirror
    plan = {}
    for column in train.columns:
        how = _groups(train[column], column in discrete, min_group)
        if column != target and how is not None:
            plan[column] = how
    return {"target": target, "task": task, "plan": plan, "classes": classes, "scale": scale}


def _measure(df: pd.DataFrame, setup: dict[str, Any]) -> dict:
    return contrasts(
        df, setup["target"], setup["plan"], setup["task"], setup["classes"], setup["scale"]
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tables", nargs="+", default=["diabetes", "penguins"])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument(
        "--arms", nargs="+", default=["default={}"],
        help="NAME=JSON of TabGAN parameters; the first is the baseline of the paired differences",
    )  # fmt: skip
    p.add_argument("--min-group", type=int, default=15, help="real rows a category needs")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--label", default="")
    args = p.parse_args()
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    from tabgan import TabGAN

    arms = {}
    for spec in args.arms:
        name, _, params = spec.partition("=")
        arms[name] = json.loads(params or "{}")
    names = list(arms)

    runs: list[dict[str, Any]] = []
    floors: dict[str, dict[str, float]] = {}
    for table in args.tables:
        train, test, info = suite.load_table(table)
        discrete = common.discrete_columns(train)
        setup = _setup(train, info, discrete, args.min_group)
        real = _measure(train, setup)
        floors[table] = score(real, _measure(test, setup))
        for seed in args.seeds:
            for name, params in arms.items():
                start = time.perf_counter()
                model = TabGAN(seed=seed, **params).fit(train, discrete_columns=discrete)
                fit_s = time.perf_counter() - start
                synth = model.sample(len(train), seed=seed)
                row = {"table": table, "seed": seed, "arm": name, "fit_s": fit_s}
                row.update(score(real, _measure(synth, setup)))
                runs.append(row)
                print(
                    f"{table} seed {seed} {name}: contrast error {row['contrast_error']:.4f}, "
                    f"reversed {row['reversed']:.3f} of {row['clear']}, fit {fit_s:.0f} s",
                    flush=True,
                )

    table_md = _summary(runs, floors, names, args.tables)
    payload = common.header(
        {
            "tables": args.tables,
            "seeds": args.seeds,
            "arms": arms,
            "min_group": args.min_group,
        },
        args.threads,
    )
    payload.update({"runs": runs, "floors": floors})
    common.report("relations", args.label, payload, table_md)


def _summary(
    runs: list[dict[str, Any]], floors: dict[str, dict[str, float]], names: list[str],
    tables: list[str],
) -> list[str]:  # fmt: skip
    def get(table: str | None, arm: str, key: str) -> dict[tuple[str, int], float]:
        return {
            (r["table"], r["seed"]): r[key]
            for r in runs
            if r["arm"] == arm and (table is None or r["table"] == table)
        }

    lines = [
        "Contrast error: mean absolute difference between the real and synthetic target "
        "contrasts of every group (lower is better); reversed: share of the real rows' clear "
        "contrasts (over 2 SE) that the synthetic rows turn the other way. Means over seeds; "
        f"Δ: each arm minus {names[0]}, mean ± SE over seeds (over every (table, seed) pair "
        "in the last rows). `real test`: the test split against the training rows.",
        "",
        "| table | clear | real test error / reversed | "
        + " | ".join(f"{n} error / reversed" for n in names)
        + "".join(f" | Δ error {n} | Δ reversed {n}" for n in names[1:])
        + " |",
        "|---|---:|---:|" + "---:|" * len(names) + "---:|---:|" * (len(names) - 1),
    ]
    for table in [*tables, None]:
        label = table or "all"
        floor = floors.get(table, {}) if table else {}
        cells = [label]
        clear = [r["clear"] for r in runs if table is None or r["table"] == table]
        cells.append(str(int(np.median(clear))) if clear else "–")
        cells.append(f"{floor['contrast_error']:.4f} / {floor['reversed']:.3f}" if floor else "–")
        for n in names:
            e = common.mean_se(list(get(table, n, "contrast_error").values()))[0]
            v = common.mean_se(list(get(table, n, "reversed").values()))[0]
            cells.append(f"{e:.4f} / {v:.3f}")
        for n in names[1:]:
            for key in ("contrast_error", "reversed"):
                a, b = get(table, names[0], key), get(table, n, key)
                diffs = [b[k] - a[k] for k in a if k in b]
                m, se = common.mean_se(diffs)
                cells.append(f"{m:+.4f} ± {se:.4f}")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


if __name__ == "__main__":
    main()
