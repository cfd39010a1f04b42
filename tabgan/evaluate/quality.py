"""The overall quality score: column shapes and column pair trends, defined as SDMetrics does.

**Column shapes** (one score per column, 1 is identical): ``1 - KS`` (two-sample
Kolmogorov-Smirnov statistic) for numbers and dates, ``1 - TVD`` (total variation distance of
the category shares) for categories; both on the present values.

**Column pair trends** (one score per pair of columns): for two numeric columns
``1 - |r_real - r_synthetic| / 2`` with Pearson's ``r`` on the rows where both are present;
otherwise ``1 - TVD`` of the two-way table of shares, numbers cut into the 10 equal-width bins
of the real column (``numpy.histogram_bin_edges``, ends open) and missing a value of its own.
A pair whose correlation is undefined (a constant column) is left out, as in SDMetrics.

**Overall** = the mean of the two property scores (each the mean of its column or pair scores);
with a single column, the column shapes score alone. All scores lie in [0, 1].

This follows SDMetrics' ``QualityReport`` (KSComplement, TVComplement, CorrelationSimilarity,
ContingencySimilarity), so the figures can be set side by side; docs/evaluate.md records the
comparison on a few tables. One difference: SDMetrics bins a synthetic number outside the real
range into an extra bin at each end, here it joins the first or last bin.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from tabgan.evaluate.columns import NUMERIC, ColumnInfo
from tabgan.evaluate.fidelity import ks_statistic, total_variation

#: equal-width bins a number is cut into for a pair with a category (SDMetrics' default)
PAIR_BINS = 10
# Two-way tables up to this many cells are counted densely; larger ones by their used cells.
_DENSE_CELLS = 1 << 18


def column_shapes(
    real: pd.DataFrame, synthetic: pd.DataFrame, infos: list[ColumnInfo]
) -> dict[str, dict]:
    """``{column: {"score", "metric"}}``: 1-KS for numbers, 1-TVD for categories."""
    out = {}
    for info in infos:
        r, s = real[info.name], synthetic[info.name]
        if info.kind == NUMERIC:
            out[str(info.name)] = {"score": 1.0 - ks_statistic(r, s), "metric": "KSComplement"}
        else:
            out[str(info.name)] = {
                "score": 1.0 - total_variation(r, s),
                "metric": "TVComplement",
            }
    return out


def _codes(real: pd.Series, synthetic: pd.Series, numeric: bool) -> tuple[np.ndarray, ...]:
    """Shared integer codes of two columns, missing as a code of its own (the last)."""
    if numeric:
        r = real.to_numpy(dtype=float)
        s = synthetic.to_numpy(dtype=float)
        present = r[~np.isnan(r)]
        if present.size == 0:
            edges = np.array([-np.inf, np.inf])
        else:
            edges = np.histogram_bin_edges(present, bins=PAIR_BINS)
        inner = edges[1:-1]
        k = len(inner) + 1
        rc, sc = np.searchsorted(inner, r, side="right"), np.searchsorted(inner, s, side="right")
        rc[np.isnan(r)] = k
        sc[np.isnan(s)] = k
        return rc.astype(np.int64), sc.astype(np.int64), k + 1
    both = pd.concat([real, synthetic], ignore_index=True)
    codes, uniques = pd.factorize(both, use_na_sentinel=True)
    k = len(uniques)
    codes = np.where(codes < 0, k, codes).astype(np.int64)
    return codes[: len(real)], codes[len(real) :], k + 1


def _joint_tvd(a_r, b_r, a_s, b_s, kb: int, size: int) -> float:
    jr, js = a_r * kb + b_r, a_s * kb + b_s
    if size > _DENSE_CELLS:  # ID-like columns: count only the cells that occur
        _, inverse = np.unique(np.concatenate([jr, js]), return_inverse=True)
        jr, js = inverse[: len(jr)], inverse[len(jr) :]
        size = int(inverse.max()) + 1 if len(inverse) else 1
    p = np.bincount(jr, minlength=size) / max(len(jr), 1)
    q = np.bincount(js, minlength=size) / max(len(js), 1)
    return float(0.5 * np.abs(p - q).sum())


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    both = ~(np.isnan(a) | np.isnan(b))
    a, b = a[both], b[both]
    if len(a) < 2 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def column_pair_trends(
    real: pd.DataFrame, synthetic: pd.DataFrame, infos: list[ColumnInfo]
) -> dict[tuple[str, str], dict]:
    """``{(a, b): {"score", "metric", "real", "synthetic"}}`` for every pair of columns.

    ``real``/``synthetic`` hold Pearson's r for a numeric pair (``None`` otherwise). Pairs
    with an undefined correlation are left out.
    """
    codes = {}
    for info in infos:
        rc, sc, k = _codes(real[info.name], synthetic[info.name], info.kind == NUMERIC)
        codes[info.name] = (rc, sc, k)
    values = {
        i.name: (real[i.name].to_numpy(dtype=float), synthetic[i.name].to_numpy(dtype=float))
        for i in infos
        if i.kind == NUMERIC
    }
    out: dict[tuple[str, str], dict] = {}
    for a, b in combinations(infos, 2):
        key = (str(a.name), str(b.name))
        if a.kind == NUMERIC and b.kind == NUMERIC:
            r = _pearson(*[values[a.name][0], values[b.name][0]])
            s = _pearson(*[values[a.name][1], values[b.name][1]])
            if np.isnan(r) or np.isnan(s):
                continue
            out[key] = {
                "score": 1.0 - abs(r - s) / 2.0,
                "metric": "CorrelationSimilarity",
                "real": r,
                "synthetic": s,
            }
        else:
            ar, as_, ka = codes[a.name]
            br, bs, kb = codes[b.name]
            tvd = _joint_tvd(ar, br, as_, bs, kb, ka * kb)
            out[key] = {
                "score": 1.0 - tvd,
                "metric": "ContingencySimilarity",
                "real": None,
                "synthetic": None,
            }
    return out


def _mean(scores) -> float | None:
    values = [v["score"] for v in scores]
    return float(np.mean(values)) if values else None


def quality(real: pd.DataFrame, synthetic: pd.DataFrame, infos: list[ColumnInfo]) -> dict:
    """The overall quality score and its parts (canonical tables in).

    Returns
    -------
    dict
        ``score`` (overall, in [0, 1], 1 is identical), ``column_shapes`` and
        ``column_pair_trends`` (property means), ``columns`` (per column, worst first) and
        ``pairs`` (a list of ``{"columns": [a, b], "score", "metric", ...}``, worst first).
    """
    shapes = column_shapes(real, synthetic, infos)
    pairs = column_pair_trends(real, synthetic, infos)
    shape_score = _mean(shapes.values())
    pair_score = _mean(pairs.values())
    parts = [v for v in (shape_score, pair_score) if v is not None]
    worst_cols = dict(sorted(shapes.items(), key=lambda kv: (kv[1]["score"], kv[0])))
    worst_pairs = [
        {"columns": list(k), **v}
        for k, v in sorted(pairs.items(), key=lambda kv: (kv[1]["score"], kv[0]))
    ]
    return {
        "score": float(np.mean(parts)) if parts else None,
        "column_shapes": shape_score,
        "column_pair_trends": pair_score,
        "columns": worst_cols,
        "pairs": worst_pairs,
        "definition": "mean of Column Shapes (1-KS, 1-TVD) and Column Pair Trends "
        "(1-|corr diff|/2, 1-TVD of the two-way table), as SDMetrics' QualityReport",
    }


__all__ = ["PAIR_BINS", "column_pair_trends", "column_shapes", "quality"]
